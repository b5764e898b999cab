/* Fuzz target: the query side end to end (query.h) over a small real
 * index, built once by urb_terms_index from reports in ten languages.
 *
 * The input is a flags byte (language, op=or, xl, snippet width), the
 * query text up to the first LF, and after it a document text. Each
 * input goes the daemon's way: spelling correction, parse, Enquire with
 * facets and the MSet, each hit's stored report decoded and its snippet
 * found and written as HTML; then a snippet over the input's own
 * document text, that text indexed as a report of the query's language
 * (the thesaurus's concept matching meets hostile text there), the query
 * text as a filter value, and completion. Nothing may
 * crash; a malformed query is URB_X_QUERY, and no other status is
 * allowed. Snippets and suggestions are checked for what query.h
 * promises of their shape. */
#include "fuzz.h"
#include "test.h"
#include "urbis/complete.h"
#include "urbis/query.h"
#include "urbis/schema.h"
#include "urbis/terms.h"

#define S(lit) {lit, sizeof lit - 1}

typedef struct fx_report {
    const char *id, *lang, *title, *city, *country, *heading, *body;
    const char *network;
    int year;
} fx_report_t;

static const fx_report_t reports[] = {
    {"en-valencia", "en", "Refugee housing in Valencia", "València", "ES",
     "Integration",
     "The city of València offers housing to refugees. Local associations "
     "support the integration of newcomers & <families>.",
     "Eurocities", 2023},
    {"es-donostia", "es", "Acogida en San Sebastián", "San Sebastián", "ES",
     "Vivienda", "El ayuntamiento ofrece vivienda a cada refugiado.",
     "Intercultural Cities", 2019},
    {"de-berlin", "de", "Ankommen in Berlin", "Berlin", "DE", "Wohnen",
     "Die Stadt Berlin unterstützt Flüchtlinge bei der Wohnungssuche. "
     "Straße, Maßnahmen, Ärzte.",
     "Eurocities", 2018},
    {"pt-lisboa", "pt", "Integração em Lisboa", "Lisboa", "PT", NULL,
     "As associações de imigrantes em Lisboa apoiam a integração.", NULL,
     2015},
    {"ja-tokyo", "ja", "東京の多文化共生", "東京", "JP", "住まい",
     "東京都は外国人住民のための相談窓口を設けています。カタカナ、ひらがな。",
     NULL, 2021},
    {"th-bangkok", "th", "กรุงเทพมหานคร", "กรุงเทพ", "TH", NULL,
     "เมืองนี้ให้ความช่วยเหลือผู้ลี้ภัยและแรงงานข้ามชาติ", NULL, 2020},
    {"ar-amman", "ar", "عمّان مدينة الترحيب", "عمّان", "JO", "السكن",
     "تقدم المدينة الدعم للاجئين والمهاجرين في أحيائها.", NULL, 2022},
    {"ru-almaty", "ru", "Алматы: интеграция мигрантов", "Алматы", "KZ",
     NULL, "Город помогает мигрантам найти жильё и работу. Ёлка.",
     "Eurocities", 2017},
    {"el-athens", "el", "Αθήνα, πόλη υποδοχής", "Αθήνα", "GR", "Στέγαση",
     "Ο Δήμος Αθηναίων στηρίζει τους πρόσφυγες με στέγαση και εργασία.",
     "Intercultural Cities", 2016},
    {"zh-taipei", "zh", "臺北新住民", "臺北", "TW", NULL,
     "臺北市提供新住民語言課程與就業服務。難民住房。", NULL, 0},
};
#define N_REPORTS (sizeof reports / sizeof reports[0])
#define LANGS "ar,de,el,en,es,ja,pt,ru,th,zh"

static const char *const lang_choices[] = {NULL, "auto", "en", "es", "de",
                                           "ja", "th", "xx"};
static const char *const filter_fields[] = {"lang", "country", "city",
                                            "network", "year", "bogus"};

static char *dir, *dir_t;
static urb_xdb_t *db, *db_t; /* db_t: the same with a completion table at
                                every prefix (complete.h) */
/* qp_t: for db_t, and for parses beside qp's (whose info must live on);
 * the term frequencies it remembers are the same in both indexes */
static urb_qparser_t *qp, *qp_t;
static urb_terms_t *terms; /* indexes each input's document text */

