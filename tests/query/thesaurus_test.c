/* The thesaurus: the data file itself (data/thesaurus.txt, as compiled
 * in), the reader's errors, and its use by the query parser and the
 * snippets. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "test.h"
#include "urbis/lang.h"
#include "urbis/schema.h"
#include "urbis/thesaurus.h"

static urb_thes_t *load(const char *text, char *err, size_t errlen)
{
    return urb_thes_new(text, strlen(text), NULL, err, errlen);
}

static int lang_of(const urb_thes_t *t, const char *code)
{
    for (size_t i = 0; i < t->n_langs; i++)
        if (strcmp(t->langs[i], code) == 0)
            return (int)i;
    return -1;
}

/* Adds to codes (space-separated) the language of each report under dir,
 * from its name: "berlin-de.md" is German. */
static void corpus_langs(const char *dir, char *codes, size_t cap)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            corpus_langs(path, codes, cap);
            continue;
        }
        const char *dash = strrchr(e->d_name, '-');
        const char *dot = strrchr(e->d_name, '.');
        if (!dash || !dot || dot - dash != 3)
            continue;
        char code[4] = {dash[1], dash[2], ' ', 0};
        if (urb_lang_known((char[3]){dash[1], dash[2], 0}) &&
            !strstr(codes, code) && strlen(codes) + 4 < cap)
            strcat(codes, code);
    }
    closedir(d);
}

static void data_file(void)
{
    char err[200];
    urb_thes_t *t = urb_thes_new(urb_thesaurus_text, urb_thesaurus_text_len,
                                 NULL, err, sizeof err);
    if (!t)
        fprintf(stderr, "data/thesaurus.txt: %s\n", err);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(t->n_concepts >= 150);
    /* Every language of the sample corpus is one of the file's. */
    char codes[256] = " ";
    corpus_langs(URBIS_CORPUS, codes, sizeof codes);
    CHECK(strlen(codes) > 19 * 3);
    for (const char *p = codes + 1; *p; p += 3) {
        char code[3] = {p[0], p[1], 0};
        if (lang_of(t, code) < 0)
            fprintf(stderr, "thesaurus lacks corpus language %s\n", code);
        CHECK(lang_of(t, code) >= 0);
    }
    /* Every concept has a form in every language, each form a word. */
    for (size_t c = 0; c < t->n_concepts; c++) {
        unsigned long long seen = 0;
        for (uint32_t f = t->first[c]; f < t->first[c + 1]; f++) {
            const urb_thes_form_t *fm = &t->forms[f];
            CHECK(fm->concept == c && fm->n_tok > 0);
            seen |= 1ull << fm->lang;
            for (uint32_t k = 0; k < fm->n_tok; k++)
                CHECK(t->toks[fm->tok + k].len > 0);
        }
        if (seen != (1ull << t->n_langs) - 1)
            fprintf(stderr, "concept %s lacks a language\n", t->concepts[c]);
        CHECK(seen == (1ull << t->n_langs) - 1);
    }
    urb_thes_free(t);
}

static void reader_errors(void)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"@langs en de\nx\nen\ta\n", "line 2: concept x lacks de"},
        {"@langs en de\n\nx\nen\ta\nde\t\n", "line 5: empty form"},
        {"@langs en de\nx\nen\ta || b\nde\tc\n", "line 3: empty form"},
        {"@langs en de\nx\nen\t!!\nde\tc\n", "line 3: form without a word: !!"},
        {"@langs en de\nx\nfr\ta\n", "line 3: language fr not in @langs"},
        {"@langs en de\nx\nen\ta\nen\tb\n",
         "line 4: en given twice for concept x"},
        {"@langs en\nx\nen\ta\nx\nen\tb\n", "line 4: concept x given twice"},
        {"@langs en\nX y\n", "line 2: bad concept name X y (a-z, 0-9, -)"},
        {"# c\nx\nen\ta\n", "line 2: concept before @langs"},
        {"@langs en\nen\ta\n", "line 2: forms before any concept"},
        {"@langs en xx\n", "line 1: unknown language xx"},
        {"@langs en en\n", "line 1: language en listed twice"},
        {"@langs en\nx\nen\ta\n@langs de\n", "line 4: @langs given twice"},
        {"@langs en\nx\nen\t\xc3\n", "line 3: invalid UTF-8"},
        {"@langs en\n", "no concept"},
        {"", "no @langs line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[200] = "";
        urb_thes_t *t = load(cases[i].text, err, sizeof err);
        CHECK(t == NULL);
        urb_thes_free(t);
        CHECK_STR(err, cases[i].err);
    }
    char err[200];
    urb_thes_t *t = load("# ok\r\n@langs en de\r\n\r\nx\r\nen\tA b | c\r\n"
                         "de\tFlüchtlinge\r\n",
                         err, sizeof err);
    CHECK(t != NULL);
    if (t) {
        CHECK(t->n_concepts == 1 && t->n_forms == 3);
        CHECK_STR(t->toks[0].term, "a");
        CHECK(t->forms[0].n_tok == 2 && t->forms[1].n_tok == 1);
        CHECK_STR(t->toks[3].term, "fluchtlinge"); /* folded */
    }
    urb_thes_free(t);
}

