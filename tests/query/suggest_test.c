/* Completion of the last word, and spelling correction, over a real index. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "test.h"
#include "urbis/complete.h"
#include "urbis/doc.h"
#include "urbis/schema.h"

static fx_t fx;
static urb_suggestion_t sg[16];
static char joined[1024];

/* The suggestions as "text=count|text=count", or "ERR". */
static const char *suggest(const char *text, const char *lang, size_t limit)
{
    size_t n;
    if (urb_suggest(fx.qp, fx.db, text, strlen(text), lang, limit, sg, &n) !=
        URB_X_OK)
        return "ERR";
    joined[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char one[256];
        CHECK(strlen(sg[i].text) == sg[i].len);
        snprintf(one, sizeof one, "%s%s=%u", i ? "|" : "", sg[i].text,
                 sg[i].count);
        strcat(joined, one);
    }
    return joined;
}

static void completes_last_word(void)
{
    fx_setup(&fx);
    CHECK_STR(suggest("refugee hou", NULL, 8), "refugee housing=2");
    /* The count is what the search for the suggestion finds (without the
     * thesaurus: completion counts the words as typed). */
    static const urb_qopts_t noxl = {0};
    CHECK_STR(fx_search(&fx, "refugee housing", &noxl),
              "en-cardiff,en-valencia");
    CHECK_STR(suggest("hou", NULL, 8), "housing=3|housing first=1");
    CHECK_STR(suggest("oslo HOU", NULL, 8), "oslo housing=1|oslo housing first=1");
    /* Nothing to complete after a space, or with no such word. */
    CHECK_STR(suggest("refugee ", NULL, 8), "");
    CHECK_STR(suggest("qqq", NULL, 8), "");
    CHECK_STR(suggest("", NULL, 8), "");
    fx_teardown(&fx);
}

static void completes_phrases(void)
{
    fx_setup(&fx);
    /* "Refugee housing in Valencia" pairs refugee with housing; "in" is a
     * stopword and pairs with nothing. The phrase counts what searching
     * its words in their own language finds. */
    static const urb_qopts_t own = {0};
    CHECK_STR(suggest("refug", NULL, 8),
              "refugee=2|refugee housing=2|refugees=2|refugiado=1");
    CHECK_STR(fx_search(&fx, "refugee housing", &own),
              "en-cardiff,en-valencia");
    CHECK_STR(suggest("Hous", NULL, 8), "housing=3|housing first=1");
    /* Written forms; "en" is a stopword and pairs with nothing; a context
     * counts the phrase too. */
    /* Ties in byte order: a phrase right after its first word. */
    CHECK_STR(suggest("san", NULL, 8), "san=1|san sebastián=1|sanctuary=1");
    CHECK_STR(suggest("oslo hous", NULL, 8),
              "oslo housing=1|oslo housing first=1");
    CHECK_STR(suggest("berlin refug", NULL, 8), "");
    /* Under three letters no phrases: too many pairs start so. */
    CHECK_STR(suggest("ho", NULL, 8), "housing=3");
    fx_teardown(&fx);
}

static void written_form_kept(void)
{
    fx_setup(&fx);
    /* "València" is written twice, "Valencia" once. */
    CHECK_STR(suggest("valèn", NULL, 8), "valència=2");
    CHECK_STR(suggest("Valen", NULL, 8), "valència=2");
    CHECK_STR(suggest("integ", NULL, 8), "integração=1|integration=1");
    CHECK_STR(suggest("fluch", NULL, 8), "flüchtlinge=1");
    fx_teardown(&fx);
}

static void ordered_by_count(void)
{
    fx_setup(&fx);
    /* refugee and refugees match the same two reports through the stem;
     * refugee is written in more; refugiado matches one. */
    CHECK_STR(suggest("re", NULL, 8), "refugee=2|refugees=2|refugiado=1");
    CHECK_STR(suggest("re", NULL, 2), "refugee=2|refugees=2");
    /* A context no report shares with the word drops it. */
    CHECK_STR(suggest("berlin hou", NULL, 8), "");
    fx_teardown(&fx);
}

