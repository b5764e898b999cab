/* shards.h — urbis-index --shards N: the corpus split over N ordinary
 * index folders INDEX/shard-K (a file goes to the shard its path hashes
 * to), each with its own incremental runs and atomic publishing, and a
 * shard map generation in INDEX naming the generation of every shard
 * (see urbis/indexdir.h). The map is published like any generation, so
 * urbisd --index INDEX switches all shards at once. */
#ifndef URBIX_SHARDS_H
#define URBIX_SHARDS_H

#include "run.h"

#define URB_SHARDS_MAX 256

/* Runs shard 0 to o->shards - 1 in turn, then publishes the map when it
 * changed. The summary adds the shards' counts; its generation is the
 * map's. Returns the exit status, the worst of the shards'. */
int urb_run_shards(const urb_opts_t *o, urb_ui_t *ui, urb_summary_t *s);

/* The shard count of the map INDEX serves, or 0 when it serves no map
 * (or one written before maps said their count): a run without --shards
 * keeps a split index split, so replicas kept shard by shard and a
 * nightly job's command line stay right. */
unsigned urb_shards_of(const char *index);

#endif
