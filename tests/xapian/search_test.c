/* The search half of the Xapian wrapper: queries, the QueryParser,
 * Enquire with weighting, sorting and facets, MSets and snippets, all over
 * the fixture's six cities (see fixture.h). */
#include "fixture.h"

#include "test.h"

#include <stdlib.h>

static char *dir;
static urb_xdb_t *db;

static void setup(void)
{
    dir = urb_test_tmpdir();
    urb_xdb_free(fx_build(dir));
    db = fx_open(dir, URB_XDB_READ);
}

static void teardown(void)
{
    urb_xdb_free(db);
    urb_test_rmtree(dir);
    free(dir);
}

static urb_xquery_t *term(const char *t)
{
    return urb_xquery_term(t, strlen(t), 1, 0);
}

/* The hits of `op` over two terms. */
static const char *hits2(urb_xop_t op, const char *a, const char *b,
                         uint32_t window)
{
    static char buf[256];
    urb_xquery_t *subs[2] = {term(a), term(b)};
    urb_xquery_t *q = urb_xquery_combine(op, subs, 2, window);
    snprintf(buf, sizeof buf, "%s", fx_search(db, q));
    urb_xquery_free(q);
    urb_xquery_free(subs[0]);
    urb_xquery_free(subs[1]);
    return buf;
}

/* The description of a query, freed at the next call. */
static const char *describe(const urb_xquery_t *q)
{
    static char *last;
    free(last);
    last = q ? urb_xquery_describe(q) : NULL;
    return last ? last : "(null)";
}

static void queries(void)
{
    setup();
    CHECK_STR(hits2(URB_XOP_AND, "housing", "berlin", 0), "1");
    /* Ties in weight come in docid order. */
    CHECK_STR(hits2(URB_XOP_OR, "madrid", "lisbon", 0), "6 4");
    CHECK_STR(hits2(URB_XOP_AND_NOT, "housing", "berlin", 0), "5 2");
    CHECK_STR(hits2(URB_XOP_XOR, "welcomes", "refugees", 0), "6 4");
    CHECK_STR(hits2(URB_XOP_FILTER, "migrants", "Lde", 0), "3");
    CHECK_STR(hits2(URB_XOP_AND_MAYBE, "welcomes", "refugees", 0), "1 6");
    CHECK_STR(hits2(URB_XOP_SYNONYM, "paris", "madrid", 0), "2 4");
    CHECK_STR(hits2(URB_XOP_MAX, "paris", "madrid", 0), "2 4");
    /* The window is ELITE_SET's size: one of the two terms survives. */
    CHECK_STR(hits2(URB_XOP_ELITE_SET, "paris", "madrid", 2), "2 4");
    CHECK_STR(hits2(URB_XOP_ELITE_SET, "paris", "madrid", 1), "2");

    /* Phrases need positions: "welcomes refugees" is in 1 only; NEAR takes
     * any order within the window. */
    urb_xquery_t *w = urb_xquery_term("welcomes", 8, 1, 1);
    urb_xquery_t *r = urb_xquery_term("refugees", 8, 1, 2);
    urb_xquery_t *subs[2] = {w, r};
    urb_xquery_t *phrase = urb_xquery_combine(URB_XOP_PHRASE, subs, 2, 0);
    CHECK_STR(fx_search(db, phrase), "1");
    urb_xquery_free(phrase);
    CHECK_STR(hits2(URB_XOP_PHRASE, "refugees", "welcomes", 0), "");
    CHECK_STR(hits2(URB_XOP_NEAR, "refugees", "welcomes", 2), "1");
    CHECK_STR(hits2(URB_XOP_NEAR, "berlin", "housing", 2), "");
    CHECK_STR(hits2(URB_XOP_NEAR, "berlin", "housing", 5), "1");

    /* Combining copies: freeing the parts leaves the whole usable. */
    urb_xquery_t *both = urb_xquery_combine(URB_XOP_AND, subs, 2, 0);
    urb_xquery_free(w);
    urb_xquery_free(r);
    CHECK_STR(fx_search(db, both), "1");
    CHECK_STR(describe(both), "Query((welcomes@1 AND refugees@2))");
    urb_xquery_free(both);

    CHECK(urb_xquery_combine((urb_xop_t)99, subs, 0, 0) == NULL);
    urb_xquery_t *holes[2] = {NULL, NULL};
    CHECK(urb_xquery_combine(URB_XOP_AND, holes, 2, 0) == NULL);
    urb_xquery_t *none = urb_xquery_combine(URB_XOP_OR, NULL, 0, 0);
    CHECK(none != NULL && urb_xquery_empty(none));
    urb_xquery_free(none);

    urb_xquery_t *all = urb_xquery_match_all(),
                 *nothing = urb_xquery_match_nothing();
    CHECK_STR(fx_search(db, all), "1 2 3 4 5 6");
    CHECK_STR(fx_search(db, nothing), "");
    CHECK(!urb_xquery_empty(all));
    CHECK(urb_xquery_empty(nothing));
    CHECK(urb_xquery_empty(NULL));
    urb_xquery_free(all);
    urb_xquery_free(nothing);
    teardown();
}

