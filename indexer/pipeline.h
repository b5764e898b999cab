/* pipeline.h — the two passes over the files a run must read.
 *
 * Scan: `jobs` threads read each new or changed file and hash it. A file
 * whose bytes match the previous generation's is unchanged after all;
 * otherwise, when its kind can name its own id or language, it is parsed
 * to learn them (ids decide conflicts and the declared languages steer
 * identification, both before anything is indexed).
 *
 * Index: `jobs` threads read, parse, identify the language and build a
 * Xapian document for each file to index, each with its own tokenizer,
 * stemmers and spelling counts. Either they hand documents through a
 * bounded queue to one writer thread, the only one touching the database
 * (incremental runs: documents replace their old versions), or each
 * writes its own partial database, for the caller to merge by compaction
 * (full runs: Xapian's write path is most of a run's work, and one
 * writer is one core). Spelling words are counted by the workers and
 * written once each per database at the end of the pass.
 *
 * Both report failed files through the ui and set their state; the main
 * thread draws progress meanwhile.
 */
#ifndef URBIX_PIPELINE_H
#define URBIX_PIPELINE_H

#include "corpus.h"
#include "ui.h"
#include "urbis/xapian.h"

typedef struct urb_pipe {
    const char *corpus;          /* root folder */
    unsigned jobs;
    urb_ui_t *ui;
    const urb_files_t *old;      /* the previous manifest, maybe empty */
    const char *const *allowed;  /* declared languages (index), or NULL */
    urb_xdb_t *db;               /* writable (index without parts) */
    const char *parts;           /* index: a folder to create with one
                                  * database per worker, parts/0 up to
                                  * parts/(n_parts - 1); NULL: use db */
    unsigned n_parts;            /* set by urb_index */
    char err[512];               /* why a pass failed as a whole */
} urb_pipe_t;

/* Scans the files of fs in state URB_F_NEW: each becomes URB_F_UNCHANGED
 * (same bytes as before), URB_F_INDEX (id, and a declared language, set)
 * or URB_F_FAILED. 0, or -1 with p->err when no thread could start. */
int urb_scan(urb_pipe_t *p, urb_files_t *fs);

/* Indexes the files of fs in state URB_F_INDEX into p->db: each becomes
 * URB_F_DONE (lang set) or URB_F_FAILED. 0, or -1 with p->err when the
 * database could not be written (the files' states are then moot). */
int urb_index(urb_pipe_t *p, urb_files_t *fs);

#endif