static void lookup(void)
{
    char err[200];
    urb_thes_t *t = urb_thes_new(urb_thesaurus_text, urb_thesaurus_text_len,
                                 "en, de", err, sizeof err);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(t->n_langs == 19); /* every language, forms of two */
    for (size_t f = 0; f < t->n_forms; f++) {
        const char *l = t->langs[t->forms[f].lang];
        CHECK(strcmp(l, "en") == 0 || strcmp(l, "de") == 0);
    }
    const uint32_t *forms;
    size_t n = urb_thes_find(t, "refugee", 7, &forms);
    CHECK(n >= 1);
    if (n)
        CHECK_STR(t->concepts[t->forms[forms[0]].concept], "refugee");
    /* By the German stem of "Flüchtlingen". */
    n = urb_thes_find(t, "ZDEfluchtling", 13, &forms);
    CHECK(n >= 1);
    if (n)
        CHECK_STR(t->concepts[t->forms[forms[0]].concept], "refugee");
    CHECK(urb_thes_find(t, "zzz", 3, &forms) == 0);
    urb_thes_free(t);
}

/* The process's thesauri are one per set of languages: none ("") is not
 * every one (NULL), whichever is asked first. */
static void builtin_sets(void)
{
    char err[200];
    const urb_thes_t *none = urb_thes_builtin("", err, sizeof err);
    const urb_thes_t *all = urb_thes_builtin(NULL, err, sizeof err);
    const urb_thes_t *en = urb_thes_builtin("en", err, sizeof err);
    CHECK(none && all && en);
    CHECK(none && none->n_forms == 0);
    CHECK(all && en && all->n_forms > en->n_forms && en->n_forms > 0);
    CHECK(en == urb_thes_builtin("en", err, sizeof err));
    CHECK(all == urb_thes_builtin(NULL, err, sizeof err));
}

static fx_t fx;
static const urb_qopts_t XL = {.xl = true};
static const urb_qopts_t NOXL = {0};
static const urb_qopts_t EN_XL = {.lang = "en", .xl = true};

static void query_expansion(void)
{
    fx_setup(&fx);
    /* English words find the German, Spanish and Chinese reports. */
    CHECK_STR(fx_search(&fx, "refugees", &XL),
              "de-berlin,en-cardiff,en-valencia,es-donostia,zh-shanghai");
    CHECK_STR(fx_search(&fx, "refugees", &EN_XL),
              "de-berlin,en-cardiff,en-valencia,es-donostia,zh-shanghai");
    CHECK_STR(fx_search(&fx, "refugees", &NOXL), "en-cardiff,en-valencia");
    /* And the other way round, through the German stem. */
    CHECK_STR(fx_search(&fx, "Flüchtlingen", &XL),
              "de-berlin,en-cardiff,en-valencia,es-donostia,zh-shanghai");
    /* A two-word form is one concept: Spanish "acogida" is not needed. */
    CHECK_STR(fx_search(&fx, "asylum seekers", &XL), "en-cardiff");
    /* Under NOT the words stay as typed. */
    CHECK_STR(fx_search(&fx, "housing -refugee", &XL),
              "en-oslo,es-donostia,zh-shanghai");
    fx_teardown(&fx);
}

static uint32_t termfreq(const char *term)
{
    uint32_t f = 0;
    CHECK(urb_xdb_termfreq(fx.db, term, strlen(term), &f) == URB_X_OK);
    return f;
}

/* The indexer gives a report a concept's term for each form met in the
 * report's own language: one word by its stem ("Flüchtlinge"), a phrase
 * word for word ("asylum seekers"), Chinese by its characters. */
static void concept_terms(void)
{
    fx_setup(&fx);
    CHECK(termfreq(URB_PFX_CONCEPT "refugee") == 5);
    CHECK(termfreq(URB_PFX_CONCEPT "asylum-seeker") == 1);
    /* "housing" in English reports, "vivienda" in the Spanish one, 住房 in
     * the Chinese; German "Wohnungssuche" is no form of it. */
    CHECK(termfreq(URB_PFX_CONCEPT "housing") == 5);
    fx_teardown(&fx);
}

/* The words as typed outweigh the translations. */
static void translations_weigh_less(void)
{
    fx_setup(&fx);
    urb_xquery_t *q;
    const urb_qinfo_t *info;
    CHECK(urb_qparser_parse(fx.qp, "refugee", 7, &XL, &q, &info) == URB_X_OK);
    char *d = urb_xquery_describe(q);
    CHECK(d && strstr(d, "0.5 * " URB_PFX_CONCEPT "refugee"));
    free(d);
    urb_xquery_free(q);
    fx_teardown(&fx);
}

static void snippets(void)
{
    fx_setup(&fx);
    static const char text[] = "Die Stadt Berlin unterstützt Flüchtlinge.";
    urb_xquery_t *q;
    const urb_qinfo_t *info;
    urb_snippet_t sn;
    CHECK(urb_qparser_parse(fx.qp, "refugees", 8, &XL, &q, &info) == URB_X_OK);
    urb_xquery_free(q);
    CHECK(info->n_syns > 0);
    CHECK(urb_snippet_find(fx.qp, info, text, strlen(text), "de", 200, &sn) ==
          0);
    CHECK(sn.n_hl == 1);
    if (sn.n_hl)
        CHECK(strncmp(text + sn.hl[0].start, "Flüchtlinge",
                      sn.hl[0].end - sn.hl[0].start) == 0);
    /* Without xl the German word is not the query's. */
    CHECK(urb_qparser_parse(fx.qp, "refugees", 8, &NOXL, &q, &info) ==
          URB_X_OK);
    urb_xquery_free(q);
    CHECK(info->n_syns == 0);
    CHECK(urb_snippet_find(fx.qp, info, text, strlen(text), "de", 200, &sn) ==
          0);
    CHECK(sn.n_hl == 0);
    fx_teardown(&fx);
}

URB_TEST_MAIN(T(data_file), T(reader_errors), T(lookup), T(builtin_sets),
              T(query_expansion),
              T(concept_terms), T(translations_weigh_less), T(snippets))
