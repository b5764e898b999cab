/* run.h — one run of urbis-index: corpus in, a published generation out. */
#ifndef URBIX_RUN_H
#define URBIX_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "ui.h"
#include "urbis/indexdir.h"

/* Exit statuses (cli.md). */
enum {
    URB_EXIT_OK = 0,
    URB_EXIT_SOME_FAILED = 1, /* some files failed; the rest published */
    URB_EXIT_USAGE = 2,
    URB_EXIT_NOTHING = 3,     /* nothing published */
};

typedef struct urb_opts {
    const char *corpus, *index;
    unsigned jobs;
    bool full, quiet, json;
    unsigned shard, shards;  /* shards > 0: index only shard `shard` */
} urb_opts_t;

typedef struct urb_summary {
    size_t added, updated, deleted, unchanged, skipped, failed, documents;
    size_t warnings;
    double seconds;
    bool published;                 /* a new generation this run */
    char gen[URB_GEN_NAME_MAX];     /* the generation served now, or "" */
} urb_summary_t;

/* Runs; the summary is filled however the run ends. Returns the exit
 * status. */
int urb_run(const urb_opts_t *o, urb_ui_t *ui, urb_summary_t *s);

#endif
