/* The query parser, judged by which documents of a real index match. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "test.h"

static fx_t fx;

static const urb_qopts_t EN = {.lang = "en"};
static const urb_qopts_t ES = {.lang = "es"};
static const urb_qopts_t OR = {.op_or = true};

/* lang=auto without the thesaurus (thesaurus_test.c tests it). */
static const urb_qopts_t AUTO = {0};
#define SEARCH(q, want) CHECK_STR(fx_search(&fx, q, &AUTO), want)
#define SEARCH_O(q, o, want) CHECK_STR(fx_search(&fx, q, &o), want)

static void words_and_default_op(void)
{
    fx_setup(&fx);
    SEARCH("housing", "en-cardiff,en-oslo,en-valencia");
    SEARCH("housing oslo", "en-oslo");
    SEARCH("asylum oslo", "");
    SEARCH_O("asylum oslo", OR, "en-cardiff,en-oslo");
    SEARCH("oslo:housing", "en-oslo"); /* an unknown field is words */
    fx_teardown(&fx);
}

static void folding(void)
{
    fx_setup(&fx);
    SEARCH("VALENCIA", "en-valencia,es-donostia");
    SEARCH("valència", "en-valencia,es-donostia");
    SEARCH("fluchtlinge", "de-berlin");
    SEARCH("associacoes", "pt-lisboa");
    SEARCH("ＯＳＬＯ", "en-oslo"); /* fullwidth */
    fx_teardown(&fx);
}

static void stem_expansion(void)
{
    fx_setup(&fx);
    /* en-cardiff only says "refugee": found through the English stem. */
    SEARCH("refugees", "en-cardiff,en-valencia");
    SEARCH("refugiados", "es-donostia");
    SEARCH("Flüchtling", "de-berlin");
    SEARCH("associacao", "pt-lisboa");
    /* lang=en expands in English alone; xl adds the others (and the
     * thesaurus' translations). */
    SEARCH_O("refugiados", EN, "");
    urb_qopts_t en_xl = {.lang = "en", .xl = true};
    SEARCH_O("refugiados", en_xl,
             "de-berlin,en-cardiff,en-valencia,es-donostia,zh-shanghai");
    SEARCH_O("refugees", EN, "en-cardiff,en-valencia");
    fx_teardown(&fx);
}

static void phrases(void)
{
    fx_setup(&fx);
    SEARCH("\"refugee housing\"", "en-valencia");
    SEARCH("\"housing refugee\"", "");
    SEARCH("\"offers housing to refugees\"", "en-valencia");
    SEARCH("\"offers housing to refugee\"", ""); /* phrases are unstemmed */
    /* One word of several tokens is a phrase. */
    SEARCH("associations-support", "en-valencia");
    SEARCH("support-associations", "");
    SEARCH("\"\"", "ERR nothing to search for");
    fx_teardown(&fx);
}

static void boolean_operators(void)
{
    fx_setup(&fx);
    SEARCH("asylum OR oslo", "en-cardiff,en-oslo");
    SEARCH("housing NOT refugees", "en-oslo");
    SEARCH("housing -refugees", "en-oslo");
    SEARCH("housing AND NOT refugees", "en-oslo");
    SEARCH("NOT housing",
           "de-berlin,es-donostia,pt-lisboa,zh-other,zh-shanghai");
    SEARCH("-housing", "de-berlin,es-donostia,pt-lisboa,zh-other,zh-shanghai");
    SEARCH("NOT NOT oslo", "en-oslo");
    SEARCH("(asylum OR oslo) housing", "en-cardiff,en-oslo");
    SEARCH("(asylum OR oslo) refugee", "en-cardiff");
    /* OR binds loosest, explicit AND tightest. */
    SEARCH("asylum OR oslo housing", "en-cardiff,en-oslo");
    SEARCH("asylum OR first AND oslo", "en-cardiff,en-oslo");
    SEARCH("berlin OR NOT housing",
           "de-berlin,es-donostia,pt-lisboa,zh-other,zh-shanghai");
    SEARCH("NOT housing OR NOT berlin",
           "de-berlin,en-cardiff,en-oslo,en-valencia,es-donostia,pt-lisboa,"
           "zh-other,zh-shanghai");
    SEARCH("NOT (housing OR berlin) lisboa", "pt-lisboa");
    SEARCH("((((oslo))))", "en-oslo");
    /* Operators only in upper case: Spanish has no stopword "or". */
    SEARCH_O("asylum or oslo", ES, "");
    SEARCH_O("asylum OR oslo", ES, "en-cardiff,en-oslo");
    SEARCH_O("housing not refugees", ES, "");
    /* op=or: + requires, - excludes. */
    SEARCH_O("+asylum oslo", OR, "en-cardiff");
    SEARCH_O("-asylum housing", OR, "en-oslo,en-valencia");
    SEARCH_O("asylum AND council oslo", OR, "en-cardiff,en-oslo");
    fx_teardown(&fx);
}

