/* Snippets: the passage chosen, its cuts, and what is highlighted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "urbis/query.h"

static urb_qparser_t *qp;
static urb_buf_t out;
static urb_snippet_t last;

static const urb_qopts_t EN = {.lang = "en"};

/* The HTML snippet of text for query q. */
static const char *snip(const char *q, const urb_qopts_t *o, const char *text,
                        const char *lang, size_t width)
{
    const urb_qinfo_t *info;
    urb_xquery_t *xq;
    out.len = 0;
    if (urb_qparser_parse(qp, q, strlen(q), o, &xq, &info) != URB_X_OK)
        return urb_qparser_errmsg(qp);
    urb_xquery_free(xq);
    if (urb_snippet_find(qp, info, text, strlen(text), lang, width, &last) <
            0 ||
        urb_snippet_html(text, strlen(text), &last, &out) < 0 ||
        urb_buf_append(&out, "", 0) < 0)
        return "(OOM)";
    return out.data;
}

static void setup(void)
{
    qp = urb_qparser_new("de,en,es,zh");
    if (!qp)
        exit(2);
}

static void teardown(void)
{
    urb_qparser_free(qp);
    urb_buf_free(&out);
}

static void through_diacritics_and_stems(void)
{
    setup();
    CHECK_STR(snip("valencia", NULL, "Welcome to València, a city by the sea.",
                   "en", 200),
              "Welcome to <b>València</b>, a city by the sea.");
    CHECK_STR(snip("refugee", NULL, "Housing for refugees and their families.",
                   "en", 200),
              "Housing for <b>refugees</b> and their families.");
    CHECK_STR(snip("fluchtling", NULL, "Berlin hilft Flüchtlingen.", "de", 200),
              "Berlin hilft <b>Flüchtlingen</b>.");
    /* Stems only in the document's language, when the query uses it. */
    CHECK_STR(snip("refugee", &EN, "Housing for refugees.", "es", 200),
              "Housing for refugees.");
    /* The same word twice, in different forms. */
    CHECK_STR(snip("refugees", NULL, "A refugee meets refugees.", "en", 200),
              "A <b>refugee</b> meets <b>refugees</b>.");
    teardown();
}

static void what_is_highlighted(void)
{
    setup();
    /* Neighbours merge across white space only. */
    CHECK_STR(snip("refugee housing", NULL, "The refugee housing programme.",
                   "en", 200),
              "The <b>refugee housing</b> programme.");
    CHECK_STR(snip("refugee housing", NULL, "Refugee, housing.", "en", 200),
              "<b>Refugee</b>, <b>housing</b>.");
    /* Excluded words and dropped stopwords are not shown. */
    CHECK_STR(
        snip("housing -refugees", NULL, "Housing for refugees.", "en", 200),
        "<b>Housing</b> for refugees.");
    CHECK_STR(snip("the housing", &EN, "The housing plan.", "en", 200),
              "The <b>housing</b> plan.");
    /* Kept by an unsure query, a stopword is still not shown... */
    CHECK_STR(snip("plan of housing", NULL, "A plan of housing.", "en", 200),
              "A <b>plan</b> of <b>housing</b>.");
    /* ...unless the query has nothing else. */
    CHECK_STR(snip("of", NULL, "A plan of housing.", "en", 200),
              "A plan <b>of</b> housing.");
    CHECK_STR(
        snip("integ*", NULL, "Social integration and integrity.", "en", 200),
        "Social <b>integration</b> and <b>integrity</b>.");
    CHECK_STR(snip("title:housing", NULL, "The housing plan.", "en", 200),
              "The <b>housing</b> plan.");
    CHECK_STR(snip("难民", NULL, "关于难民住房的政策", "zh", 200),
              "关于<b>难民</b>住房的政策");
    teardown();
}

static void escaping_and_space(void)
{
    setup();
    CHECK_STR(snip("housing", NULL, "Rents & \"housing\" <costs>", "en", 200),
              "Rents &amp; &quot;<b>housing</b>&quot; &lt;costs&gt;");
    CHECK_STR(snip("housing", NULL, "Line one\n\n  housing\tplan", "en", 200),
              "Line one <b>housing</b> plan");
    /* White space around the text is no cut. */
    CHECK_STR(snip("housing", NULL, "\n\nHousing plan.\n", "en", 200),
              "<b>Housing</b> plan.");
    teardown();
}

