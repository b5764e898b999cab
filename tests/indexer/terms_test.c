/* urb_terms_index: a report to a Xapian document, by schema.h. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "urbis/schema.h"
#include "urbis/terms.h"

typedef struct find {
    const char *term;
    size_t len;
    long wdf;
} find_t;

static int on_term(void *ctx, const char *term, size_t len, uint32_t wdf)
{
    find_t *f = ctx;
    if (len == f->len && memcmp(term, f->term, len) == 0) {
        f->wdf = wdf;
        return 1;
    }
    return 0;
}

/* The term's wdf in doc, or -1 when doc lacks it. */
static long wdf(urb_xdoc_t *doc, const char *term)
{
    find_t f = {term, strlen(term), -1};
    urb_xdoc_termlist(doc, on_term, &f);
    return f.wdf;
}

static bool value_is(urb_xdoc_t *doc, unsigned slot, const char *want,
                     size_t wl)
{
    const char *v;
    size_t n;
    return urb_xdoc_get_value(doc, slot, &v, &n) == URB_X_OK && n == wl &&
           memcmp(v, want, n) == 0;
}

#define S(lit) {lit, sizeof lit - 1}

/* Title, one heading, two body parts. */
static const char body[] = "Housing for refugees in València. 2023\n\n"
                           "Local integration works.";
static urb_report_t report(void)
{
    urb_report_t r = {
        .id = S("es/housing-en"),
        .title = S("Refugee housing"),
        .city = S("València"),
        .country = S("ES"),
        .lang = S("en"),
        .path = S("es/housing-en.md"),
        .text = {body, sizeof body - 1},
        .year = 2023,
        .n_networks = 2,
        .networks = {S("Eurocities"), S("Intercultural Cities")},
        .n_sections = 1,
    };
    r.sections[0].heading = (urb_str_t)S("Integration");
    r.sections[0].offset = (size_t)(strstr(body, "Local") - body);
    return r;
}

static void words_and_fields(void)
{
    urb_terms_t *t = urb_terms_new();
    urb_xdoc_t *doc = urb_xdoc_new();
    urb_report_t r = report();
    CHECK(t && doc);
    CHECK(urb_terms_index(&r, t, doc) == 0);
    /* Title words: their body occurrence plus the title's extra weight. */
    CHECK(wdf(doc, "housing") == 1 + URB_WDF_TITLE + 1);
    CHECK(wdf(doc, "Shousing") == 1);
    CHECK(wdf(doc, "Srefugee") == 1);
    CHECK(wdf(doc, "integration") == 1 + URB_WDF_HEADING + 1);
    CHECK(wdf(doc, "Hintegration") == 1);
    CHECK(wdf(doc, "Hlocal") == -1);
    CHECK(wdf(doc, "valencia") == 1);
    CHECK(wdf(doc, "2023") == 1);
    /* Stems in the report's language, no stems of numbers. */
    CHECK(wdf(doc, "ZENhous") == 1 + URB_WDF_TITLE + 1);
    CHECK(wdf(doc, "ZENrefuge") == 1 + URB_WDF_TITLE + 1);
    CHECK(wdf(doc, "ZEN2023") == -1);
    /* Written forms keep diacritics, weigh one, skip one-letter words. */
    CHECK(wdf(doc, "Wvalencia\x1fvalència") == 1);
    CHECK(wdf(doc, "Whousing\x1fhousing") == -1); /* same as folded */
    /* Filters. */
    CHECK(wdf(doc, "Qes/housing-en") == 0);
    CHECK(wdf(doc, "XLen") == 0);
    CHECK(wdf(doc, "XKes") == 0);
    CHECK(wdf(doc, "XCvalencia") == 0);
    CHECK(wdf(doc, "XNeurocities") == 0);
    CHECK(wdf(doc, "XNintercultural cities") == 0);
    CHECK(wdf(doc, "XY2023") == 0);
    CHECK(wdf(doc, "XSintegration") == 0);
    /* Values. */
    char y[9], ny[9];
    size_t yl = urb_xsortable(2023, y), nyl = urb_xsortable(-2023, ny);
    CHECK(value_is(doc, URB_SLOT_YEAR, y, yl));
    CHECK(value_is(doc, URB_SLOT_YEAR_NEG, ny, nyl));
    CHECK(value_is(doc, URB_SLOT_YEARSTR, "2023", 4));
    CHECK(value_is(doc, URB_SLOT_LANG, "en", 2));
    CHECK(value_is(doc, URB_SLOT_COUNTRY, "ES", 2));
    CHECK(value_is(doc, URB_SLOT_CITY, "València", strlen("València")));
    CHECK(value_is(doc, URB_SLOT_NETWORKS, "Eurocities\x1fIntercultural Cities",
                   strlen("Eurocities\x1fIntercultural Cities")));
    /* The stored report. */
    const char *data;
    size_t dl;
    urb_report_t back;
    CHECK(urb_xdoc_get_data(doc, &data, &dl) == URB_X_OK);
    CHECK(urb_report_decode(data, dl, &back) == 0);
    CHECK(back.text.n == r.text.n && back.year == 2023);
    CHECK(back.n_sections == 1 && back.sections[0].offset == r.sections[0].offset);
    urb_xdoc_free(doc);
    urb_terms_free(t);
}

