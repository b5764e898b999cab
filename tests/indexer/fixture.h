/* fixture.h — what the indexer tests share: writing corpus files (PDFs
 * too), running urbis-index as a process, looking into the index. */
#ifndef URBIS_TEST_INDEXER_FIXTURE_H
#define URBIS_TEST_INDEXER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "urbis/xapian.h"

/* Writes dir/rel, making its folders; exits the test on failure. */
void ix_write(const char *dir, const char *rel, const char *data, size_t len);
void ix_writes(const char *dir, const char *rel, const char *text);
/* "dir/rel", malloc'd. */
char *ix_path(const char *dir, const char *rel);

/* A PDF 1.4 file, one page per text (ASCII, lines split on '\n') in the
 * standard Helvetica font, so no font need be installed: 11 pt, or 18 pt
 * for a line starting "# " (which is not written). With a Title in its
 * metadata when title is not NULL. Returns malloc'd bytes. */
char *ix_pdf(const char *title, const char *const *pages, size_t n,
             size_t *len);

/* Runs urbis-index with the given arguments (NULL-terminated), its
 * output captured in *out and *err (malloc'd; pass NULL to drop). Returns
 * the exit status, or -1 when it did not exit (killed, or still running
 * after 60 s). */
int ix_run(const char *const *args, char **out, char **err);
/* Starts urbis-index with its output dropped; returns the pid. */
pid_t ix_spawn(const char *const *args);

/* The current generation of index opened read-only, or NULL. */
urb_xdb_t *ix_open(const char *index);
/* Its document count, or -1 when it does not open. */
long ix_doccount(const char *index);
bool ix_has_term(urb_xdb_t *db, const char *term);
/* The value of a "key":number pair in a one-line JSON object, or -1. */
long ix_json_num(const char *json, const char *key);

#endif