static void wildcards_and_ranges(void)
{
    setup();
    /* Document lengths: 1 is 7 (a Zrefuge stem more), 2-5 are 6, 6 is 4. */
    urb_xquery_t *q = urb_xquery_wildcard("hous", 0);
    CHECK_STR(fx_search(db, q), "5 2 1");
    urb_xquery_free(q);
    /* "m" expands to madrid (1 document) and migrants (3): a limit of one
     * keeps the most frequent. */
    q = urb_xquery_wildcard("m", 0);
    CHECK_STR(fx_search(db, q), "6 2 3 4");
    urb_xquery_free(q);
    q = urb_xquery_wildcard("m", 1);
    CHECK_STR(fx_search(db, q), "6 2 3");
    CHECK(strstr(describe(q), "WILDCARD") != NULL);
    urb_xquery_free(q);

    char lo[9], hi[9];
    size_t lo_len = urb_xsortable(2017, lo), hi_len = urb_xsortable(2019, hi);
    q = urb_xquery_value_range(FX_SLOT_YEAR, lo, lo_len, hi, hi_len);
    CHECK_STR(fx_search(db, q), "2 3 4");
    urb_xquery_free(q);
    q = urb_xquery_value_range(FX_SLOT_YEAR, hi, hi_len, NULL, 0);
    CHECK_STR(fx_search(db, q), "3 5");
    urb_xquery_free(q);
    q = urb_xquery_value_range(FX_SLOT_YEAR, NULL, 0, lo, lo_len);
    CHECK_STR(fx_search(db, q), "1 4 6");
    urb_xquery_free(q);
    /* Unbounded: every document with a value; 6 has no topics. */
    q = urb_xquery_value_range(FX_SLOT_TOPICS, NULL, 0, NULL, 0);
    CHECK_STR(fx_search(db, q), "1 2 3 4 5");
    urb_xquery_free(q);
    teardown();
}

/* The weight of the first hit of q. */
static double top_weight(urb_xenq_t *enq, const urb_xquery_t *q)
{
    urb_xmset_t *ms;
    double wt = -1;
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    if (urb_xenq_mset(enq, 0, 1, 0, &ms) != URB_X_OK)
        return -1;
    CHECK(urb_xmset_item(ms, 0, NULL, &wt) == URB_X_OK);
    urb_xmset_free(ms);
    return wt;
}