static void context_and_language(void)
{
    fx_setup(&fx);
    CHECK_STR(suggest("hou", "en", 8), "housing=3|housing first=1");
    CHECK_STR(suggest("hou", "de", 8), "");
    CHECK_STR(suggest("hou", "EN", 8), "housing=3|housing first=1");
    CHECK_STR(suggest("city:oslo hou", NULL, 8),
              "city:oslo housing=1|city:oslo housing first=1");
    CHECK_STR(suggest("asylum OR oslo hou", NULL, 8),
              "asylum OR oslo housing=2|asylum OR oslo housing first=1");
    /* Context that does not parse is ignored. */
    CHECK_STR(suggest("\"refugee hou", NULL, 8),
              "\"refugee housing=3|\"refugee housing first=1");
    fx_teardown(&fx);
}

/* The fixture stores ids, not records, so CJK runs, completed from the
 * reports' stored text, get their own index: a posting per character as
 * the indexer writes them, and each text stored as a report. Thai,
 * segmented into words, completes its last word. */
/* An index of reports holding only texts[0..n), in Japanese. */
static void cjk_index(const char *const *texts, size_t n)
{
    urb_xdb_t *w;
    urb_tokenizer_t *tz = urb_tokenizer_new();
    urb_buf_t data = {0};
    urb_token_t tk;
    memset(&fx, 0, sizeof fx);
    fx.dir = urb_test_tmpdir();
    CHECK(tz && urb_xdb_open(fx.dir, URB_XDB_CREATE_OR_OVERWRITE, &w,
                             NULL) == URB_X_OK);
    for (size_t i = 0; i < n; i++) {
        urb_xdoc_t *doc = urb_xdoc_new();
        urb_report_t r = {.text = {texts[i], strlen(texts[i])}};
        char id[24];
        snprintf(id, sizeof id, "%s%zu", URB_PFX_ID, i);
        uint32_t pos = 0;
        data.len = 0;
        urb_tokenizer_reset(tz, texts[i], strlen(texts[i]));
        while (urb_tokenizer_next(tz, &tk) > 0)
            CHECK(urb_xdoc_add_posting(doc, tk.term, tk.term_len, ++pos, 1) ==
                  URB_X_OK);
        CHECK(urb_report_encode(&r, &data) == 0);
        CHECK(urb_xdoc_set_data(doc, data.data, data.len) == URB_X_OK);
        CHECK(urb_xdb_replace_by_term(w, id, strlen(id), doc, NULL) ==
              URB_X_OK);
        urb_xdoc_free(doc);
    }
    CHECK(urb_xdb_commit(w) == URB_X_OK);
    urb_xdb_free(w);
    urb_tokenizer_free(tz);
    urb_buf_free(&data);
    CHECK(urb_xdb_open(fx.dir, URB_XDB_READ, &fx.db, NULL) == URB_X_OK);
    CHECK((fx.qp = urb_qparser_new("ja")) != NULL);
}

static void cjk_setup(void)
{
    static const char *const texts[] = {
        "多文化共生の推進。", "多文化共生と多文化主義。",
        "多文化な都市。東京の多言語。", "แรงงานข้ามชาติ"};
    cjk_index(texts, sizeof texts / sizeof texts[0]);
}

/* Of 2,000 reports, each character in 153, the phrase in 20: few
 * enough that Xapian's estimate of the phrase query, unchecked, is 0,
 * and too many for a checked count. The continuation is counted from the
 * reports read instead. */
static void cjk_sparse_phrase(void)
{
    static char buf[2000][64];
    static const char *texts[2000];
    for (size_t i = 0; i < 2000; i++) {
        snprintf(buf[i], sizeof buf[i], "%s",
                 i % 100 == 0  ? "社区服务中心。"
                 : i % 15 == 1 ? "社会。地区。服装。任务。"
                               : "其他文本。");
        texts[i] = buf[i];
    }
    cjk_index(texts, 2000);
    unsigned count = 0;
    CHECK(sscanf(suggest("社区服", NULL, 1), "社区服务=%u", &count) == 1);
    CHECK(count >= 20);
    fx_teardown(&fx);
}

