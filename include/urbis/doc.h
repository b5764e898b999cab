/* doc.h — the report: what a reader extracts and what the index stores.
 *
 * A report is a set of slices (pointer + length) into memory someone else
 * owns: the reader's arena while indexing, a Xapian document's data while
 * serving. It owns nothing and needs no freeing. A field the report lacks
 * is {NULL, 0}.
 */
#ifndef URBIS_DOC_H
#define URBIS_DOC_H

#include <stddef.h>
#include "urbis/text.h"

typedef struct urb_str {
    const char *p;
    size_t n;
} urb_str_t;

#define URB_MAX_NETWORKS 32
#define URB_MAX_FIELDS 32
#define URB_MAX_SECTIONS 128

typedef struct urb_section {
    urb_str_t heading;  /* display text of the heading */
    size_t offset;      /* where its body starts in `text` */
} urb_section_t;

typedef struct urb_report {
    urb_str_t id, title, city, country, lang, source, text, path;
    int year;           /* 0: none */
    size_t n_networks, n_fields, n_sections;
    urb_str_t networks[URB_MAX_NETWORKS];
    urb_str_t field_keys[URB_MAX_FIELDS], field_values[URB_MAX_FIELDS];
    urb_section_t sections[URB_MAX_SECTIONS];
} urb_report_t;

/* Stored form (document data): a version byte, then one record per
 * present value — a tag byte, a varint length, the bytes — and an end tag.
 * Empty scalar fields are not stored; networks, fields and sections are
 * stored in order, empty or not.
 *
 * Appends to `out`. 0, or -1 on OOM or when the report breaks its own
 * limits (counts past the maxima, a section offset past the text); on -1
 * `out` is left as it was. */
int urb_report_encode(const urb_report_t *r, urb_buf_t *out);
/* Decodes data[0..len) into *r, whose slices point into data (valid while
 * data is). 0, or -1 when the data is not a whole stored report: any
 * truncation, trailing bytes, unknown tag or broken limit. Reads nothing
 * outside data[0..len); the strings are returned as stored (the encoder
 * does not check their UTF-8). */
int urb_report_decode(const char *data, size_t len, urb_report_t *r);

#endif