static void scale_and_bm25(void)
{
    setup();
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(db, &enq) == URB_X_OK);
    urb_xquery_t *q = term("migrants");
    urb_xquery_t *twice = urb_xquery_scale(q, 2.0);
    double w1 = top_weight(enq, q), w2 = top_weight(enq, twice);
    CHECK(w1 > 0);
    CHECK(w2 > 2 * w1 - 1e-9 && w2 < 2 * w1 + 1e-9);
    CHECK(urb_xquery_scale(q, -1.0) == NULL);
    CHECK(urb_xquery_scale(NULL, 1.0) == NULL);
    urb_xquery_free(twice);

    /* Length normalisation ranks the short lisbon first; with b = 0 the
     * three documents tie and come in docid order. */
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "6 2 3");
    CHECK(urb_xenq_set_bm25(enq, 1.2, 0, 1, 0, 0.5) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "2 3 6");
    CHECK(urb_xenq_set_time_limit(enq, 2.5) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "2 3 6");
    /* housing is twice in 5: that counts with k1 > 0, not with k1 = 0. */
    urb_xquery_t *housing = term("housing");
    CHECK(urb_xenq_set_query(enq, housing) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "5 1 2");
    CHECK(urb_xenq_set_bm25(enq, 0, 0, 1, 0, 0.5) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "1 2 5");
    urb_xquery_free(housing);
    urb_xquery_free(q);
    urb_xenq_free(enq);
    teardown();
}

static void sorting(void)
{
    setup();
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(db, &enq) == URB_X_OK);
    urb_xquery_t *all = urb_xquery_match_all();
    CHECK(urb_xenq_set_query(enq, all) == URB_X_OK);
    /* Years: 1 2016, 2 2018, 3 2019, 4 2017, 5 2020, 6 2015. */
    CHECK(urb_xenq_sort_by_value(enq, FX_SLOT_YEAR, false) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "6 1 4 2 3 5");
    CHECK(urb_xenq_sort_by_value(enq, FX_SLOT_YEAR, true) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "5 3 2 4 1 6");

    /* housing: 5 has wdf 2 and leads; with b = 0, 1 and 2 tie on weight
     * and the year breaks the tie either way. */
    urb_xquery_t *q = term("housing");
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    CHECK(urb_xenq_set_bm25(enq, 1.2, 0, 1, 0, 0.5) == URB_X_OK);
    CHECK(urb_xenq_sort_by_relevance_then_value(enq, FX_SLOT_YEAR, false) ==
          URB_X_OK);
    CHECK_STR(fx_hits(enq), "5 1 2");
    CHECK(urb_xenq_sort_by_relevance_then_value(enq, FX_SLOT_YEAR, true) ==
          URB_X_OK);
    CHECK_STR(fx_hits(enq), "5 2 1");
    /* By value first, the weight only breaks ties. */
    CHECK(urb_xenq_sort_by_value(enq, FX_SLOT_YEAR, false) == URB_X_OK);
    CHECK_STR(fx_hits(enq), "1 2 5");
    urb_xquery_free(q);
    urb_xquery_free(all);
    urb_xenq_free(enq);
    teardown();
}

static void facets(void)
{
    setup();
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(db, &enq) == URB_X_OK);
    unsigned lang = 9, topics = 9;
    CHECK_STR(fx_facet(enq, 0), "error: invalid argument or operation");
    CHECK(urb_xenq_add_facet(enq, FX_SLOT_LANG, 0, &lang) == URB_X_OK);
    CHECK(urb_xenq_add_facet(enq, FX_SLOT_TOPICS, ',', &topics) == URB_X_OK);
    CHECK(lang == 0 && topics == 1);
    CHECK_STR(fx_facet(enq, lang), "error: invalid argument or operation");

    /* A page of two, counted over all six matches. */
    urb_xquery_t *all = urb_xquery_match_all();
    CHECK(urb_xenq_set_query(enq, all) == URB_X_OK);
    urb_xmset_t *ms;
    CHECK(urb_xenq_mset(enq, 0, 2, FX_NDOCS, &ms) == URB_X_OK);
    CHECK(urb_xmset_size(ms) == 2);
    urb_xmset_free(ms);
    CHECK_STR(fx_facet(enq, lang), "de:3 es:1 fr:1 pt:1");
    /* Items once per document (3 repeats education), ties by bytes. */
    CHECK_STR(fx_facet(enq, topics), "housing:3 integration:3 education:2");
    CHECK_STR(fx_facet(enq, 2), "error: invalid argument or operation");
    fx_terms_t first = {.stop_after = 1};
    CHECK(urb_xenq_facet(enq, topics, fx_term_cb, &first) == URB_X_OK);
    CHECK_STR(first.buf, "housing:3");

    /* Each MSet counts afresh rather than adding to the last one. */
    urb_xquery_t *q = term("migrants");
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    CHECK(urb_xenq_mset(enq, 0, 1, FX_NDOCS, &ms) == URB_X_OK);
    urb_xmset_free(ms);
    CHECK_STR(fx_facet(enq, lang), "de:1 fr:1 pt:1");
    CHECK_STR(fx_facet(enq, topics), "education:1 housing:1 integration:1");
    urb_xquery_free(q);
    urb_xquery_free(all);
    urb_xenq_free(enq);
    teardown();
}

