/* The database half of the Xapian wrapper: writing, reading, metadata,
 * spelling, synonyms, transactions, reopen, shards, compaction. */
#include "fixture.h"

#include "test.h"

#include <stdlib.h>

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        exit(2);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static const char *doc_data(urb_xdb_t *db, uint32_t docid)
{
    static char buf[64];
    urb_xdoc_t *doc;
    const char *data;
    size_t len;
    if (urb_xdb_get_document(db, docid, &doc) != URB_X_OK)
        return "error";
    if (urb_xdoc_get_data(doc, &data, &len) == URB_X_OK)
        snprintf(buf, sizeof buf, "%.*s", (int)len, data);
    else
        snprintf(buf, sizeof buf, "error: %s", urb_xdoc_errmsg(doc));
    urb_xdoc_free(doc);
    return buf;
}

static uint32_t doccount(urb_xdb_t *db)
{
    urb_xdb_stats_t st;
    return urb_xdb_stats(db, &st) == URB_X_OK ? st.doccount : 9999;
}

static void write_and_read(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_build(dir);
    urb_xdb_stats_t st;
    CHECK(urb_xdb_stats(db, &st) == URB_X_OK);
    CHECK(st.doccount == 6);
    CHECK(st.lastdocid == 6);
    /* The length is the sum of wdfs: 5+5+5+4+6+3 words, each document's
     * title term, the two Zrefuge stems; boolean terms count nothing. */
    CHECK(st.total_length == 28 + 6 + 2);
    CHECK(st.avlength == 6.0);
    CHECK(st.has_positions);

    uint32_t freq = 0, docid = 0;
    uint64_t cfreq = 0;
    CHECK(urb_xdb_termfreq(db, "housing", 7, &freq) == URB_X_OK);
    CHECK(freq == 3);
    CHECK(urb_xdb_collection_freq(db, "housing", 7, &cfreq) == URB_X_OK);
    CHECK(cfreq == 4);
    CHECK(urb_xdb_termfreq(db, "Lde", 3, &freq) == URB_X_OK);
    CHECK(freq == 3);
    CHECK(urb_xdb_find_by_term(db, "Q4", 2, &docid) == URB_X_OK);
    CHECK(docid == 4);
    CHECK(urb_xdb_find_by_term(db, "Q99", 3, &docid) == URB_X_NOT_FOUND);
    CHECK(strstr(urb_xdb_errmsg(db), "Q99") != NULL);

    /* Replacing by the unique term keeps the docid; a new id appends. */
    fx_add(db, "4", "madrid housing plan", "es", 2021, "housing");
    fx_add(db, "7", "rome welcomes refugees", "it", 2022, "integration");
    CHECK(urb_xdb_find_by_term(db, "Q7", 2, &docid) == URB_X_OK);
    CHECK(docid == 7);
    CHECK(urb_xdb_delete_by_term(db, "Q2", 2) == URB_X_OK);
    CHECK(urb_xdb_commit(db) == URB_X_OK);
    CHECK(doccount(db) == 6);
    CHECK(urb_xdb_find_by_term(db, "Q2", 2, &docid) == URB_X_NOT_FOUND);
    urb_xdoc_t *gone = NULL;
    CHECK(urb_xdb_get_document(db, 2, &gone) == URB_X_NOT_FOUND);
    CHECK(gone == NULL);
    CHECK_STR(doc_data(db, 4), "doc:4");
    CHECK(urb_xdb_termfreq(db, "integration", 11, &freq) == URB_X_OK);
    CHECK(freq == 0); /* doc 4 was the only one, and was replaced */

    urb_xdoc_t *doc;
    CHECK(urb_xdb_get_document(db, 4, &doc) == URB_X_OK);
    CHECK(urb_xdoc_docid(doc) == 4);
    fx_terms_t terms = {0};
    CHECK(urb_xdoc_termlist(doc, fx_term_cb, &terms) == URB_X_OK);
    CHECK_STR(terms.buf, "Les:0 Q4:0 Smadrid:1 housing:1 madrid:1 plan:1");
    const char *val;
    size_t len;
    char year[9];
    size_t ylen = urb_xsortable(2021, year);
    CHECK(urb_xdoc_get_value(doc, FX_SLOT_YEAR, &val, &len) == URB_X_OK);
    CHECK(len == ylen && memcmp(val, year, len) == 0);
    CHECK(urb_xdoc_get_value(doc, FX_SLOT_LANG, &val, &len) == URB_X_OK);
    CHECK(len == 2 && memcmp(val, "es", 2) == 0);
    CHECK(urb_xdoc_get_value(doc, 42, &val, &len) == URB_X_OK);
    CHECK(len == 0);
    urb_xdoc_free(doc);

    /* A stopping callback ends the iteration. */
    fx_terms_t two = {.stop_after = 2};
    CHECK(urb_xdb_get_document(db, 1, &doc) == URB_X_OK);
    CHECK(urb_xdoc_termlist(doc, fx_term_cb, &two) == URB_X_OK);
    CHECK_STR(two.buf, "Lde:0 Q1:0");
    urb_xdoc_free(doc);

    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

static void documents(void)
{
    urb_xdoc_t *doc = urb_xdoc_new();
    CHECK(doc != NULL);
    CHECK(urb_xdoc_docid(doc) == 0);
    CHECK(urb_xdoc_add_posting(doc, "a\0b", 3, 1, 2) == URB_X_OK);
    CHECK(urb_xdoc_add_term(doc, "zeta", 4, 3) == URB_X_OK);
    CHECK(urb_xdoc_add_boolean_term(doc, "Kx", 2) == URB_X_OK);
    CHECK(urb_xdoc_set_data(doc, "bin\0ary", 7) == URB_X_OK);
    const char *data;
    size_t len;
    CHECK(urb_xdoc_get_data(doc, &data, &len) == URB_X_OK);
    CHECK(len == 7 && memcmp(data, "bin\0ary", 7) == 0);

    fx_terms_t terms = {0};
    CHECK(urb_xdoc_termlist(doc, fx_term_cb, &terms) == URB_X_OK);
    CHECK(terms.len == sizeof "Kx:0 a\0b:2 zeta:3" - 1);
    CHECK(memcmp(terms.buf, "Kx:0 a\0b:2 zeta:3", terms.len) == 0);

    /* Xapian refuses empty terms: the message stays on the document. */
    CHECK(urb_xdoc_add_posting(doc, "", 0, 1, 1) == URB_X_INVALID);
    CHECK(strstr(urb_xdoc_errmsg(doc), "InvalidArgumentError") != NULL);
    CHECK(urb_xdoc_add_term(doc, "", 0, 1) == URB_X_INVALID);
    urb_xdoc_free(doc);
    urb_xdoc_free(NULL);
    CHECK_STR(urb_xdoc_errmsg(NULL), "");
}

static void sortable(void)
{
    static const double v[] = {-1e9, -2.5, 0, 1, 2.5, 1999, 2000, 1e12};
    char prev[9], cur[9];
    size_t plen = urb_xsortable(v[0], prev);
    for (size_t i = 1; i < sizeof v / sizeof v[0]; i++) {
        size_t clen = urb_xsortable(v[i], cur);
        CHECK(clen >= 1 && clen <= 9);
        size_t n = plen < clen ? plen : clen;
        int cmp = memcmp(prev, cur, n);
        CHECK(cmp < 0 || (cmp == 0 && plen < clen));
        memcpy(prev, cur, clen);
        plen = clen;
    }
}

static void metadata(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_open(dir, URB_XDB_CREATE_OR_OPEN | URB_XDB_NO_SYNC);
    char *value = NULL;
    size_t len = 99;
    CHECK(urb_xdb_get_metadata(db, "langs", &value, &len) == URB_X_OK);
    CHECK_STR(value, "");
    CHECK(len == 0);
    free(value);
    CHECK(urb_xdb_set_metadata(db, "langs", "de fr\0x", 7) == URB_X_OK);
    CHECK(urb_xdb_set_metadata(db, "", "v", 1) == URB_X_INVALID);
    CHECK(urb_xdb_commit(db) == URB_X_OK);
    urb_xdb_free(db);

    db = fx_open(dir, URB_XDB_READ);
    CHECK(urb_xdb_get_metadata(db, "langs", &value, &len) == URB_X_OK);
    CHECK(len == 7 && memcmp(value, "de fr\0x", 8) == 0);
    free(value);
    CHECK(urb_xdb_set_metadata(db, "langs", "x", 1) == URB_X_INVALID);
    CHECK(strstr(urb_xdb_errmsg(db), "read-only") != NULL);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

/* Docids from a urb_xdocid_cb as "1 3 5"; stops after `stop_after`. */
typedef struct ids {
    char buf[128];
    size_t len;
    int stop_after, seen;
} ids_t;

static int ids_cb(void *ctx, uint32_t docid)
{
    ids_t *ids = ctx;
    int n = snprintf(ids->buf + ids->len, sizeof ids->buf - ids->len, "%s%u",
                     ids->len ? " " : "", docid);
    if (n > 0 && (size_t)n < sizeof ids->buf - ids->len)
        ids->len += (size_t)n;
    return ++ids->seen == ids->stop_after;
}

static void allterms_and_postlists(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_build(dir);
    fx_terms_t t = {0};
    CHECK(urb_xdb_allterms(db, "L", fx_term_cb, &t) == URB_X_OK);
    CHECK_STR(t.buf, "Lde:3 Les:1 Lfr:1 Lpt:1");
    fx_terms_t w = {0};
    CHECK(urb_xdb_allterms(db, "w", fx_term_cb, &w) == URB_X_OK);
    CHECK_STR(w.buf, "welcomes:2 with:1");
    fx_terms_t first = {.stop_after = 1};
    CHECK(urb_xdb_allterms(db, "", fx_term_cb, &first) == URB_X_OK);
    CHECK_STR(first.buf, "Lde:3");
    fx_terms_t none = {0};
    CHECK(urb_xdb_allterms(db, "Xnothing", fx_term_cb, &none) == URB_X_OK);
    CHECK(none.seen == 0);

    ids_t ids = {0};
    CHECK(urb_xdb_postlist(db, "migrants", 8, ids_cb, &ids) == URB_X_OK);
    CHECK_STR(ids.buf, "2 3 6");
    ids_t one = {.stop_after = 1};
    CHECK(urb_xdb_postlist(db, "Lde", 3, ids_cb, &one) == URB_X_OK);
    CHECK_STR(one.buf, "1");
    ids_t missing = {0};
    CHECK(urb_xdb_postlist(db, "nowhere", 7, ids_cb, &missing) == URB_X_OK);
    CHECK(missing.seen == 0);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

static void spelling_and_synonyms(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_build(dir);
    char *s = NULL;
    CHECK(urb_xdb_spelling(db, "refugess", 2, &s) == URB_X_OK);
    CHECK_STR(s, "refugees");
    free(s);
    CHECK(urb_xdb_spelling(db, "hovsinq", 2, &s) == URB_X_OK);
    CHECK_STR(s, "housing");
    free(s);
    /* Two edits away, so one edit finds nothing. */
    CHECK(urb_xdb_spelling(db, "hovsinq", 1, &s) == URB_X_OK);
    CHECK(s == NULL);
    CHECK(urb_xdb_spelling(db, "qqqqqqqq", 2, &s) == URB_X_OK);
    CHECK(s == NULL);

    fx_terms_t t = {0};
    CHECK(urb_xdb_synonyms(db, "migrants", fx_term_cb, &t) == URB_X_OK);
    CHECK_STR(t.buf, "refugees:0");
    CHECK(urb_xdb_add_synonym(db, "migrants", "newcomers") == URB_X_OK);
    fx_terms_t two = {0};
    CHECK(urb_xdb_synonyms(db, "migrants", fx_term_cb, &two) == URB_X_OK);
    CHECK_STR(two.buf, "newcomers:0 refugees:0");
    CHECK(urb_xdb_clear_synonyms(db, "migrants") == URB_X_OK);
    fx_terms_t cleared = {0};
    CHECK(urb_xdb_synonyms(db, "migrants", fx_term_cb, &cleared) == URB_X_OK);
    CHECK(cleared.seen == 0);
    urb_xdb_free(db);

    db = fx_open(dir, URB_XDB_READ);
    CHECK(urb_xdb_add_spelling(db, "x", 1) == URB_X_INVALID);
    CHECK(urb_xdb_add_synonym(db, "a", "b") == URB_X_INVALID);
    CHECK(urb_xdb_clear_synonyms(db, "a") == URB_X_INVALID);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

static void transactions(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_build(dir);
    urb_xdb_t *rd = fx_open(dir, URB_XDB_READ);

    CHECK(urb_xdb_begin_tx(db, true) == URB_X_OK);
    fx_add(db, "7", "rome welcomes refugees", "it", 2022, "");
    CHECK(urb_xdb_delete_by_term(db, "Q1", 2) == URB_X_OK);
    CHECK(doccount(db) == 6); /* 6 + 7 - 1, seen by the writer */
    CHECK(urb_xdb_begin_tx(db, true) == URB_X_INVALID); /* no nesting */
    CHECK(urb_xdb_cancel_tx(db) == URB_X_OK);
    uint32_t docid;
    CHECK(urb_xdb_find_by_term(db, "Q7", 2, &docid) == URB_X_NOT_FOUND);
    CHECK(urb_xdb_find_by_term(db, "Q1", 2, &docid) == URB_X_OK);
    CHECK(urb_xdb_commit_tx(db) == URB_X_INVALID); /* none open */

    CHECK(urb_xdb_begin_tx(db, false) == URB_X_OK);
    fx_add(db, "7", "rome welcomes refugees", "it", 2022, "");
    CHECK(urb_xdb_commit_tx(db) == URB_X_OK);
    CHECK(urb_xdb_find_by_term(db, "Q7", 2, &docid) == URB_X_OK);
    CHECK(docid == 7);
    /* An unflushed transaction is not a commit; a flushed one is. */
    CHECK(urb_xdb_reopen(rd, NULL) == URB_X_OK);
    CHECK(doccount(rd) == 6);
    CHECK(urb_xdb_begin_tx(db, true) == URB_X_OK);
    fx_add(db, "8", "oslo", "no", 2023, "");
    CHECK(urb_xdb_commit_tx(db) == URB_X_OK);
    CHECK(urb_xdb_reopen(rd, NULL) == URB_X_OK);
    CHECK(doccount(rd) == 8);

    CHECK(urb_xdb_begin_tx(rd, true) == URB_X_INVALID);
    CHECK(urb_xdb_commit(rd) == URB_X_INVALID);
    urb_xdb_free(rd);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

static void reopen_sees_commits(void)
{
    char *dir = urb_test_tmpdir();
    urb_xdb_t *db = fx_build(dir);
    urb_xdb_t *rd = fx_open(dir, URB_XDB_READ);
    bool changed = true;
    CHECK(urb_xdb_reopen(rd, &changed) == URB_X_OK);
    CHECK(!changed);

    fx_add(db, "7", "rome welcomes refugees", "it", 2022, "");
    CHECK(doccount(rd) == 6); /* not committed */
    CHECK(urb_xdb_reopen(rd, &changed) == URB_X_OK);
    CHECK(!changed);
    CHECK(urb_xdb_commit(db) == URB_X_OK);
    CHECK(doccount(rd) == 6); /* committed, not reopened */
    CHECK(urb_xdb_reopen(rd, &changed) == URB_X_OK);
    CHECK(changed);
    CHECK(doccount(rd) == 7);
    CHECK_STR(doc_data(rd, 7), "doc:7");
    CHECK(urb_xdb_reopen(rd, &changed) == URB_X_OK);
    CHECK(!changed);
    urb_xdb_free(rd);
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

/* Two shards searched as one: Xapian interleaves their docids. */
static void shards(void)
{
    char *dir = urb_test_tmpdir();
    char *a = path_in(dir, "a"), *b = path_in(dir, "b");
    urb_xdb_free(fx_build(a));
    urb_xdb_t *wb = fx_open(b, URB_XDB_CREATE_OR_OPEN);
    fx_add(wb, "7", "rome welcomes refugees", "it", 2022, "");
    fx_add(wb, "8", "oslo welcomes migrants", "no", 2023, "");
    CHECK(urb_xdb_commit(wb) == URB_X_OK);

    urb_xdb_t *all, *ra = fx_open(a, URB_XDB_READ);
    CHECK(urb_xdb_new_empty(&all) == URB_X_OK);
    CHECK(doccount(all) == 0);
    CHECK(urb_xdb_add(all, ra) == URB_X_OK);
    CHECK(urb_xdb_add(all, wb) == URB_X_OK);
    CHECK(doccount(all) == 8);
    uint32_t freq;
    CHECK(urb_xdb_termfreq(all, "welcomes", 8, &freq) == URB_X_OK);
    CHECK(freq == 4);
    /* Shard a's docid d is 2d-1, shard b's is 2d. */
    urb_xquery_t *q = urb_xquery_term("welcomes", 8, 1, 0);
    urb_xquery_t *byid = urb_xquery_term("Q8", 2, 1, 0);
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(all, &enq) == URB_X_OK);
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    CHECK(urb_xenq_sort_by_value(enq, FX_SLOT_YEAR, false) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "11 1 2 4"); /* 2015 2016 2022 2023 */
    urb_xenq_free(enq);
    CHECK_STR(fx_search(all, byid), "4");
    CHECK_STR(doc_data(all, 4), "doc:8");

    /* Only a read-only database takes shards. */
    CHECK(urb_xdb_add(wb, ra) == URB_X_INVALID);
    urb_xquery_free(q);
    urb_xquery_free(byid);
    urb_xdb_free(all);
    urb_xdb_free(ra);
    urb_xdb_free(wb);
    urb_test_rmtree(dir);
    free(a);
    free(b);
    free(dir);
}

static void compact(void)
{
    char *dir = urb_test_tmpdir();
    char *a = path_in(dir, "a"), *b = path_in(dir, "b");
    char *out = path_in(dir, "out");
    urb_xdb_free(fx_build(a));
    urb_xdb_t *wb = fx_open(b, URB_XDB_CREATE_OR_OPEN);
    fx_add(wb, "7", "rome welcomes refugees", "it", 2022, "");
    CHECK(urb_xdb_commit(wb) == URB_X_OK);
    urb_xdb_free(wb);

    const char *src[] = {a, b};
    char *msg = (char *)"untouched";
    CHECK(urb_xdb_compact(src, 2, out, &msg) == URB_X_OK);
    CHECK(msg == NULL);
    urb_xdb_t *db = fx_open(out, URB_XDB_READ);
    CHECK(doccount(db) == 7);
    uint32_t docid;
    /* b's documents follow a's. */
    CHECK(urb_xdb_find_by_term(db, "Q7", 2, &docid) == URB_X_OK);
    CHECK(docid == 7);
    CHECK_STR(doc_data(db, 7), "doc:7");
    char *fix = NULL;
    CHECK(urb_xdb_spelling(db, "refugess", 2, &fix) == URB_X_OK);
    CHECK_STR(fix, "refugees");
    free(fix);
    urb_xdb_free(db);

    char *missing = path_in(dir, "missing");
    const char *bad[] = {a, missing};
    CHECK(urb_xdb_compact(bad, 2, out, &msg) == URB_X_NOT_FOUND);
    CHECK(msg != NULL && strstr(msg, "missing") != NULL);
    free(msg);
    CHECK(urb_xdb_compact(src, 0, out, NULL) == URB_X_INVALID);
    free(missing);
    urb_test_rmtree(dir);
    free(a);
    free(b);
    free(out);
    free(dir);
}

static void status_strings(void)
{
    for (int i = 0; i < URB_X_LAST_STATUS; i++) {
        CHECK(strlen(urb_xstatus_str(i)) > 0);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(urb_xstatus_str(i), urb_xstatus_str(j)) != 0);
    }
    CHECK_STR(urb_xstatus_str(URB_X_OK), "ok");
    CHECK_STR(urb_xstatus_str(URB_X_LAST_STATUS), "unknown status");
}

URB_TEST_MAIN(T(write_and_read), T(documents), T(sortable), T(metadata),
              T(allterms_and_postlists), T(spelling_and_synonyms),
              T(transactions), T(reopen_sees_commits), T(shards), T(compact),
              T(status_strings))