static void must(urb_xstatus_t st, const char *what)
{
    if (st != URB_X_OK) {
        fprintf(stderr, "query fuzz setup: %s: %s\n", what,
                urb_xstatus_str(st));
        abort();
    }
}

static void index_report(urb_xdb_t *w, urb_terms_t *t, const fx_report_t *d)
{
    urb_report_t r = {
        .id = {d->id, strlen(d->id)},
        .lang = {d->lang, strlen(d->lang)},
        .title = {d->title, strlen(d->title)},
        .city = {d->city, strlen(d->city)},
        .country = {d->country, strlen(d->country)},
        .text = {d->body, strlen(d->body)},
        .year = d->year,
    };
    if (d->heading) {
        /* The heading opens a second section after the first sentence. */
        const char *dot = strchr(d->body, '.');
        r.n_sections = 1;
        r.sections[0].heading = (urb_str_t){d->heading, strlen(d->heading)};
        r.sections[0].offset = dot ? (size_t)(dot - d->body) + 1 : 0;
    }
    if (d->network) {
        r.n_networks = 1;
        r.networks[0] = (urb_str_t){d->network, strlen(d->network)};
    }
    urb_xdoc_t *doc = urb_xdoc_new();
    FZ_CHECK(doc);
    if (urb_terms_index(&r, t, doc) < 0) {
        fprintf(stderr, "query fuzz setup: %s\n", urb_terms_errmsg(t));
        abort();
    }
    must(urb_terms_add_spelling(w, doc), "spelling");
    char q[64];
    snprintf(q, sizeof q, "%s%s", URB_PFX_ID, d->id);
    must(urb_xdb_replace_by_term(w, q, strlen(q), doc, NULL), "replace");
    urb_xdoc_free(doc);
}

static void teardown(void)
{
    urb_terms_free(terms);
    urb_qparser_free(qp);
    urb_qparser_free(qp_t);
    urb_xdb_free(db);
    urb_xdb_free(db_t);
    urb_test_rmtree(dir);
    urb_test_rmtree(dir_t);
    free(dir);
    free(dir_t);
}

/* The reports in a new index at a new directory, opened read-only. */
static char *build(bool tables, urb_xdb_t **out)
{
    char *msg = NULL, *d = urb_test_tmpdir();
    urb_xdb_t *w;
    if (urb_xdb_open(d, URB_XDB_CREATE_OR_OVERWRITE | URB_XDB_NO_SYNC, &w,
                     &msg) != URB_X_OK) {
        fprintf(stderr, "query fuzz setup: %s\n", msg ? msg : "open");
        abort();
    }
    urb_terms_t *t = urb_terms_new();
    FZ_CHECK(t);
    for (size_t i = 0; i < N_REPORTS; i++)
        index_report(w, t, &reports[i]);
    must(urb_xdb_set_metadata(w, URB_META_LANGS, LANGS, strlen(LANGS)),
         "metadata");
    if (tables)
        must(urb_complete_build(w, 0, &msg), "tables");
    must(urb_xdb_commit(w), "commit");
    urb_xdb_free(w);
    urb_terms_free(t);
    must(urb_xdb_open(d, URB_XDB_READ, out, &msg), "open");
    return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    dir = build(false, &db);
    dir_t = build(true, &db_t);
    FZ_CHECK((qp = urb_qparser_new(LANGS)));
    FZ_CHECK((qp_t = urb_qparser_new(LANGS)));
    FZ_CHECK((terms = urb_terms_new()));
    atexit(teardown);
    return 0;
}

static bool boundary(const char *s, size_t n, size_t off)
{
    return off == n || ((unsigned char)s[off] & 0xC0) != 0x80;
}

/* The parse's words: inside the query text; terms and stems, which
 * become index terms, NUL-terminated valid UTF-8. */
static void check_info(const urb_qinfo_t *info, size_t len)
{
    for (size_t i = 0; i < info->n_words; i++) {
        const urb_qword_t *w = &info->words[i];
        FZ_CHECK(w->start <= w->end && w->end <= len);
        FZ_CHECK(w->term && strlen(w->term) == w->len);
        FZ_CHECK(fz_utf8_valid(w->term, w->len, NULL));
    }
    for (size_t i = 0; i < info->n_words * info->n_langs; i++)
        FZ_CHECK(!info->stems[i] ||
                 fz_utf8_valid(info->stems[i], strlen(info->stems[i]), NULL));
}

