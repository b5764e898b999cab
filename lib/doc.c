/* doc.c — the stored form of a report (doc.h).
 *
 * Layout: a version byte, records, an end tag. A record is a tag byte, a
 * LEB128 varint length and that many bytes. The end tag is required and
 * must be the last byte, so no prefix of a stored report decodes: a
 * truncated document data is an error, never a report with fields missing.
 * A new layout gets a new version byte (and a reindex), so unknown tags
 * are errors too.
 */
#include "urbis/doc.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DOC_VERSION 1

enum {
    TAG_END = 0,
    TAG_ID, TAG_TITLE, TAG_CITY, TAG_COUNTRY, TAG_LANG, TAG_SOURCE, TAG_TEXT,
    TAG_PATH,
    TAG_YEAR,    /* zigzag varint */
    TAG_NETWORK, /* the name */
    TAG_FIELD,   /* varint key length, key, value */
    TAG_SECTION  /* varint offset into text, heading */
};

static const struct {
    unsigned char tag;
    size_t off;
} scalars[] = {
    {TAG_ID, offsetof(urb_report_t, id)},
    {TAG_TITLE, offsetof(urb_report_t, title)},
    {TAG_CITY, offsetof(urb_report_t, city)},
    {TAG_COUNTRY, offsetof(urb_report_t, country)},
    {TAG_LANG, offsetof(urb_report_t, lang)},
    {TAG_SOURCE, offsetof(urb_report_t, source)},
    {TAG_TEXT, offsetof(urb_report_t, text)},
    {TAG_PATH, offsetof(urb_report_t, path)},
};
#define N_SCALARS (sizeof scalars / sizeof scalars[0])

static const urb_str_t *scalar(const urb_report_t *r, size_t i)
{
    return (const urb_str_t *)((const char *)r + scalars[i].off);
}

/* ---- Encoding ----------------------------------------------------------- */

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >>= 7)
        n++;
    return n;
}

static char *put_varint(char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (char)(0x80 | (v & 0x7f));
        v >>= 7;
    }
    *p++ = (char)v;
    return p;
}

static char *put_bytes(char *p, urb_str_t s)
{
    if (s.n)
        memcpy(p, s.p, s.n);
    return p + s.n;
}

/* One record: the tag, the length, an optional leading varint, then the
 * bytes of a and b. Reserves the whole record at once. */
static int put_record(urb_buf_t *out, unsigned tag, const uint64_t *lead,
                      urb_str_t a, urb_str_t b)
{
    size_t body = (lead ? varint_len(*lead) : 0) + a.n + b.n;
    if (urb_buf_reserve(out, 1 + varint_len(body) + body) < 0)
        return -1;
    char *p = out->data + out->len;
    *p++ = (char)tag;
    p = put_varint(p, body);
    if (lead)
        p = put_varint(p, *lead);
    p = put_bytes(p, a);
    p = put_bytes(p, b);
    out->len = (size_t)(p - out->data);
    return 0;
}

static uint64_t zigzag(int v)
{
    return v >= 0 ? (uint64_t)v << 1 : (((uint64_t)-(int64_t)v) << 1) - 1;
}

