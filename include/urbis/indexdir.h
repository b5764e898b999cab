/* indexdir.h — the index folder that urbis-index publishes and urbisd
 * serves. Layout:
 *
 *   INDEX/current        Xapian stub file naming the served generation
 *                        ("auto gen-000042"); replaced by rename(2), so a
 *                        reader sees the old generation or the new one
 *   INDEX/gen-000042/    a complete glass database and its manifest
 *   INDEX/gen-000041/    the previous generation, kept for rollback
 *   INDEX/.lock          flock(2)ed by the running urbis-index; the kernel
 *                        releases it when the holder dies
 *   INDEX/tmp-*          a run in progress; removed by the next run
 *
 * A generation is never changed once `current` names it.
 *
 * A generation is a Xapian database (one shard) or a shard map: a file in
 * Xapian's stub format, or a folder holding such a file named XAPIANDB
 * (what xapian-replicate keeps up to date), with one shard a line:
 *
 *   auto PATH          a local database; relative to the map's folder
 *   remote HOST:PORT   a database served by xapian-tcpsrv
 *
 * Blank lines and lines starting with '#' are skipped. Xapian opens the
 * same files itself (xapian-delve, xapian-tcpsrv); we read them to give
 * remote shards our time limit and to see each shard's metadata.
 * Searching the combined database merges ranking statistics, facets,
 * spelling and term lists across shards: Xapian's own sharding.
 */
#ifndef URBIS_INDEXDIR_H
#define URBIS_INDEXDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "urbis/xapian.h"

#define URB_INDEXDIR_CURRENT "current"
#define URB_INDEXDIR_LOCK ".lock"
#define URB_GEN_NAME_MAX 64

/* Reads the generation `current` names into gen[URB_GEN_NAME_MAX].
 * 0, or -1 with errno set (ENOENT: nothing published yet; EINVAL: the
 * pointer is malformed). */
int urb_indexdir_current(const char *index, char gen[URB_GEN_NAME_MAX]);

/* Path of a generation's database: malloc'd "INDEX/gen"; NULL on OOM. */
char *urb_indexdir_gen_path(const char *index, const char *gen);

#define URB_SHARDMAP_STUB "XAPIANDB"

/* Called with each shard as it opens (name: its line's argument, or the
 * path); a non-zero return stops the open, which fails with URB_X_ERROR.
 * The shard handle stays the caller's of urb_shardmap_open only for the
 * call. */
typedef int (*urb_shard_cb)(void *ctx, const char *name, urb_xdb_t *shard);

/* Opens `path` read-only into *db (caller frees). Remote shards fail past
 * timeout_ms. *is_map (optional) says whether path was a map, whose shards
 * can change without the path changing. *msg as urb_xdb_open's. */
urb_xstatus_t urb_shardmap_open(const char *path, unsigned timeout_ms,
                                urb_shard_cb cb, void *ctx, urb_xdb_t **db,
                                bool *is_map, char **msg);

#endif