/* A snippet of text[0..n) and its HTML. */
static void snippet(const urb_qinfo_t *info, const char *text, size_t n,
                    const char *lang, size_t width, urb_buf_t *html)
{
    urb_snippet_t sn;
    FZ_CHECK(urb_snippet_find(qp, info, text, n, lang, width, &sn) == 0);
    FZ_CHECK(sn.start <= sn.end && sn.end <= n);
    FZ_CHECK(boundary(text, n, sn.start) && boundary(text, n, sn.end));
    size_t at = sn.start;
    for (size_t i = 0; i < sn.n_hl; i++) {
        FZ_CHECK(sn.hl[i].start >= at && sn.hl[i].start < sn.hl[i].end);
        FZ_CHECK(sn.hl[i].end <= sn.end);
        FZ_CHECK(boundary(text, n, sn.hl[i].start) &&
                 boundary(text, n, sn.hl[i].end));
        at = sn.hl[i].end;
    }
    html->len = 0;
    FZ_CHECK(urb_snippet_html(text, n, &sn, html) == 0);
    FZ_CHECK(fz_utf8_valid(html->data, html->len, NULL));
}

static void search(urb_xquery_t *q, const urb_qinfo_t *info, size_t width,
                   bool facets)
{
    urb_xenq_t *enq;
    urb_xmset_t *ms;
    unsigned idx;
    must(urb_xenq_new(db, &enq), "enquire");
    must(urb_xenq_set_query(enq, q), "set_query");
    must(urb_xenq_sort_by_relevance_then_value(enq, URB_SLOT_YEAR, true),
         "sort");
    if (facets)
        must(urb_xenq_add_facet(enq, URB_SLOT_NETWORKS, URB_LIST_SEP, &idx),
             "facet");
    must(urb_xenq_mset(enq, 0, 10, N_REPORTS, &ms), "mset");
    urb_buf_t html = {0};
    for (uint32_t i = 0; i < urb_xmset_size(ms); i++) {
        urb_xdoc_t *doc;
        const char *data;
        size_t len;
        urb_report_t r;
        must(urb_xmset_document(ms, i, &doc), "document");
        must(urb_xdoc_get_data(doc, &data, &len), "data");
        FZ_CHECK(urb_report_decode(data, len, &r) == 0);
        char lang[8] = "";
        memcpy(lang, r.lang.p, r.lang.n < 7 ? r.lang.n : 7);
        if (info)
            snippet(info, r.text.p, r.text.n, lang, width, &html);
        urb_xdoc_free(doc);
    }
    urb_buf_free(&html);
    urb_xmset_free(ms);
    urb_xenq_free(enq);
}

/* The reports q matches, in docid order, into ids; how many. */
static size_t matches(urb_xquery_t *q, uint32_t ids[N_REPORTS])
{
    urb_xenq_t *enq;
    urb_xmset_t *ms;
    must(urb_xenq_new(db, &enq), "enquire");
    must(urb_xenq_set_query(enq, q), "set_query");
    must(urb_xenq_mset(enq, 0, N_REPORTS, N_REPORTS, &ms), "mset");
    size_t n = urb_xmset_size(ms);
    for (size_t i = 0; i < n; i++) {
        double w;
        must(urb_xmset_item(ms, (uint32_t)i, &ids[i], &w), "item");
    }
    for (size_t i = 1; i < n; i++) /* a few: insertion sort */
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            uint32_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    urb_xmset_free(ms);
    urb_xenq_free(enq);
    return n;
}

/* Leaving out the stems the index lacks (prune) finds the same reports. */
static void check_pruned(const char *text, size_t len, urb_qopts_t opts,
                         urb_xquery_t *q)
{
    static uint32_t a[N_REPORTS], b[N_REPORTS];
    urb_xquery_t *pq = NULL;
    opts.prune = db;
    FZ_CHECK(urb_qparser_parse(qp_t, text, len, &opts, &pq, NULL) == URB_X_OK);
    FZ_CHECK(pq);
    size_t na = matches(q, a), nb = matches(pq, b);
    FZ_CHECK(na == nb && memcmp(a, b, na * sizeof *a) == 0);
    urb_xquery_free(pq);
}