static void cjk_runs(void)
{
    cjk_setup();
    /* The run grows by one to three characters, by reports holding it. */
    CHECK_STR(suggest("多文", NULL, 3), "多文化=3|多文化共=2|多文化共生=2");
    CHECK_STR(suggest("都", NULL, 8), "都市=1");
    /* Only the run after the punctuation; the earlier text is context. */
    CHECK_STR(suggest("東京、多文", NULL, 8),
              "東京、多文化=1|東京、多文化な=1|東京、多文化な都=1");
    /* The reports read are those of the context too. */
    CHECK_STR(suggest("東京、多", NULL, 8),
              "東京、多文=1|東京、多文化=1|東京、多文化な=1|東京、多言=1|"
              "東京、多言語=1");
    /* A run no report holds, or with nothing after it. */
    CHECK_STR(suggest("多語", NULL, 8), "");
    CHECK_STR(suggest("推進", NULL, 8), "");
    /* Thai completes the run's last word; the words before are context. */
    CHECK_STR(suggest("แรงงานข้า", NULL, 8), "แรงงานข้าม=1");
    CHECK_STR(suggest("ชาติแรงงานข้า", NULL, 8), "");
    fx_teardown(&fx);
}

static const char *correct_in(const char *text, const char *lang)
{
    char *c;
    if (urb_query_correct(fx.qp, fx.db, text, strlen(text), lang, &c) !=
        URB_X_OK)
        return "ERR";
    if (!c)
        return "(none)";
    strcpy(joined, c);
    free(c);
    return joined;
}

static const char *correct(const char *text)
{
    return correct_in(text, NULL);
}

static void spelling(void)
{
    fx_setup(&fx);
    CHECK_STR(correct("refugee housng"), "refugee housing");
    CHECK_STR(correct("Refugee Housng in  Valencia"),
              "Refugee housing in  Valencia");
    CHECK_STR(correct("intgration"), "integration"); /* long: edit 2 */
    CHECK_STR(correct("\"refugee housng\" -asylm"),
              "\"refugee housing\" -asylum");
    /* Known words, stems, wildcards, filters, short words stay. */
    CHECK_STR(correct("refugee housing"), "(none)");
    CHECK_STR(correct("housings"), "(none)");
    CHECK_STR(correct("housng*"), "(none)");
    CHECK_STR(correct("city:housng"), "(none)");
    CHECK_STR(correct("osl"), "(none)");
    CHECK_STR(correct("xyzzyq"), "(none)");
    CHECK_STR(correct("\"housng"), "(none)");
    /* Per language: a Spanish word is no correction for English. */
    CHECK_STR(correct("vivienta"), "vivienda");
    CHECK_STR(correct_in("vivienta", "es"), "vivienda");
    CHECK_STR(correct_in("vivienta", "en"), "(none)");
    CHECK_STR(correct_in("housng", "en"), "housing");
    fx_teardown(&fx);
}

/* ---- Completion tables (complete.h) ---- */

/* The fixture's words: every prefix of each, alone and after a context,
 * is a text to complete. */
typedef struct texts {
    char v[4096][64];
    size_t n;
} texts_t;

static void add_text(texts_t *t, const char *ctx, const char *w, size_t n)
{
    if (t->n < 4096)
        snprintf(t->v[t->n++], sizeof t->v[0], "%s%.*s", ctx, (int)n, w);
}

static int on_fx_word(void *ctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    if (*term >= 'A' && *term <= 'Z')
        return 0;
    for (size_t n = 1; n <= len && len < 48; n++)
        if (n == len || ((unsigned char)term[n] & 0xC0) != 0x80) {
            add_text(ctx, "", term, n);
            add_text(ctx, "refugee ", term, n);
        }
    return 0;
}