static void msets(void)
{
    setup();
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(db, &enq) == URB_X_OK);
    urb_xquery_t *all = urb_xquery_match_all();
    CHECK(urb_xenq_set_query(enq, all) == URB_X_OK);
    CHECK(urb_xenq_sort_by_value(enq, FX_SLOT_YEAR, false) == URB_X_OK);
    urb_xmset_t *ms;
    CHECK(urb_xenq_mset(enq, 2, 3, FX_NDOCS, &ms) == URB_X_OK);
    CHECK(urb_xmset_size(ms) == 3);
    urb_xmatches_t m;
    urb_xmset_matches(ms, &m);
    CHECK(m.lower == 6 && m.estimated == 6 && m.upper == 6);
    static const uint32_t want[] = {4, 2, 3}; /* 2017 2018 2019 */
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t docid = 0;
        CHECK(urb_xmset_item(ms, i, &docid, NULL) == URB_X_OK);
        CHECK(docid == want[i]);
        urb_xdoc_t *doc;
        CHECK(urb_xmset_document(ms, i, &doc) == URB_X_OK);
        char data[16];
        snprintf(data, sizeof data, "doc:%u", want[i]);
        const char *got;
        size_t len;
        CHECK(urb_xdoc_get_data(doc, &got, &len) == URB_X_OK);
        CHECK(len == strlen(data) && memcmp(got, data, len) == 0);
        CHECK(urb_xdoc_docid(doc) == want[i]);
        urb_xdoc_free(doc);
    }
    uint32_t docid;
    CHECK(urb_xmset_item(ms, 3, &docid, NULL) == URB_X_INVALID);
    CHECK(strstr(urb_xmset_errmsg(ms), "out of range") != NULL);
    urb_xdoc_t *doc = (urb_xdoc_t *)&doc;
    CHECK(urb_xmset_document(ms, 3, &doc) == URB_X_INVALID);
    CHECK(doc == NULL);
    urb_xmset_free(ms);

    /* Past the end: an empty page that still knows the total. */
    CHECK(urb_xenq_mset(enq, 10, 5, FX_NDOCS, &ms) == URB_X_OK);
    CHECK(urb_xmset_size(ms) == 0);
    urb_xmset_matches(ms, &m);
    CHECK(m.estimated == 6);
    urb_xmset_free(ms);
    urb_xmset_free(NULL);
    urb_xenq_free(NULL);
    CHECK_STR(urb_xmset_errmsg(NULL), "");
    CHECK_STR(urb_xenq_errmsg(NULL), "");
    urb_xquery_free(all);
    urb_xenq_free(enq);
    teardown();
}

/* Parses `text` with qp and returns the hits, or "error: <status>". */
static const char *parse_hits(urb_xqp_t *qp, const char *text, unsigned flags)
{
    static char buf[256];
    urb_xquery_t *q;
    urb_xstatus_t st = urb_xqp_parse(qp, text, flags, &q);
    if (st != URB_X_OK) {
        snprintf(buf, sizeof buf, "error: %s", urb_xstatus_str(st));
        return buf;
    }
    snprintf(buf, sizeof buf, "%s", fx_search(db, q));
    urb_xquery_free(q);
    return buf;
}

static const char *parse_describe(urb_xqp_t *qp, const char *text,
                                  unsigned flags)
{
    urb_xquery_t *q = NULL;
    CHECK(urb_xqp_parse(qp, text, flags, &q) == URB_X_OK);
    const char *d = describe(q);
    urb_xquery_free(q);
    return d;
}

