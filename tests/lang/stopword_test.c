/* Stopwords: every list sorted, unique and folded; lookups per language. */
#include "test.h"
#include "urbis/lang.h"
#include "urbis/text.h"

#define STOP(code, w) urb_stopword(code, w, strlen(w))

/* bsearch needs byte order; lookups get folded words, so lists must hold
 * folded words. */
static void lists_are_sound(void)
{
    urb_buf_t f = {0};
    int langs = 0;
    for (int i = 0; urb_lang_codes[i]; i++) {
        const char *code = urb_lang_codes[i];
        size_t n;
        const char *const *w = urb_stopwords(code, &n);
        urb_stemmer_t *st = urb_stemmer_new(code);
        /* Languages with a stemmer have stopwords, the others none. */
        CHECK((w != NULL) == (st != NULL));
        CHECK((n > 0) == (w != NULL));
        urb_stemmer_free(st);
        if (!w)
            continue;
        langs++;
        CHECK(n >= 20 && n <= 120);
        for (size_t k = 0; k < n; k++) {
            CHECK(urb_fold(w[k], strlen(w[k]), &f) == 0);
            if (strcmp(f.data, w[k]) != 0) {
                fprintf(stderr, "%s: \"%s\" folds to \"%s\"\n", code, w[k],
                        f.data);
                urb_test_failed_checks++;
            }
            if (k > 0 && strcmp(w[k - 1], w[k]) >= 0) {
                fprintf(stderr, "%s: \"%s\" before \"%s\"\n", code,
                        w[k - 1], w[k]);
                urb_test_failed_checks++;
            }
            CHECK(urb_stopword(code, w[k], strlen(w[k])));
        }
    }
    CHECK(langs >= 30);
    urb_buf_free(&f);
}

static void lookups(void)
{
    CHECK(STOP("en", "the"));
    CHECK(STOP("en", "and"));
    CHECK(STOP("en", "s"));
    CHECK(!STOP("en", "th"));
    CHECK(!STOP("en", "thee"));
    CHECK(!STOP("en", "refugee"));
    CHECK(!STOP("en", "housing"));
    CHECK(STOP("es", "el"));
    CHECK(STOP("es", "mas"));
    CHECK(STOP("es", "esta"));
    CHECK(!STOP("es", "ciudad"));
    CHECK(STOP("pt", "nao"));
    CHECK(STOP("pt", "e"));
    CHECK(!STOP("pt", "sao"));
    CHECK(STOP("fr", "l"));
    CHECK(STOP("fr", "ou"));
    CHECK(!STOP("fr", "ete"));
    CHECK(STOP("de", "dass"));
    CHECK(STOP("de", "fur"));
    CHECK(!STOP("de", "stadt"));
    CHECK(STOP("ca", "amb"));
    CHECK(STOP("it", "perche"));
    CHECK(STOP("nl", "het"));
    CHECK(STOP("sv", "och"));
    CHECK(STOP("da", "og"));
    CHECK(STOP("no", "og"));
    CHECK(STOP("fi", "etta"));
    CHECK(STOP("hu", "es"));
    CHECK(STOP("ro", "si"));
    CHECK(!STOP("ro", "mai"));
    CHECK(STOP("tr", "icin"));
    CHECK(!STOP("tr", "su"));
    CHECK(STOP("el", "και"));
    CHECK(STOP("el", "τησ"));
    CHECK(STOP("el", "απο"));
    CHECK(STOP("ru", "и"));
    CHECK(STOP("ru", "что"));
    CHECK(!STOP("ru", "беженцы"));
    CHECK(STOP("uk", "що"));
    CHECK(STOP("uk", "її"));
    CHECK(STOP("bg", "това"));
    CHECK(STOP("pl", "sie"));
    CHECK(STOP("pl", "ze"));
    CHECK(!STOP("pl", "miasto"));
    CHECK(STOP("ar", "في"));
    CHECK(STOP("ar", "الى"));
    CHECK(STOP("sr", "je"));
    CHECK(STOP("sr", "је"));
    CHECK(!STOP("sr", "sto"));
    CHECK(STOP("hy", "եւ"));
    /* Not NUL-terminated: only len bytes count. */
    CHECK(urb_stopword("en", "theory", 3));
    CHECK(!urb_stopword("en", "the", 2));
    CHECK(!urb_stopword("en", "", 0));
    /* The right language's list. */
    CHECK(!STOP("en", "der"));
    CHECK(STOP("de", "der"));
    /* Languages without stopwords, and unknown codes. */
    CHECK(!STOP("zh", "的"));
    CHECK(!STOP("ja", "の"));
    CHECK(!STOP("xx", "the"));
    CHECK(!STOP(NULL, "the"));
    size_t n = 7;
    CHECK(urb_stopwords("zh", &n) == NULL && n == 0);
}

URB_TEST_MAIN(T(lists_are_sound), T(lookups))
