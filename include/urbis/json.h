/* json.h — a small JSON writer for reply lines (RFC 8259, one line).
 *
 * The writer appends to a urb_buf_t the caller owns; it allocates nothing
 * but that buffer's growth. Commas and colons are placed by a stack of
 * open containers, so a reply reads as a walk of its fields:
 *
 *     urb_json_t j;
 *     urb_json_init(&j, &buf);
 *     urb_json_obj_begin(&j);
 *     urb_json_key(&j, "pong"); urb_json_bool(&j, true);
 *     urb_json_obj_end(&j);
 *     if (urb_json_finish(&j) < 0) ... OOM or misuse
 *
 * Strings always come out valid UTF-8 on one line: " \ and U+0000..U+001F
 * are escaped (\n \t \r \b \f, else \u00XX), as are U+2028 and U+2029 so
 * the line is also valid JavaScript; other non-ASCII text stays raw UTF-8;
 * each maximal invalid UTF-8 subpart becomes U+FFFD.
 *
 * Misuse (a value where a key is due, a key outside an object, closing
 * the wrong container, nesting past URB_JSON_MAX_DEPTH, a second
 * top-level value) and OOM set `failed`; later calls do nothing and the
 * output must be discarded.
 */
#ifndef URBIS_JSON_H
#define URBIS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "urbis/text.h"

#define URB_JSON_MAX_DEPTH 32

typedef struct urb_json {
    urb_buf_t *out;  /* the caller's */
    unsigned depth;
    bool failed;
    bool after_key;  /* a key was written; its value is due */
    bool done;       /* the top-level value is complete */
    unsigned char stack[URB_JSON_MAX_DEPTH]; /* per open container */
} urb_json_t;

/* A byte range [start, end) of a snippet's text to highlight. */
typedef struct urb_mark {
    size_t start, end;
} urb_mark_t;

/* Starts writing one JSON value at the end of `out`. */
void urb_json_init(urb_json_t *j, urb_buf_t *out);
/* 0 when exactly one complete value was written, else -1. */
int urb_json_finish(const urb_json_t *j);

void urb_json_obj_begin(urb_json_t *j);
void urb_json_obj_end(urb_json_t *j);
void urb_json_arr_begin(urb_json_t *j);
void urb_json_arr_end(urb_json_t *j);

/* An object key: NUL-terminated, or s[0..n). */
void urb_json_key(urb_json_t *j, const char *key);
void urb_json_keyn(urb_json_t *j, const char *s, size_t n);

void urb_json_str(urb_json_t *j, const char *s, size_t n);
void urb_json_int(urb_json_t *j, int64_t v);
void urb_json_uint(urb_json_t *j, uint64_t v);
/* A finite number with `digits` significant digits (%.*g), or with
 * digits <= 0 the shortest form that reads back as the same double.
 * NaN and infinities are written as null. */
void urb_json_double(urb_json_t *j, double v, int digits);
void urb_json_bool(urb_json_t *j, bool v);
void urb_json_null(urb_json_t *j);
/* Splices raw[0..n), which must be one valid JSON value, as a value. */
void urb_json_verbatim(urb_json_t *j, const char *raw, size_t n);

/* A string safe to insert into HTML: < > & " of s[0..n) become &lt; &gt;
 * &amp; &quot;, and each mark's range is wrapped in raw <b>...</b>.
 * Marks must be sorted and not overlap; a mark that starts before the
 * previous one ends, or is empty, is skipped, and ends are clipped to n.
 * Marks should fall on character boundaries (a split character comes
 * out as U+FFFD). */
void urb_json_html(urb_json_t *j, const char *s, size_t n,
                   const urb_mark_t *marks, size_t n_marks);

#endif