static void query_parser(void)
{
    setup();
    urb_xqp_t *qp;
    CHECK(urb_xqp_new(&qp) == URB_X_OK);
    CHECK(urb_xqp_set_database(qp, db) == URB_X_OK);
    CHECK(urb_xqp_add_prefix(qp, "title", "S") == URB_X_OK);
    CHECK(urb_xqp_add_boolean_prefix(qp, "lang", "L") == URB_X_OK);
    CHECK(urb_xqp_add_number_range(qp, FX_SLOT_YEAR, "year") == URB_X_OK);

    CHECK_STR(parse_describe(qp, "title:berlin", URB_XQP_DEFAULT),
              "Query(Sberlin@1)");
    CHECK_STR(parse_hits(qp, "title:berlin", URB_XQP_DEFAULT), "3 1");
    CHECK_STR(parse_hits(qp, "migrants lang:de", URB_XQP_DEFAULT), "3");
    CHECK_STR(parse_hits(qp, "migrants -lang:de", URB_XQP_DEFAULT), "6 2");
    CHECK_STR(parse_hits(qp, "year:2016..2018", URB_XQP_DEFAULT), "1 2 4");
    CHECK_STR(parse_hits(qp, "housing year:2019..", URB_XQP_DEFAULT), "5");
    CHECK_STR(parse_hits(qp, "\"welcomes refugees\"", URB_XQP_DEFAULT), "1");
    CHECK_STR(parse_hits(qp, "hous*", URB_XQP_DEFAULT | URB_XQP_WILDCARD),
              "5 2 1");
    /* The fixture's synonym: migrants ~ refugees. */
    CHECK_STR(parse_hits(qp, "migrants", URB_XQP_AUTO_SYNONYMS), "6 2 3 4 1");
    CHECK_STR(parse_hits(qp, "housing AND", URB_XQP_BOOLEAN),
              "error: malformed query");

    /* The default operator joins plain words. */
    CHECK_STR(parse_hits(qp, "paris madrid", URB_XQP_DEFAULT), "2 4");
    CHECK(urb_xqp_set_default_op(qp, URB_XOP_AND) == URB_X_OK);
    CHECK_STR(parse_hits(qp, "paris madrid", URB_XQP_DEFAULT), "");
    CHECK_STR(parse_hits(qp, "paris migrants", URB_XQP_DEFAULT), "2");
    CHECK(urb_xqp_set_default_op(qp, URB_XOP_AND_NOT) == URB_X_INVALID);
    CHECK(strstr(urb_xqp_errmsg(qp), "set_default_op") != NULL);
    CHECK(urb_xqp_set_default_op(qp, (urb_xop_t)42) == URB_X_INVALID);

    /* Stopwords leave the query, so AND no longer asks for them. */
    CHECK_STR(parse_hits(qp, "housing and migrants", URB_XQP_DEFAULT), "");
    const char *stop[] = {"and", "of"};
    CHECK(urb_xqp_set_stopwords(qp, stop, 2) == URB_X_OK);
    CHECK_STR(parse_hits(qp, "housing and migrants", URB_XQP_DEFAULT), "2");
    urb_xqp_free(qp);
    teardown();
}