static int encode(const urb_report_t *r, urb_buf_t *out)
{
    static const urb_str_t none = {NULL, 0};
    char version = DOC_VERSION;
    if (urb_buf_append(out, &version, 1) < 0)
        return -1;
    for (size_t i = 0; i < N_SCALARS; i++) {
        urb_str_t s = *scalar(r, i);
        if (s.n && put_record(out, scalars[i].tag, NULL, s, none) < 0)
            return -1;
    }
    if (r->year) {
        uint64_t zz = zigzag(r->year);
        if (put_record(out, TAG_YEAR, &zz, none, none) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->n_networks; i++)
        if (put_record(out, TAG_NETWORK, NULL, r->networks[i], none) < 0)
            return -1;
    for (size_t i = 0; i < r->n_fields; i++) {
        uint64_t klen = r->field_keys[i].n;
        if (put_record(out, TAG_FIELD, &klen, r->field_keys[i],
                       r->field_values[i]) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->n_sections; i++) {
        uint64_t off = r->sections[i].offset;
        if (put_record(out, TAG_SECTION, &off, r->sections[i].heading,
                       none) < 0)
            return -1;
    }
    char end = TAG_END;
    return urb_buf_append(out, &end, 1);
}

int urb_report_encode(const urb_report_t *r, urb_buf_t *out)
{
    if (r->n_networks > URB_MAX_NETWORKS || r->n_fields > URB_MAX_FIELDS ||
        r->n_sections > URB_MAX_SECTIONS)
        return -1;
    for (size_t i = 0; i < r->n_sections; i++)
        if (r->sections[i].offset > r->text.n)
            return -1;
    size_t mark = out->len;
    if (encode(r, out) < 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}

/* ---- Decoding ----------------------------------------------------------- */

/* A canonical LEB128 varint from [*p, end): no overflow, no padding. */
static int get_varint(const unsigned char **p, const unsigned char *end,
                      uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*p == end)
            return -1;
        unsigned c = *(*p)++;
        if (shift == 63 && c > 1)
            return -1;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return c == 0 && shift > 0 ? -1 : (*v = x, 0);
    }
    return -1;
}

static int get_year(const unsigned char *p, const unsigned char *end,
                    int *year)
{
    uint64_t zz;
    if (*year || get_varint(&p, end, &zz) < 0 || p != end)
        return -1;
    int64_t v = zz & 1 ? -(int64_t)(zz >> 1) - 1 : (int64_t)(zz >> 1);
    if (v == 0 || v < INT_MIN || v > INT_MAX)
        return -1;
    *year = (int)v;
    return 0;
}

/* The leading varint of a record and the bytes after it. */
static int get_lead(const unsigned char *p, const unsigned char *end,
                    uint64_t *lead, urb_str_t *rest)
{
    if (get_varint(&p, end, lead) < 0)
        return -1;
    rest->p = (const char *)p;
    rest->n = (size_t)(end - p);
    return 0;
}

static int decode_record(urb_report_t *r, unsigned tag, urb_str_t s)
{
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
    uint64_t lead;
    urb_str_t rest;

    for (size_t i = 0; i < N_SCALARS; i++) {
        if (scalars[i].tag != tag)
            continue;
        urb_str_t *f = (urb_str_t *)((char *)r + scalars[i].off);
        if (f->p || s.n == 0)
            return -1;
        *f = s;
        return 0;
    }
    switch (tag) {
    case TAG_YEAR:
        return get_year(p, end, &r->year);
    case TAG_NETWORK:
        if (r->n_networks == URB_MAX_NETWORKS)
            return -1;
        r->networks[r->n_networks++] = s;
        return 0;
    case TAG_FIELD:
        if (r->n_fields == URB_MAX_FIELDS || get_lead(p, end, &lead, &rest) < 0 ||
            lead > rest.n)
            return -1;
        r->field_keys[r->n_fields] = (urb_str_t){rest.p, (size_t)lead};
        r->field_values[r->n_fields++] =
            (urb_str_t){rest.p + lead, rest.n - (size_t)lead};
        return 0;
    case TAG_SECTION:
        if (r->n_sections == URB_MAX_SECTIONS ||
            get_lead(p, end, &lead, &rest) < 0)
            return -1;
        r->sections[r->n_sections++] =
            (urb_section_t){.heading = rest, .offset = (size_t)lead};
        return 0;
    default:
        return -1;
    }
}

int urb_report_decode(const char *data, size_t len, urb_report_t *r)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;
    memset(r, 0, sizeof *r);
    if (len == 0 || *p++ != DOC_VERSION)
        return -1;
    for (;;) {
        if (p == end)
            return -1;
        unsigned tag = *p++;
        if (tag == TAG_END)
            break;
        uint64_t n;
        if (get_varint(&p, end, &n) < 0 || n > (uint64_t)(end - p))
            return -1;
        urb_str_t s = {(const char *)p, (size_t)n};
        p += n;
        if (decode_record(r, tag, s) < 0)
            return -1;
    }
    if (p != end)
        return -1;
    for (size_t i = 0; i < r->n_sections; i++)
        if (r->sections[i].offset > r->text.n)
            return -1;
    return 0;
}