static void window(void)
{
    setup();
    const char *t = "Alpha beta gamma delta epsilon zeta eta theta iota kappa "
                    "refugee housing lambda mu nu xi omicron pi rho sigma tau "
                    "upsilon.";
    CHECK_STR(snip("refugee housing", NULL, t, "en", 40),
              "…iota kappa <b>refugee housing</b> lambda mu nu…");
    CHECK(last.start == 46 && last.end == 85);
    CHECK(last.n_hl == 1 && last.hl[0].start == 57 && last.hl[0].end == 72);
    /* No match: the beginning. */
    CHECK_STR(snip("asylum", NULL, t, "en", 40),
              "Alpha beta gamma delta epsilon zeta eta…");
    /* At the end of the text, the window reaches back. */
    CHECK_STR(snip("upsilon", NULL, t, "en", 40),
              "…nu xi omicron pi rho sigma tau <b>upsilon</b>.");
    teardown();
}

static void best_window(void)
{
    setup();
    /* Distinct words first: the lone early "refugee" loses to the pair. */
    const char *t = "One refugee came first. Filler words follow here to push "
                    "the rest far away from the start of this text. Later "
                    "the refugee housing plan was adopted by the council.";
    CHECK_STR(snip("refugee housing", NULL, t, "en", 50),
              "…text. Later the <b>refugee housing</b> plan was adopted…");
    /* Then more matches: two "housing" beat one. */
    const char *u = "Housing is scarce in this city today. Filler words to "
                    "separate. Housing costs and housing stock grow.";
    CHECK_STR(snip("housing", NULL, u, "en", 40),
              "…<b>Housing</b> costs and <b>housing</b> stock…");
    teardown();
}

static void unspaced_cut(void)
{
    setup();
    /* No spaces: cut on character boundaries, never inside one. */
    const char *t =
        "关于城市的政策和计划以及难民住房的政策和计划以及其他的事情";
    const char *got = snip("难民", NULL, t, "zh", 18);
    CHECK_STR(got, "…以及<b>难民</b>住房…");
    teardown();
}

/* The HTML snippet of text for the query of the last parse. */
static const char *again(const urb_qinfo_t *info, const char *text,
                         const char *lang)
{
    out.len = 0;
    if (urb_snippet_find(qp, info, text, strlen(text), lang, 200, &last) < 0 ||
        urb_snippet_html(text, strlen(text), &last, &out) < 0 ||
        urb_buf_append(&out, "", 0) < 0)
        return "(OOM)";
    return out.data;
}

/* What the snippets learn about a text's words lasts for the documents of
 * one query in one language, and no further. */
static void remembered_words(void)
{
    setup();
    const urb_qinfo_t *info;
    urb_xquery_t *xq;
    static const urb_qopts_t noxl = {0};
    CHECK(urb_qparser_parse(qp, "refugees", 8, &noxl, &xq, &info) == URB_X_OK);
    urb_xquery_free(xq);
    CHECK_STR(again(info, "Refugee housing.", "en"), "<b>Refugee</b> housing.");
    CHECK_STR(again(info, "More refugee housing.", "en"),
              "More <b>refugee</b> housing.");
    /* Spanish stems refugee otherwise: the same spelling, another answer. */
    CHECK_STR(again(info, "Refugee housing.", "es"), "Refugee housing.");
    CHECK_STR(again(info, "Refugee housing.", "en"), "<b>Refugee</b> housing.");
    /* A new query: housing now, refugee no more. */
    CHECK_STR(snip("housing", NULL, "Refugee housing.", "en", 200),
              "Refugee <b>housing</b>.");
    /* Text long enough to fill the cache more than once, every word new. */
    urb_buf_t text = {0};
    for (int i = 0; i < 20000; i++) {
        char w[32];
        snprintf(w, sizeof w, "w%dx ", i);
        urb_buf_append(&text, w, strlen(w));
    }
    urb_buf_append(&text, "housings", 8);
    CHECK(strstr(snip("housing", NULL, text.data, "en", 40), "<b>housings</b>"));
    urb_buf_free(&text);
    teardown();
}

URB_TEST_MAIN(T(through_diacritics_and_stems), T(what_is_highlighted),
              T(escaping_and_space), T(window), T(best_window), T(unspaced_cut),
              T(remembered_words))