static void stemming_and_spelling(void)
{
    setup();
    urb_xqp_t *qp;
    CHECK(urb_xqp_new(&qp) == URB_X_OK);
    CHECK(urb_xqp_set_database(qp, db) == URB_X_OK);
    CHECK(urb_xqp_set_stemmer(qp, "english") == URB_X_OK);
    CHECK(urb_xqp_set_stemming_strategy(qp, URB_XSTEM_SOME) == URB_X_OK);
    CHECK_STR(parse_describe(qp, "refugees", URB_XQP_DEFAULT),
              "Query(Zrefuge@1)");
    CHECK_STR(parse_hits(qp, "refugee", URB_XQP_DEFAULT), "4 1");
    /* STEM_SOME leaves capitalised words alone. */
    CHECK_STR(parse_describe(qp, "Refugees", URB_XQP_DEFAULT),
              "Query(refugees@1)");
    CHECK(urb_xqp_set_stemming_strategy(qp, URB_XSTEM_NONE) == URB_X_OK);
    CHECK_STR(parse_describe(qp, "refugees", URB_XQP_DEFAULT),
              "Query(refugees@1)");
    CHECK(urb_xqp_set_stemming_strategy(qp, (urb_xstem_strategy_t)9) ==
          URB_X_INVALID);
    CHECK(urb_xqp_set_stemmer(qp, "klingon") == URB_X_INVALID);
    CHECK(strstr(urb_xqp_errmsg(qp), "klingon") != NULL);

    const char *fixed = NULL;
    urb_xquery_t *q;
    CHECK(urb_xqp_parse(qp, "refugess housing",
                        URB_XQP_DEFAULT | URB_XQP_SPELLING_CORRECTION,
                        &q) == URB_X_OK);
    urb_xquery_free(q);
    CHECK(urb_xqp_corrected(qp, &fixed) == URB_X_OK);
    CHECK_STR(fixed, "refugees housing");
    CHECK(urb_xqp_parse(qp, "refugees housing",
                        URB_XQP_DEFAULT | URB_XQP_SPELLING_CORRECTION,
                        &q) == URB_X_OK);
    urb_xquery_free(q);
    CHECK(urb_xqp_corrected(qp, &fixed) == URB_X_OK);
    CHECK_STR(fixed, "");
    urb_xqp_free(qp);
    urb_xqp_free(NULL);
    CHECK_STR(urb_xqp_errmsg(NULL), "");
    teardown();
}

static void snippets(void)
{
    setup();
    urb_xenq_t *enq;
    CHECK(urb_xenq_new(db, &enq) == URB_X_OK);
    urb_xquery_t *subs[2] = {term("refugees"), term("Zrefuge")};
    urb_xquery_t *q = urb_xquery_combine(URB_XOP_OR, subs, 2, 0);
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    urb_xmset_t *ms;
    CHECK(urb_xenq_mset(enq, 0, 10, FX_NDOCS, &ms) == URB_X_OK);

    const char *text = "Berlin welcomes refugees & <their> families.";
    char *out = NULL;
    CHECK(urb_xmset_snippet(ms, text, strlen(text), 200, NULL, &out) ==
          URB_X_OK);
    CHECK_STR(out, "Berlin welcomes <b>refugees</b> &amp; &lt;their&gt; "
                   "families.");
    free(out);
    /* Only the stemmer links "refugee" to the Zrefuge term. */
    const char *one = "One refugee arrived.";
    CHECK(urb_xmset_snippet(ms, one, strlen(one), 200, NULL, &out) == URB_X_OK);
    CHECK_STR(out, "One refugee arrived.");
    free(out);
    CHECK(urb_xmset_snippet(ms, one, strlen(one), 200, "english", &out) ==
          URB_X_OK);
    CHECK_STR(out, "One <b>refugee</b> arrived.");
    free(out);
    /* A long text is cut around the match and the cut is marked. */
    const char *longer = "The council met on Monday. It discussed budgets, "
                         "parks and roads at length. Then it turned to the "
                         "refugees who arrived in spring. Finally it closed.";
    CHECK(urb_xmset_snippet(ms, longer, strlen(longer), 40, NULL, &out) ==
          URB_X_OK);
    CHECK(out != NULL && strstr(out, "<b>refugees</b>") != NULL);
    CHECK(out != NULL && strstr(out, "\xe2\x80\xa6") != NULL);
    CHECK(out != NULL && strstr(out, "Monday") == NULL);
    free(out);
    CHECK(urb_xmset_snippet(ms, one, strlen(one), 200, "klingon", &out) ==
          URB_X_INVALID);
    CHECK(out == NULL);
    urb_xmset_free(ms);
    urb_xquery_free(q);
    urb_xquery_free(subs[0]);
    urb_xquery_free(subs[1]);
    urb_xenq_free(enq);
    teardown();
}

URB_TEST_MAIN(T(queries), T(wildcards_and_ranges), T(scale_and_bm25),
              T(sorting), T(facets), T(msets), T(query_parser),
              T(stemming_and_spelling), T(snippets))
