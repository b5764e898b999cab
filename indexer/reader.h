/* reader.h — one corpus file to a report (corpus.md).
 *
 * A reader parses a file's bytes into an urb_rdoc_t: the report and the
 * memory its slices point into. One urb_rdoc_t per thread, reused from
 * file to file: urb_read() resets it, urb_rdoc_free() frees what it holds.
 * The report is valid until the next urb_read() or urb_rdoc_free().
 */
#ifndef URBIX_READER_H
#define URBIX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "urbis/doc.h"

typedef struct urb_rblock urb_rblock_t;

typedef struct urb_rdoc {
    urb_report_t r;
    urb_buf_t text;          /* the body text being built; r.text */
    char *decoded;           /* the file as UTF-8, when it was converted */
    urb_rblock_t *arena;     /* copies made while parsing */
    bool heading_overflow;   /* past URB_MAX_SECTIONS, said once */
    char warning[256];       /* "" or what was odd about the file */
    char error[256];         /* why urb_read() failed */
} urb_rdoc_t;

struct urb_reader {
    const char *name;
    /* The file can name its own id or language (front matter, <html
     * lang>), so the first pass of a run must parse it. */
    bool declares;
    /* Fills d from data[0..len): 0, or -1 with d->error set. */
    int (*read)(urb_rdoc_t *d, const char *data, size_t len);
};

/* The reader for a path, by its extension (case ignored); NULL for a kind
 * no reader knows. */
const urb_reader_t *urb_reader_for(const char *path);

/* Parses the file at rel (its path below the corpus root) whose bytes are
 * data[0..len). The report's path is rel; its id, unless the file names
 * one, is rel without its extension. 0, or -1 with d->error. */
int urb_read(urb_rdoc_t *d, const urb_reader_t *rd, const char *rel,
             const char *data, size_t len);
void urb_rdoc_free(urb_rdoc_t *d);

/* The length of the id a file at rel gets when it names none: rel without
 * its extension. */
size_t urb_default_id_len(const char *rel);

/* Reads the regular file at path into out (replacing its contents) with
 * its size and mtime (ns) as read. 0, or a positive errno, URB_ENOTREG
 * for something that is no regular file, EFBIG past URB_FILE_MAX. Never
 * blocks on a FIFO. */
#define URB_FILE_MAX ((size_t)512 << 20)
int urb_slurp(const char *path, urb_buf_t *out, uint64_t *size,
              int64_t *mtime);

/* Why a file could not be read, from urb_slurp's or stat's error, into
 * buf[0..n) (thread-safe); returns buf. */
const char *urb_read_error(int err, char *buf, size_t n);

/* ---- For readers -------------------------------------------------------- */

/* The file as valid UTF-8 in *s, *n (a byte-order mark dropped): the bytes
 * themselves, or their Windows-1252 reading with a warning when they are
 * not UTF-8. -1 with d->error when the file looks binary or on OOM. */
int urb_rdoc_decode(urb_rdoc_t *d, const char *data, size_t len,
                    const char **s, size_t *n);
/* A NUL-terminated copy of s[0..n) owned by d; NULL on OOM. */
char *urb_rdoc_dup(urb_rdoc_t *d, const char *s, size_t n);
/* Sets a front-matter or meta field; the key and value must live as long
 * as the report (in the decoded file or d's arena). Unknown keys are kept
 * as fields. -1 on OOM. */
int urb_rdoc_field(urb_rdoc_t *d, urb_str_t key, urb_str_t value);
/* Appends body text. */
int urb_rdoc_text(urb_rdoc_t *d, const char *s, size_t n);
/* Ends a paragraph: the next text starts after a blank line. */
int urb_rdoc_para(urb_rdoc_t *d);
/* A heading (trimmed here; it must live as long as the report). Before
 * any text, it is the title when the report has none yet, and dropped
 * when it repeats the title; otherwise it starts a section. */
int urb_rdoc_heading(urb_rdoc_t *d, const char *s, size_t n);
/* Whether the report has body text or sections yet. */
bool urb_rdoc_started(const urb_rdoc_t *d);
/* Appends to d->warning ("; "-separated). */
void urb_rdoc_warn(urb_rdoc_t *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets d->error; returns -1. */
int urb_rdoc_fail(urb_rdoc_t *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Trims s[0..*n) of ASCII white space in place of the slice. */
void urb_trim(const char **s, size_t *n);

extern const urb_reader_t urb_reader_markdown, urb_reader_text,
    urb_reader_html, urb_reader_pdf;

#endif