/* Rewrites the fixture's tables for prefixes more than min words share. */
static void build_tables(size_t min)
{
    urb_xdb_t *w;
    char *msg = NULL;
    urb_xdb_free(fx.db);
    fx.db = NULL;
    CHECK(urb_xdb_open(fx.dir, URB_XDB_CREATE_OR_OPEN, &w, &msg) == URB_X_OK);
    CHECK(urb_complete_build(w, min, &msg) == URB_X_OK);
    CHECK(msg == NULL);
    CHECK(urb_xdb_commit(w) == URB_X_OK);
    urb_xdb_free(w);
    CHECK(urb_xdb_open(fx.dir, URB_XDB_READ, &fx.db, &msg) == URB_X_OK);
    urb_qparser_forget(fx.qp);
}

static int count_key(void *ctx, const char *key, size_t len, uint32_t freq)
{
    (void)key, (void)len, (void)freq;
    ++*(size_t *)ctx;
    return 0;
}

static size_t tables(void)
{
    size_t n = 0;
    CHECK(urb_xdb_metadata_keys(fx.db, URB_META_COMPLETE, count_key, &n) ==
          URB_X_OK);
    return n;
}

static void tables_answer_as_terms(void)
{
    static texts_t t;
    static char before[4096][512];
    fx_setup(&fx);
    t.n = 0;
    CHECK(urb_xdb_allterms(fx.db, "", on_fx_word, &t) == URB_X_OK);
    CHECK(t.n > 300);
    for (size_t i = 0; i < t.n; i++)
        snprintf(before[i], sizeof before[i], "%s", suggest(t.v[i], NULL, 8));
    /* A table at every prefix: each answer comes from one, and is the
     * same as from the terms. */
    build_tables(0);
    CHECK(tables() > 300);
    char *v;
    size_t len;
    CHECK(urb_xdb_get_metadata(fx.db, URB_META_COMPLETE_WORDS "hou", &v,
                               &len) == URB_X_OK);
    CHECK_STR(v, "3\thousing\t\n");
    free(v);
    CHECK(urb_xdb_get_metadata(fx.db, URB_META_COMPLETE_PAIRS "san", &v,
                               &len) == URB_X_OK);
    CHECK_STR(v, "1\tsan sebastian\t\tsebastián\n");
    free(v);
    size_t same = 0;
    for (size_t i = 0; i < t.n; i++) {
        const char *now = suggest(t.v[i], NULL, 8);
        if (strcmp(now, before[i]) == 0)
            same++;
        else
            fprintf(stderr, "  %s: %s, from the terms %s\n", t.v[i], now,
                    before[i]);
    }
    CHECK(same == t.n);
    /* A rebuild drops the tables no prefix needs any more. */
    build_tables(1000);
    CHECK(tables() == 0);
    CHECK_STR(suggest("hou", NULL, 8), "housing=3|housing first=1");
    fx_teardown(&fx);
}

/* A context of up to 8 reports is counted in their term lists, a larger
 * one along the candidates' posting lists: the counts agree. */
static void context_sizes(void)
{
    static char ids[20][16], bodies[20][64];
    fx_doc_t d[20];
    for (size_t i = 0; i < 20; i++) {
        snprintf(ids[i], sizeof ids[i], "en-%zu", i);
        snprintf(bodies[i], sizeof bodies[i], "%s %s",
                 i < 14 ? "refugee" : "asylum", i % 3 ? "housing" : "health");
        d[i] = (fx_doc_t){.id = ids[i], .lang = "en", .title = "Report",
                          .body = bodies[i]};
    }
    fx_setup_docs(&fx, d, 20, "en");
    /* refugee: 14 reports (0-13), housing in 9 of them; asylum: 6
     * reports (14-19), housing in 4. */
    CHECK_STR(suggest("refugee hou", "en", 1), "refugee housing=9");
    CHECK_STR(suggest("asylum hou", "en", 1), "asylum housing=4");
    CHECK_STR(suggest("refugee hea", "en", 1), "refugee health=5");
    CHECK_STR(suggest("asylum hea", "en", 1), "asylum health=2");
    fx_teardown(&fx);
}

URB_TEST_MAIN(T(completes_last_word), T(completes_phrases),
              T(written_form_kept), T(ordered_by_count),
              T(context_and_language), T(cjk_runs), T(spelling),
              T(tables_answer_as_terms), T(cjk_sparse_phrase),
              T(context_sizes))
