/* The stored form of a report: round trips, and decoding that refuses
 * anything but a whole stored report without reading past its input. */
#include "test.h"
#include "urbis/doc.h"

#include <stdint.h>

static urb_str_t S(const char *s)
{
    return (urb_str_t){s, strlen(s)};
}

static int str_eq(urb_str_t a, urb_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* True when every slice of r lies inside data[0..len). */
static int slices_inside(const urb_report_t *r, const char *data, size_t len)
{
    const urb_str_t *all[] = {&r->id, &r->title, &r->city, &r->country,
                              &r->lang, &r->source, &r->text, &r->path};
    int ok = 1;
#define INSIDE(s) \
    ok &= (s).p == NULL ? (s).n == 0 \
                        : (s).p >= data && (s).n <= len - (size_t)((s).p - data)
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        INSIDE(*all[i]);
    ok &= r->n_networks <= URB_MAX_NETWORKS && r->n_fields <= URB_MAX_FIELDS &&
          r->n_sections <= URB_MAX_SECTIONS;
    for (size_t i = 0; ok && i < r->n_networks; i++)
        INSIDE(r->networks[i]);
    for (size_t i = 0; ok && i < r->n_fields; i++) {
        INSIDE(r->field_keys[i]);
        INSIDE(r->field_values[i]);
    }
    for (size_t i = 0; ok && i < r->n_sections; i++) {
        INSIDE(r->sections[i].heading);
        ok &= r->sections[i].offset <= r->text.n;
    }
#undef INSIDE
    return ok;
}

static char names[URB_MAX_NETWORKS + URB_MAX_FIELDS * 2 + URB_MAX_SECTIONS][48];

/* A report with every field set and every list full. */
static void full_report(urb_report_t *r)
{
    static const char text[] =
        "València acull refugiats. 東京の多文化共生。 Ελληνικά; עברית; "
        "😀 emoji \x01 and a NUL \0 inside.";
    memset(r, 0, sizeof *r);
    r->id = S("valencia-ca");
    r->title = S("València: ciutat intercultural");
    r->city = S("València");
    r->country = S("ES");
    r->lang = S("ca");
    r->source = S("https://example.org/valència.pdf");
    r->text = (urb_str_t){text, sizeof text - 1};
    r->path = S("corpus/es/valencia-ca.md");
    r->year = 2023;
    size_t k = 0;
    for (size_t i = 0; i < URB_MAX_NETWORKS; i++, k++) {
        snprintf(names[k], sizeof names[k], "Réseau %zu — ネット", i);
        r->networks[r->n_networks++] = S(names[k]);
    }
    for (size_t i = 0; i < URB_MAX_FIELDS; i++, k += 2) {
        snprintf(names[k], sizeof names[k], "key_%zu", i);
        if (i % 3)
            snprintf(names[k + 1], sizeof names[k + 1], "värde %zu", i);
        r->field_keys[r->n_fields] = S(names[k]);
        r->field_values[r->n_fields++] = S(names[k + 1]);
    }
    for (size_t i = 0; i < URB_MAX_SECTIONS; i++, k++) {
        snprintf(names[k], sizeof names[k], "§%zu Розділ", i);
        r->sections[r->n_sections].heading = S(names[k]);
        r->sections[r->n_sections++].offset = i % (r->text.n + 1);
    }
}

static void check_same(const urb_report_t *a, const urb_report_t *b)
{
    CHECK(str_eq(a->id, b->id));
    CHECK(str_eq(a->title, b->title));
    CHECK(str_eq(a->city, b->city));
    CHECK(str_eq(a->country, b->country));
    CHECK(str_eq(a->lang, b->lang));
    CHECK(str_eq(a->source, b->source));
    CHECK(str_eq(a->text, b->text));
    CHECK(str_eq(a->path, b->path));
    CHECK(a->year == b->year);
    CHECK(a->n_networks == b->n_networks);
    CHECK(a->n_fields == b->n_fields);
    CHECK(a->n_sections == b->n_sections);
    for (size_t i = 0; i < a->n_networks && i < b->n_networks; i++)
        CHECK(str_eq(a->networks[i], b->networks[i]));
    for (size_t i = 0; i < a->n_fields && i < b->n_fields; i++) {
        CHECK(str_eq(a->field_keys[i], b->field_keys[i]));
        CHECK(str_eq(a->field_values[i], b->field_values[i]));
    }
    for (size_t i = 0; i < a->n_sections && i < b->n_sections; i++) {
        CHECK(str_eq(a->sections[i].heading, b->sections[i].heading));
        CHECK(a->sections[i].offset == b->sections[i].offset);
    }
}

static urb_report_t in, out;

static void round_trip_full(void)
{
    urb_buf_t buf = {0};
    full_report(&in);
    CHECK(urb_report_encode(&in, &buf) == 0);
    CHECK(urb_report_decode(buf.data, buf.len, &out) == 0);
    check_same(&in, &out);
    /* Zero-copy: the slices point into the data. */
    CHECK(out.text.p > buf.data && out.text.p < buf.data + buf.len);
    CHECK(slices_inside(&out, buf.data, buf.len));
    urb_buf_free(&buf);
}

static void absent_fields_stay_null(void)
{
    urb_buf_t buf = {0};
    memset(&in, 0, sizeof in);
    in.id = S("x");
    in.title = (urb_str_t){"", 0}; /* empty: not stored */
    CHECK(urb_report_encode(&in, &buf) == 0);
    CHECK(urb_report_decode(buf.data, buf.len, &out) == 0);
    CHECK(str_eq(out.id, S("x")));
    CHECK(out.title.p == NULL && out.title.n == 0);
    CHECK(out.text.p == NULL && out.city.p == NULL && out.path.p == NULL);
    CHECK(out.year == 0);
    CHECK(out.n_networks == 0 && out.n_fields == 0 && out.n_sections == 0);
    urb_buf_free(&buf);

    memset(&in, 0, sizeof in);
    CHECK(urb_report_encode(&in, &buf) == 0);
    CHECK(buf.len == 2);
    CHECK(urb_report_decode(buf.data, buf.len, &out) == 0);
    CHECK(out.id.p == NULL);
    urb_buf_free(&buf);
}

static void years(void)
{
    static const int ys[] = {1, -1, 1999, 2024, -44, 2147483647, -2147483647 - 1};
    for (size_t i = 0; i < sizeof ys / sizeof ys[0]; i++) {
        urb_buf_t buf = {0};
        memset(&in, 0, sizeof in);
        in.year = ys[i];
        CHECK(urb_report_encode(&in, &buf) == 0);
        CHECK(urb_report_decode(buf.data, buf.len, &out) == 0);
        CHECK(out.year == ys[i]);
        urb_buf_free(&buf);
    }
}

static void encode_appends_and_refuses_bad_reports(void)
{
    urb_buf_t buf = {0};
    CHECK(urb_buf_append(&buf, "head", 4) == 0);
    memset(&in, 0, sizeof in);
    in.id = S("a");
    CHECK(urb_report_encode(&in, &buf) == 0);
    CHECK(memcmp(buf.data, "head", 4) == 0);
    CHECK(urb_report_decode(buf.data + 4, buf.len - 4, &out) == 0);
    CHECK(str_eq(out.id, S("a")));

    size_t len = buf.len;
    in.n_networks = URB_MAX_NETWORKS + 1;
    CHECK(urb_report_encode(&in, &buf) == -1);
    in.n_networks = 0;
    in.text = S("abc");
    in.n_sections = 1;
    in.sections[0] = (urb_section_t){S("h"), 4};
    CHECK(urb_report_encode(&in, &buf) == -1);
    CHECK(buf.len == len);
    in.sections[0].offset = 3;
    CHECK(urb_report_encode(&in, &buf) == 0);
    urb_buf_free(&buf);
}

/* Every strict prefix, and the record with a byte more, is refused; each
 * copy is malloc'd to its exact size so ASan sees any read past it. */
static void truncated_is_refused(void)
{
    urb_buf_t buf = {0};
    full_report(&in);
    CHECK(urb_report_encode(&in, &buf) == 0);
    for (size_t n = 0; n < buf.len; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, buf.data, n);
        if (urb_report_decode(copy, n, &out) != -1) {
            fprintf(stderr, "prefix of %zu bytes decoded\n", n);
            CHECK(0);
        }
        free(copy);
    }
    char *longer = malloc(buf.len + 1);
    memcpy(longer, buf.data, buf.len);
    longer[buf.len] = 0;
    CHECK(urb_report_decode(longer, buf.len + 1, &out) == -1);
    CHECK(urb_report_decode(longer, buf.len, &out) == 0);
    longer[0] = 2; /* another version */
    CHECK(urb_report_decode(longer, buf.len, &out) == -1);
    free(longer);
    urb_buf_free(&buf);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void malformed_records(void)
{
    /* version, record(s), end */
    static const struct {
        const char *data;
        size_t len;
    } bad[] = {
        {"\x01\x01\x01" "a\x01\x01" "b\x00", 8},  /* id twice */
        {"\x01\x01\x00\x00", 4},                  /* empty id */
        {"\x01\x63\x01x\x00", 5},                 /* unknown tag */
        {"\x01\x01\x81\x00" "a\x00", 6},          /* padded varint */
        {"\x01\x09\x01\x00\x00", 5},              /* year 0 */
        {"\x01\x09\x02\x02\x00\x00", 6},          /* year with extra byte */
        {"\x01\x0b\x01\x05\x00", 5},              /* field key past end */
        {"\x01\x0c\x01\x01\x00", 5},              /* section past text */
        {"\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 12}, /* huge */
        {"\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 13},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *copy = malloc(bad[i].len);
        memcpy(copy, bad[i].data, bad[i].len);
        if (urb_report_decode(copy, bad[i].len, &out) != -1) {
            fprintf(stderr, "malformed record %zu decoded\n", i);
            CHECK(0);
        }
        free(copy);
    }
    /* One network too many. */
    urb_buf_t buf = {0};
    CHECK(urb_buf_append(&buf, "\x01", 1) == 0);
    for (int i = 0; i <= URB_MAX_NETWORKS; i++)
        CHECK(urb_buf_append(&buf, "\x0a\x01n", 3) == 0);
    CHECK(urb_buf_append(&buf, "\x00", 1) == 0);
    CHECK(urb_report_decode(buf.data, buf.len, &out) == -1);
    CHECK(urb_report_decode(buf.data + 3, buf.len - 3, &out) == -1);
    urb_buf_free(&buf);
}

static void random_bytes_are_refused(void)
{
    for (int i = 0; i < 20000; i++) {
        size_t n = 16 + next_rand() % 300;
        char *data = malloc(n);
        for (size_t k = 0; k < n; k++)
            data[k] = (char)next_rand();
        if (i % 2)
            data[0] = 1; /* past the version byte, into the records */
        CHECK(urb_report_decode(data, n, &out) == -1);
        free(data);
    }
}

/* A valid record with bytes changed: refused, or decoded inside bounds. */
static void mutated_records_stay_in_bounds(void)
{
    urb_buf_t buf = {0};
    full_report(&in);
    in.n_sections = 4;
    in.n_networks = 3;
    in.n_fields = 3;
    CHECK(urb_report_encode(&in, &buf) == 0);
    char *copy = malloc(buf.len);
    int decoded = 0;
    for (int i = 0; i < 50000; i++) {
        memcpy(copy, buf.data, buf.len);
        int flips = 1 + (int)(next_rand() % 4);
        for (int f = 0; f < flips; f++)
            copy[next_rand() % buf.len] = (char)next_rand();
        if (urb_report_decode(copy, buf.len, &out) == 0) {
            decoded++;
            CHECK(slices_inside(&out, copy, buf.len));
        }
    }
    /* Flips inside string bytes keep the record valid. */
    CHECK(decoded > 0);
    free(copy);
    urb_buf_free(&buf);
}

URB_TEST_MAIN(T(round_trip_full), T(absent_fields_stay_null), T(years),
              T(encode_appends_and_refuses_bad_reports),
              T(truncated_is_refused), T(malformed_records),
              T(random_bytes_are_refused), T(mutated_records_stay_in_bounds))