static void check_status(urb_xstatus_t st, const char *what)
{
    if (st != URB_X_OK && st != URB_X_QUERY) {
        fprintf(stderr, "%s: %s: %s\n", what, urb_xstatus_str(st),
                urb_qparser_errmsg(qp));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    uint8_t flags = data[0];
    const char *text = (const char *)data + 1;
    const char *lf = memchr(text, '\n', size - 1);
    size_t len = lf ? (size_t)(lf - text) : size - 1;
    const char *doc = lf ? lf + 1 : NULL;
    size_t doc_len = lf ? size - 1 - len - 1 : 0;
    urb_qopts_t opts = {.lang = lang_choices[flags & 7], .op_or = flags & 8,
                        .xl = flags & 16};
    size_t width = 20 + (size_t)(flags >> 5) * 40;

    /* Corrected first, as the daemon does: the parse's info must live on
     * to the snippets. */
    char *corrected = NULL;
    urb_xstatus_t st = urb_query_correct(qp, db, text, len, NULL, &corrected);
    FZ_CHECK(st == URB_X_OK);
    urb_xquery_t *q = NULL;
    const urb_qinfo_t *info = NULL;
    if (corrected) {
        FZ_CHECK(fz_utf8_valid(corrected, strlen(corrected), NULL));
        FZ_CHECK(strlen(corrected) != len || memcmp(corrected, text, len));
        st = urb_qparser_parse(qp, corrected, strlen(corrected), &opts, &q,
                               NULL);
        check_status(st, "parse corrected");
        if (q)
            search(q, NULL, width, false);
        urb_xquery_free(q);
        q = NULL;
        free(corrected);
    }

    st = urb_qparser_parse(qp, text, len, &opts, &q, &info);
    check_status(st, "parse");
    if (st == URB_X_QUERY) {
        FZ_CHECK(!q && urb_qparser_errmsg(qp)[0]);
    } else if (q) {
        FZ_CHECK(info);
        check_info(info, len);
        search(q, info, width, flags & 32);
        check_pruned(text, len, opts, q);
        if (doc && fz_utf8_valid(doc, doc_len, NULL)) {
            urb_buf_t html = {0};
            snippet(info, doc, doc_len, opts.lang ? opts.lang : "", width,
                    &html);
            urb_buf_free(&html);
        }
    }
    urb_xquery_free(q);

    /* The document text as a report's title and body, in the language
     * the options name (English for none, auto or an unknown one). */
    if (doc && fz_utf8_valid(doc, doc_len, NULL)) {
        const char *l = (flags & 7) >= 2 && (flags & 7) <= 6 ? opts.lang : "en";
        urb_report_t r = {.id = S("fuzz"), .lang = {l, strlen(l)},
                          .title = {doc, doc_len},
                          .text = {doc, doc_len}};
        urb_xdoc_t *xd = urb_xdoc_new();
        FZ_CHECK(xd && urb_terms_index(&r, terms, xd) == 0);
        urb_xdoc_free(xd);
    }

    /* The text as the value of a filter=field:value option. */
    q = NULL;
    st = urb_query_filter(qp, filter_fields[flags % 6], text, len, &q);
    check_status(st, "filter");
    if (q)
        search(q, NULL, width, true);
    urb_xquery_free(q);

    /* Completion from the terms and from the tables agree. */
    urb_suggestion_t sugg[8], sugg_t[8];
    size_t n = 0, n_t = 0, limit = 1 + flags % 8;
    const char *sl = flags & 64 ? "en" : NULL;
    st = urb_suggest(qp, db, text, len, sl, limit, sugg, &n);
    check_status(st, "suggest");
    FZ_CHECK(n <= limit);
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(sugg[i].text && fz_utf8_valid(sugg[i].text, sugg[i].len, NULL));
    urb_xstatus_t st_t = urb_suggest(qp_t, db_t, text, len, sl, limit, sugg_t,
                                     &n_t);
    FZ_CHECK(st_t == st && n_t == n);
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(sugg[i].count == sugg_t[i].count &&
                 strcmp(sugg[i].text, sugg_t[i].text) == 0);
    return 0;
}