static void fields_and_filters(void)
{
    fx_setup(&fx);
    SEARCH("title:refugee", "en-valencia");
    SEARCH("title:housing", "en-oslo,en-valencia");
    SEARCH("title:\"housing first\"", "en-oslo");
    SEARCH("title:\"first housing\"", "");
    SEARCH("title:hous*", "en-oslo,en-valencia");
    SEARCH("title:cardiff", "en-cardiff");
    SEARCH("title:asylum", "");
    SEARCH("section:integration", "en-valencia");
    SEARCH("city:valencia", "en-valencia");
    SEARCH("CITY:Valencia", "en-valencia");
    SEARCH("city:\"San Sebastián\"", "es-donostia");
    SEARCH("city:\"san sebastian\"", "es-donostia");
    SEARCH("city:san", "");
    SEARCH("country:es", "en-valencia,es-donostia");
    SEARCH("lang:en", "en-cardiff,en-oslo,en-valencia");
    SEARCH("network:\"Intercultural Cities\"", "en-valencia,es-donostia");
    SEARCH("network:eurocities", "de-berlin,en-valencia");
    /* Same field OR, different fields AND. */
    SEARCH("city:valencia city:cardiff", "en-cardiff,en-valencia");
    SEARCH("country:es lang:es", "es-donostia");
    SEARCH("housing city:oslo", "en-oslo");
    SEARCH("housing (city:oslo OR city:cardiff)", "en-cardiff,en-oslo");
    SEARCH("housing -country:es", "en-cardiff,en-oslo");
    SEARCH("NOT country:es",
           "de-berlin,en-cardiff,en-oslo,pt-lisboa,zh-other,zh-shanghai");
    fx_teardown(&fx);
}

static void year_ranges(void)
{
    fx_setup(&fx);
    SEARCH("year:2019", "es-donostia");
    SEARCH("year:2015..2018", "de-berlin,en-cardiff,pt-lisboa");
    SEARCH("year:2020..", "en-oslo,en-valencia");
    SEARCH("year:..2015", "pt-lisboa");
    SEARCH("housing year:2016..2021", "en-cardiff,en-oslo");
    SEARCH("year:2016 OR year:2019", "en-cardiff,es-donostia");
    fx_teardown(&fx);
}

static void wildcards(void)
{
    fx_setup(&fx);
    SEARCH("integ*", "en-valencia,pt-lisboa");
    SEARCH("hous*", "en-cardiff,en-oslo,en-valencia");
    SEARCH("hous* asylum", "en-cardiff");
    SEARCH("zzz*", "");
    fx_teardown(&fx);
}

static void cjk(void)
{
    fx_setup(&fx);
    SEARCH("难民", "zh-shanghai");
    SEARCH("民难", "");
    SEARCH("难", "zh-other,zh-shanghai");
    SEARCH("难民住房", "zh-shanghai");
    SEARCH("\"难民\" OR 困难", "zh-other,zh-shanghai");
    fx_teardown(&fx);
}

static void stopwords(void)
{
    fx_setup(&fx);
    const urb_qinfo_t *info;
    urb_xquery_t *q;
    /* en-oslo lacks "the": dropped beside a real word... */
    SEARCH_O("the housing", EN, "en-cardiff,en-oslo,en-valencia");
    /* ...kept when signed, in phrases, or when all are stopwords. */
    SEARCH_O("+the housing", EN, "en-cardiff,en-valencia");
    SEARCH_O("\"the council\"", EN, "en-cardiff");
    SEARCH_O("the", EN, "en-cardiff,en-valencia");
    SEARCH_O("the of", EN, "en-cardiff,en-valencia");
    /* lang=auto: a short query's language is only a guess, yet its
     * stopwords are dropped beside real words, so en-oslo, which lacks
     * "the", is found; alone they are still searched. */
    SEARCH("the housing", "en-cardiff,en-oslo,en-valencia");
    SEARCH("housing for newcomers", "en-oslo,en-valencia");
    SEARCH("the", "en-cardiff,en-valencia");
    CHECK(urb_qparser_parse(fx.qp, "the housing", 11, &EN, &q, &info) ==
          URB_X_OK);
    CHECK(info && info->n_words == 2);
    if (info && info->n_words == 2) {
        CHECK(info->words[0].flags & URB_QW_STOP);
        CHECK(!(info->words[1].flags & URB_QW_STOP));
    }
    urb_xquery_free(q);
    fx_teardown(&fx);
}

