/* Fuzz target: the report's stored form (doc.h).
 *
 * First the input is stored data: urb_report_decode must read nothing
 * outside it and, when it accepts it, give a report within doc.h's limits
 * that encodes and decodes to itself. Then the input builds a report
 * (strings sliced from it, counts and offsets from its bytes, sometimes
 * past the limits): encoding must refuse exactly the broken ones, leave
 * the buffer as it was then, and otherwise decode back to the report. */
#include "fuzz.h"
#include "urbis/doc.h"

#define N_SCALARS 8

static urb_str_t *scalar(urb_report_t *r, size_t i)
{
    urb_str_t *s[N_SCALARS] = {&r->id,   &r->title,  &r->city, &r->country,
                               &r->lang, &r->source, &r->text, &r->path};
    return s[i];
}

static bool str_eq(urb_str_t a, urb_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool within(urb_str_t s, const char *p, size_t n)
{
    return s.n == 0 || (s.p >= p && s.p + s.n <= p + n);
}

/* Equal as stored: the values, not where they live. */
static void check_same(urb_report_t *a, urb_report_t *b)
{
    for (size_t i = 0; i < N_SCALARS; i++)
        FZ_CHECK(str_eq(*scalar(a, i), *scalar(b, i)));
    FZ_CHECK(a->year == b->year);
    FZ_CHECK(a->n_networks == b->n_networks);
    for (size_t i = 0; i < a->n_networks; i++)
        FZ_CHECK(str_eq(a->networks[i], b->networks[i]));
    FZ_CHECK(a->n_fields == b->n_fields);
    for (size_t i = 0; i < a->n_fields; i++) {
        FZ_CHECK(str_eq(a->field_keys[i], b->field_keys[i]));
        FZ_CHECK(str_eq(a->field_values[i], b->field_values[i]));
    }
    FZ_CHECK(a->n_sections == b->n_sections);
    for (size_t i = 0; i < a->n_sections; i++) {
        FZ_CHECK(str_eq(a->sections[i].heading, b->sections[i].heading));
        FZ_CHECK(a->sections[i].offset == b->sections[i].offset);
    }
}

/* Encodes r after some bytes already in the buffer, decodes it back. */
static void round_trip(urb_report_t *r)
{
    urb_buf_t out = {0};
    FZ_CHECK(urb_buf_append(&out, "head", 4) == 0);
    FZ_CHECK(urb_report_encode(r, &out) == 0);
    FZ_CHECK(memcmp(out.data, "head", 4) == 0);
    /* A copy of the exact size, so ASan sees a read past the end. */
    size_t n = out.len - 4;
    char *copy = malloc(n);
    FZ_CHECK(copy);
    memcpy(copy, out.data + 4, n);
    urb_report_t back;
    FZ_CHECK(urb_report_decode(copy, n, &back) == 0);
    check_same(r, &back);
    /* No prefix of stored data decodes. */
    for (size_t cut = n > 64 ? n - 64 : 0; cut < n; cut++)
        FZ_CHECK(urb_report_decode(copy, cut, &back) < 0);
    free(copy);
    urb_buf_free(&out);
}

static void decode_bytes(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    urb_report_t r;
    if (urb_report_decode(d, size, &r) < 0)
        return;
    for (size_t i = 0; i < N_SCALARS; i++)
        FZ_CHECK(within(*scalar(&r, i), d, size));
    FZ_CHECK(r.n_networks <= URB_MAX_NETWORKS);
    FZ_CHECK(r.n_fields <= URB_MAX_FIELDS);
    FZ_CHECK(r.n_sections <= URB_MAX_SECTIONS);
    for (size_t i = 0; i < r.n_networks; i++)
        FZ_CHECK(within(r.networks[i], d, size));
    for (size_t i = 0; i < r.n_fields; i++)
        FZ_CHECK(within(r.field_keys[i], d, size) &&
                 within(r.field_values[i], d, size));
    for (size_t i = 0; i < r.n_sections; i++)
        FZ_CHECK(within(r.sections[i].heading, d, size) &&
                 r.sections[i].offset <= r.text.n);
    round_trip(&r);
}

/* A report from the input; false when it breaks doc.h's limits. */
static bool build(fz_t *f, urb_report_t *r)
{
    bool ok = true;
    memset(r, 0, sizeof *r);
    uint8_t present = fz_u8(f);
    for (size_t i = 0; i < N_SCALARS; i++) {
        size_t n;
        const char *s = fz_bytes(f, 255, &n);
        /* Absent, or present but empty (which is not stored). */
        if (present & (1u << i))
            *scalar(r, i) = (urb_str_t){s, n};
    }
    r->year = (int)fz_u32(f);
    r->n_networks = fz_u8(f) % (URB_MAX_NETWORKS + 2);
    r->n_fields = fz_u8(f) % (URB_MAX_FIELDS + 2);
    r->n_sections = fz_u8(f) % (URB_MAX_SECTIONS + 2);
    ok = r->n_networks <= URB_MAX_NETWORKS && r->n_fields <= URB_MAX_FIELDS &&
         r->n_sections <= URB_MAX_SECTIONS;
    size_t n;
    for (size_t i = 0; i < r->n_networks && i < URB_MAX_NETWORKS; i++)
        r->networks[i].p = fz_bytes(f, 64, &r->networks[i].n);
    for (size_t i = 0; i < r->n_fields && i < URB_MAX_FIELDS; i++) {
        r->field_keys[i].p = fz_bytes(f, 64, &r->field_keys[i].n);
        r->field_values[i].p = fz_bytes(f, 64, &r->field_values[i].n);
    }
    for (size_t i = 0; i < r->n_sections && i < URB_MAX_SECTIONS; i++) {
        r->sections[i].heading.p = fz_bytes(f, 64, &n);
        r->sections[i].heading.n = n;
        /* Mostly inside the text, now and then past it. */
        uint8_t o = fz_u8(f);
        r->sections[i].offset = o == 255 ? r->text.n + 1 + fz_u8(f)
                                : r->text.n ? o % (r->text.n + 1) : 0;
        ok = ok && r->sections[i].offset <= r->text.n;
    }
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_bytes(data, size);

    fz_t f = {data, size};
    urb_report_t r;
    bool ok = build(&f, &r);
    urb_buf_t out = {0};
    FZ_CHECK(urb_buf_append(&out, "kept", 4) == 0);
    int rc = urb_report_encode(&r, &out);
    FZ_CHECK(rc == (ok ? 0 : -1));
    if (!ok)
        FZ_CHECK(out.len == 4 && memcmp(out.data, "kept", 4) == 0);
    else
        round_trip(&r);
    urb_buf_free(&out);
    return 0;
}