static void languages(void)
{
    urb_terms_t *t = urb_terms_new();
    urb_report_t r = {.id = S("x"), .text = S("Refugees arrive. 東京都")};
    urb_xdoc_t *doc = urb_xdoc_new();
    /* No language: no stems, no language filter. */
    CHECK(urb_terms_index(&r, t, doc) == 0);
    CHECK(wdf(doc, "refugees") == 1);
    CHECK(wdf(doc, "ZENrefuge") == -1);
    CHECK(wdf(doc, "XLen") == -1);
    /* Unspaced scripts: a term per character; no written form, as it
     * equals the folded one. */
    CHECK(wdf(doc, "東") == 1 && wdf(doc, "京") == 1 && wdf(doc, "都") == 1);
    CHECK(wdf(doc, "W東\x1f東") == -1);
    urb_xdoc_free(doc);
    /* A language without a stemmer; then Spanish in the same context. */
    r.lang = (urb_str_t)S("zz");
    doc = urb_xdoc_new();
    CHECK(urb_terms_index(&r, t, doc) == 0);
    CHECK(wdf(doc, "XLzz") == 0);
    urb_xdoc_free(doc);
    r.lang = (urb_str_t)S("es");
    r.text = (urb_str_t)S("Los refugiados llegan.");
    doc = urb_xdoc_new();
    CHECK(urb_terms_index(&r, t, doc) == 0);
    CHECK(wdf(doc, "ZESrefugi") == 1);
    urb_xdoc_free(doc);
    urb_terms_free(t);
}

static void limits(void)
{
    urb_terms_t *t = urb_terms_new();
    urb_xdoc_t *doc = urb_xdoc_new();
    char id[300];
    memset(id, 'a', sizeof id);
    urb_report_t r = {.id = {id, sizeof id}, .text = S("Text.")};
    CHECK(urb_terms_index(&r, t, doc) < 0);
    CHECK(strstr(urb_terms_errmsg(t), "id too long") != NULL);
    urb_xdoc_free(doc);
    /* A section past the end of the text breaks the report's limits. */
    doc = urb_xdoc_new();
    r = (urb_report_t){.id = S("y"), .text = S("Text."), .n_sections = 1};
    r.sections[0] = (urb_section_t){.heading = S("H"), .offset = 99};
    CHECK(urb_terms_index(&r, t, doc) < 0);
    urb_xdoc_free(doc);
    urb_terms_free(t);
}

/* In a real database: phrases hold inside a part but not across the
 * heading and its body; spelling learns the folded words. */
static uint32_t count(urb_xdb_t *db, const char *a, const char *b)
{
    urb_xquery_t *sub[2] = {urb_xquery_term(a, strlen(a), 1, 1),
                            urb_xquery_term(b, strlen(b), 1, 2)};
    urb_xquery_t *q = urb_xquery_combine(URB_XOP_PHRASE, sub, 2, 0);
    urb_xenq_t *enq = NULL;
    urb_xmset_t *ms = NULL;
    uint32_t n = 0;
    if (urb_xenq_new(db, &enq) == URB_X_OK &&
        urb_xenq_set_query(enq, q) == URB_X_OK &&
        urb_xenq_mset(enq, 0, 10, 10, &ms) == URB_X_OK)
        n = urb_xmset_size(ms);
    urb_xmset_free(ms);
    urb_xenq_free(enq);
    urb_xquery_free(q);
    urb_xquery_free(sub[0]);
    urb_xquery_free(sub[1]);
    return n;
}

static void database(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = NULL;
    CHECK(urb_xdb_open(dir, URB_XDB_CREATE_OR_OVERWRITE, &db, NULL) ==
          URB_X_OK);
    urb_terms_t *t = urb_terms_new();
    urb_xdoc_t *doc = urb_xdoc_new();
    urb_report_t r = report();
    CHECK(urb_terms_index(&r, t, doc) == 0);
    CHECK(urb_xdb_replace_by_term(db, "Qes/housing-en", 14, doc, NULL) ==
          URB_X_OK);
    urb_spell_t *sp = urb_spell_new();
    CHECK(sp && urb_spell_collect(sp, doc) == 0);
    CHECK(urb_spell_collect(sp, doc) == 0);
    CHECK(urb_spell_write(sp, db) == URB_X_OK);
    urb_spell_free(sp);
    CHECK(urb_xdb_commit(db) == URB_X_OK);
    CHECK(count(db, "local", "integration") == 1);
    CHECK(count(db, "refugee", "housing") == 1);
    CHECK(count(db, "integration", "local") == 0);   /* heading | body */
    CHECK(count(db, "housing", "housing") == 0);     /* title | body */
    CHECK(count(db, "Shousing", "Shousing") == 0);
    char *fix = NULL;
    CHECK(urb_xdb_spelling(db, "valensia", 2, &fix) == URB_X_OK);
    CHECK_STR(fix, "valencia");
    free(fix);
    fix = NULL;
    CHECK(urb_xdb_spelling(db, "integrasion", 2, &fix) == URB_X_OK);
    CHECK_STR(fix, "integration");
    free(fix);
    urb_xdoc_free(doc);
    urb_terms_free(t);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

URB_TEST_MAIN(T(words_and_fields), T(languages), T(limits), T(database))