static void syntax_errors(void)
{
    static const char *const cases[][2] = {
        {"(housing", "missing )"},
        {"housing)", "unbalanced )"},
        {"(housing))", "unbalanced )"},
        {"\"refugee housing", "unterminated quote"},
        {"title:\"refugee", "unterminated quote"},
        {"housing AND", "AND without operand"},
        {"AND housing", "AND without operand"},
        {"OR housing", "OR without operand"},
        {"housing OR", "OR without operand"},
        {"housing AND AND oslo", "AND without operand"},
        {"housing OR ) oslo", "OR without operand"},
        {"NOT", "NOT without operand"},
        {"housing NOT", "NOT without operand"},
        {"-(", "missing )"},
        {"()", "empty parentheses"},
        {"housing ()", "empty parentheses"},
        {"city:", "city: without a value"},
        {"city: valencia", "city: without a value"},
        {"city:\"\"", "city: without a value"},
        {"city:\" \"", "city: without a value"},
        {"title:)", "title: without a value"},
        {"year:abc", "bad year: abc"},
        {"year:2020..2015", "bad year: 2020..2015"},
        {"year:..", "bad year: .."},
        {"year:20155", "bad year: 20155"},
        {"year:2015...2016", "bad year: 2015...2016"},
        {"!!!", "nothing to search for"},
        {"\xff", "invalid UTF-8"},
    };
    fx_setup(&fx);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "ERR %s", cases[i][1]);
        CHECK_STR(fx_search(&fx, cases[i][0], NULL), want);
    }
    char deep[200];
    memset(deep, '(', 100);
    strcpy(deep + 100, "oslo");
    memset(deep + 104, ')', 95);
    deep[199] = '\0';
    CHECK_STR(fx_search(&fx, deep, NULL), "ERR query nested too deeply");
    CHECK_STR(fx_search(&fx, "", NULL), "BLANK");
    CHECK_STR(fx_search(&fx, " \t ", NULL), "BLANK");
    /* An error leaves the parser fit for the next query. */
    SEARCH("oslo", "en-oslo");
    fx_teardown(&fx);
}

static void query_info(void)
{
    fx_setup(&fx);
    const char *text = "refugees \"housing first\" title:oslo l'accueil "
                       "integ* -asylum";
    const urb_qinfo_t *info;
    urb_xquery_t *q;
    CHECK(urb_qparser_parse(fx.qp, text, strlen(text), &EN, &q, &info) ==
          URB_X_OK);
    if (!info || info->n_words != 8) {
        CHECK(!"eight words");
        urb_xquery_free(q);
        fx_teardown(&fx);
        return;
    }
    static const struct {
        const char *term;
        size_t start, end;
        unsigned flags;
    } want[] = {
        {"refugees", 0, 8, 0},
        {"housing", 10, 17, URB_QW_PHRASE},
        {"first", 18, 23, URB_QW_PHRASE},
        {"oslo", 31, 35, URB_QW_FIELD},
        {"l", 36, 37, URB_QW_PHRASE},
        {"accueil", 38, 45, URB_QW_PHRASE},
        {"integ", 46, 51, URB_QW_PREFIX},
        {"asylum", 54, 60, URB_QW_NEG},
    };
    for (size_t i = 0; i < 8; i++) {
        CHECK_STR(info->words[i].term, want[i].term);
        CHECK(info->words[i].start == want[i].start);
        CHECK(info->words[i].end == want[i].end);
        CHECK(info->words[i].flags == want[i].flags);
    }
    CHECK(info->n_langs == 1);
    CHECK_STR(info->langs[0], "en");
    CHECK_STR(info->stems[0], "refuge");
    CHECK(info->stems[1] == NULL); /* phrase words are not stemmed */
    char *d = urb_xquery_describe(q);
    CHECK(d && strstr(d, "SYNONYM") && strstr(d, "ZENrefuge"));
    CHECK(d && strstr(d, "Soslo") && strstr(d, "AND_NOT"));
    free(d);
    urb_xquery_free(q);
    fx_teardown(&fx);
}

