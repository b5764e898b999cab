/* reader_check.h — the reader targets' common check: a file's bytes taken
 * as the indexer's worker takes them (urb_read, the language guessed when
 * the file declares none, urb_terms_index), with one urb_rdoc_t and one
 * terms context reused from input to input as a worker reuses its own.
 *
 * A report a reader returns must be one the rest of the indexer can take:
 * its strings valid UTF-8 (the tokenizer requires it), sections in order
 * and on character boundaries inside the text, doc.h's limits kept, its
 * stored form decoding to itself, and urb_terms_index accepting it. */
#ifndef URBIS_FUZZ_READER_CHECK_H
#define URBIS_FUZZ_READER_CHECK_H

#include "fuzz.h"
#include "reader.h"
#include "urbis/lang.h"
#include "urbis/terms.h"

static bool rc_utf8(urb_str_t s)
{
    return s.n == 0 || fz_utf8_valid(s.p, s.n, NULL);
}

static bool rc_boundary(urb_str_t text, size_t off)
{
    return off == text.n || ((unsigned char)text.p[off] & 0xC0) != 0x80;
}

static bool rc_eq(urb_str_t a, urb_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

#define RC_SCALARS 8

static void rc_scalars(const urb_report_t *r, const urb_str_t *s[RC_SCALARS])
{
    const urb_str_t *all[RC_SCALARS] = {&r->id,   &r->title,  &r->city,
                                        &r->country, &r->lang, &r->source,
                                        &r->text, &r->path};
    memcpy(s, all, sizeof all);
}

static void rc_check_report(const urb_report_t *r, const char *rel)
{
    const urb_str_t *scalars[RC_SCALARS], *stored[RC_SCALARS];
    rc_scalars(r, scalars);
    for (size_t i = 0; i < RC_SCALARS; i++)
        FZ_CHECK(rc_utf8(*scalars[i]));
    FZ_CHECK(r->id.n > 0 && r->title.n + r->text.n > 0);
    FZ_CHECK(r->path.n == strlen(rel) && memcmp(r->path.p, rel, r->path.n) == 0);
    FZ_CHECK(r->n_networks <= URB_MAX_NETWORKS);
    FZ_CHECK(r->n_fields <= URB_MAX_FIELDS);
    FZ_CHECK(r->n_sections <= URB_MAX_SECTIONS);
    for (size_t i = 0; i < r->n_networks; i++)
        FZ_CHECK(r->networks[i].n > 0 && rc_utf8(r->networks[i]));
    for (size_t i = 0; i < r->n_fields; i++)
        FZ_CHECK(rc_utf8(r->field_keys[i]) && rc_utf8(r->field_values[i]));
    for (size_t i = 0; i < r->n_sections; i++) {
        const urb_section_t *s = &r->sections[i];
        FZ_CHECK(s->heading.n > 0 && rc_utf8(s->heading));
        FZ_CHECK(s->offset <= r->text.n && rc_boundary(r->text, s->offset));
        FZ_CHECK(i == 0 || r->sections[i - 1].offset <= s->offset);
    }

    /* The stored form reads back as the report. */
    urb_buf_t data = {0};
    urb_report_t back;
    FZ_CHECK(urb_report_encode(r, &data) == 0);
    FZ_CHECK(urb_report_decode(data.data, data.len, &back) == 0);
    rc_scalars(&back, stored);
    for (size_t i = 0; i < RC_SCALARS; i++)
        FZ_CHECK(rc_eq(*scalars[i], *stored[i]));
    FZ_CHECK(back.year == r->year && back.n_sections == r->n_sections);
    urb_buf_free(&data);
}

/* Reads data[0..size) as the file rel with reader rd and indexes it. */
static void rc_read_and_index(const urb_reader_t *rd, const char *rel,
                              const uint8_t *data, size_t size)
{
    static urb_rdoc_t d;
    static urb_terms_t *terms;
    if (!terms)
        FZ_CHECK((terms = urb_terms_new()));
    if (urb_read(&d, rd, rel, (const char *)data, size) < 0) {
        FZ_CHECK(d.error[0]);
        return;
    }
    rc_check_report(&d.r, rel);
    if (!d.r.lang.n) {
        const urb_str_t *t = d.r.text.n ? &d.r.text : &d.r.title;
        const char *code = urb_lang_detect(t->p, t->n, NULL, NULL);
        if (code)
            d.r.lang = (urb_str_t){code, strlen(code)};
    }
    urb_xdoc_t *doc = urb_xdoc_new();
    FZ_CHECK(doc);
    if (urb_terms_index(&d.r, terms, doc) < 0) {
        /* The one refusal a file may earn: an id Xapian cannot hold. */
        const char *why = urb_terms_errmsg(terms);
        fprintf(stderr, "urb_terms_index: %s\n", why);
        FZ_CHECK(strncmp(why, "id too long", 11) == 0);
    }
    urb_xdoc_free(doc);
}

#endif