static void language_detection(void)
{
    fx_setup(&fx);
    const urb_qinfo_t *info;
    urb_xquery_t *q;
    /* Short: every language. */
    CHECK(urb_qparser_parse(fx.qp, "refugees", 8, NULL, &q, &info) == URB_X_OK);
    CHECK(info && info->n_langs == 4); /* zh has no stemmer */
    urb_xquery_free(q);
    /* A sentence (enough letters for a sure guess): its language alone,
     * and its stopwords dropped. */
    const char *s = "the city of valencia offers housing to refugees and "
                    "supports the integration of newcomers";
    CHECK(urb_qparser_parse(fx.qp, s, strlen(s), NULL, &q, &info) == URB_X_OK);
    CHECK(info && info->detected && strcmp(info->detected, "en") == 0);
    CHECK(info && info->n_langs == 1 && strcmp(info->langs[0], "en") == 0);
    urb_xquery_free(q);
    CHECK_STR(fx_search(&fx, s, NULL), "en-valencia");
    fx_teardown(&fx);
}

/* The filter= option's filters, built apart from query text. */
static void filters_alone(void)
{
    fx_setup(&fx);
    static const char *const cases[][3] = {
        {"city", "San Sebastián", "es-donostia"},
        {"country", "ES", "en-valencia,es-donostia"},
        {"lang", "de", "de-berlin"},
        {"network", "intercultural CITIES", "en-valencia,es-donostia"},
        {"year", "2016..2019", "de-berlin,en-cardiff,es-donostia"},
        {"year", "x", "ERR bad year: x"},
        {"title", "housing", "ERR unknown filter: title"},
        {"city", "", "ERR city: without a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        urb_xquery_t *q;
        const char *v = cases[i][1];
        if (urb_query_filter(fx.qp, cases[i][0], v, strlen(v), &q) ==
            URB_X_OK) {
            CHECK_STR(fx_run(&fx, q), cases[i][2]);
            urb_xquery_free(q);
        } else {
            char got[128];
            snprintf(got, sizeof got, "ERR %s", urb_qparser_errmsg(fx.qp));
            CHECK_STR(got, cases[i][2]);
        }
    }
    fx_teardown(&fx);
}

/* With prune, the stems the index lacks are left out of the query, and
 * every query finds what it found with them. */
static void pruning(void)
{
    static const char *qs[] = {
        "housing", "refugees", "Flüchtling", "refugee housing",
        "\"refugee housing\"", "housing -oslo", "asylum OR vivienda",
        "title:refugee", "refug*", "city:oslo housing", "多文化", "2015",
        "integração", "(housing OR asylum) AND oslo", "xyzzy"};
    urb_qopts_t pr = {0}, pr_xl = {.xl = true};
    char before[512];
    fx_setup(&fx);
    pr.prune = pr_xl.prune = fx.db;
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        snprintf(before, sizeof before, "%s", fx_search(&fx, qs[i], &AUTO));
        CHECK_STR(fx_search(&fx, qs[i], &pr), before);
        snprintf(before, sizeof before, "%s",
                 fx_search(&fx, qs[i], &(urb_qopts_t){.xl = true}));
        CHECK_STR(fx_search(&fx, qs[i], &pr_xl), before);
    }
    /* "housing" has an English stem in the index, no German one. */
    urb_xquery_t *q;
    CHECK(urb_qparser_parse(fx.qp, "housing", 7, &pr, &q, NULL) == URB_X_OK);
    char *d = urb_xquery_describe(q);
    CHECK(d && strstr(d, "ZENhous") && !strstr(d, "ZDE"));
    free(d);
    urb_xquery_free(q);
    CHECK(urb_qparser_parse(fx.qp, "housing", 7, &AUTO, &q, NULL) == URB_X_OK);
    d = urb_xquery_describe(q);
    CHECK(d && strstr(d, "ZDE"));
    free(d);
    urb_xquery_free(q);
    fx_teardown(&fx);
}

URB_TEST_MAIN(T(words_and_default_op), T(folding), T(stem_expansion),
              T(phrases), T(boolean_operators), T(fields_and_filters),
              T(year_ranges), T(wildcards), T(cjk), T(stopwords),
              T(syntax_errors), T(query_info), T(language_detection),
              T(filters_alone), T(pruning))
