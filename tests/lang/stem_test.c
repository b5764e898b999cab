/* Stemmers: forms of one word meet after folding and stemming, in every
 * language; the language table; Hunspell shared across threads. */
#include "test.h"
#include "urbis/lang.h"
#include "urbis/text.h"

#include <pthread.h>

/* The stem of the folded word, copied into out (size 256). */
static void stem_of(urb_stemmer_t *st, const char *word, char *out)
{
    urb_buf_t f = {0};
    size_t n = 0;
    CHECK(urb_fold(word, strlen(word), &f) == 0);
    const char *s = urb_stem(st, f.data, f.len, &n);
    CHECK(s != NULL);
    snprintf(out, 256, "%.*s", s ? (int)n : 0, s ? s : "");
    CHECK(s == NULL || s[n] == '\0');
    urb_buf_free(&f);
}

/* Every form in the NULL-terminated list has the first form's stem. */
static void check_meet(const char *code, const char *const *forms)
{
    urb_stemmer_t *st = urb_stemmer_new(code);
    CHECK(st != NULL);
    if (!st)
        return;
    char first[256], other[256];
    stem_of(st, forms[0], first);
    CHECK(first[0] != '\0');
    for (int i = 1; forms[i]; i++) {
        stem_of(st, forms[i], other);
        if (strcmp(first, other) != 0) {
            fprintf(stderr, "%s: %s -> %s but %s -> %s\n", code, forms[0],
                    first, forms[i], other);
            urb_test_failed_checks++;
        }
    }
    urb_stemmer_free(st);
}

#define MEET(code, ...) \
    check_meet(code, (const char *const[]){__VA_ARGS__, NULL})

/* The two words must not share a stem. */
static void check_apart(const char *code, const char *a, const char *b)
{
    urb_stemmer_t *st = urb_stemmer_new(code);
    CHECK(st != NULL);
    if (!st)
        return;
    char sa[256], sb[256];
    stem_of(st, a, sa);
    stem_of(st, b, sb);
    if (strcmp(sa, sb) == 0) {
        fprintf(stderr, "%s: %s and %s both -> %s\n", code, a, b, sa);
        urb_test_failed_checks++;
    }
    urb_stemmer_free(st);
}

static void table(void)
{
    int n = 0;
    for (int i = 0; urb_lang_codes[i]; i++, n++) {
        const char *c = urb_lang_codes[i];
        CHECK(strlen(c) == 2);
        CHECK(urb_lang_known(c));
        CHECK(urb_lang_name(c) != NULL);
        CHECK(urb_lang_code(c) == c);
        if (i > 0 && strcmp(urb_lang_codes[i - 1], c) >= 0) {
            fprintf(stderr, "codes out of order at %s\n", c);
            urb_test_failed_checks++;
        }
    }
    CHECK(n >= 36);
    CHECK_STR(urb_lang_name("es"), "Spanish");
    CHECK_STR(urb_lang_name("uk"), "Ukrainian");
    CHECK(urb_lang_name("xx") == NULL);
    CHECK(!urb_lang_known("xx"));
    CHECK(!urb_lang_known(NULL));
    CHECK(!urb_lang_known("e"));
    CHECK(!urb_lang_known("eng"));
}

static void tags(void)
{
    CHECK_STR(urb_lang_code("pt-BR"), "pt");
    CHECK_STR(urb_lang_code("EN"), "en");
    CHECK_STR(urb_lang_code("en_GB"), "en");
    CHECK_STR(urb_lang_code("zh-Hant"), "zh");
    CHECK_STR(urb_lang_code("nb"), "no");
    CHECK_STR(urb_lang_code("nn-NO"), "no");
    CHECK_STR(urb_lang_code("iw"), "he");
    CHECK(urb_lang_code("xx") == NULL);
    CHECK(urb_lang_code("eng") == NULL);
    CHECK(urb_lang_code("") == NULL);
    CHECK(urb_lang_code("e1") == NULL);
    CHECK(urb_lang_code(NULL) == NULL);
}

static void which_stem(void)
{
    static const char *const stemmed[] = {
        "ar", "bg", "ca", "da", "de", "el", "en", "es", "eu", "fi", "fr",
        "ga", "hi", "hu", "hy", "id", "it", "lt", "ne", "nl", "no", "pl",
        "pt", "ro", "ru", "sr", "sv", "ta", "tr", "uk", "yi", NULL};
    for (int i = 0; stemmed[i]; i++) {
        urb_stemmer_t *st = urb_stemmer_new(stemmed[i]);
        if (!st) {
            fprintf(stderr, "no stemmer for %s\n", stemmed[i]);
            urb_test_failed_checks++;
        }
        urb_stemmer_free(st);
    }
    static const char *const unstemmed[] = {"zh", "ja", "ko", "th", "he",
                                            "xx", NULL};
    for (int i = 0; unstemmed[i]; i++)
        CHECK(urb_stemmer_new(unstemmed[i]) == NULL);
    CHECK(urb_stemmer_new(NULL) == NULL);
    urb_stemmer_free(NULL);
}

/* The forms the brief names, then more per language. */
static void snowball_meets(void)
{
    MEET("en", "refugees", "refugee");
    MEET("en", "policies", "policy");
    MEET("en", "communities", "community");
    MEET("en", "integration", "integrating", "integrated");
    MEET("es", "refugiados", "refugiado", "refugiada", "refugiadas");
    MEET("es", "integración", "integraciones", "integracion");
    MEET("es", "asociaciones", "asociación");
    MEET("es", "políticas", "política", "politicas");
    MEET("pt", "associações", "associacoes", "associação");
    MEET("pt", "migrações", "migração", "migracao");
    MEET("pt", "regiões", "região");
    MEET("pt", "populações", "população");
    MEET("pt", "cidadãos", "cidadão");
    MEET("fr", "réfugiés", "réfugié", "réfugiée", "réfugiées", "refugies");
    MEET("fr", "employés", "employé", "employée", "employées");
    MEET("fr", "sociaux", "social", "sociale", "sociales");
    MEET("fr", "européens", "européen", "européenne", "européennes");
    MEET("ca", "refugiats", "refugiat", "refugiada", "refugiades");
    MEET("ca", "integració", "integracions");
    MEET("ca", "associacions", "associació");
    MEET("it", "rifugiati", "rifugiato", "rifugiata", "rifugiate");
    MEET("it", "migrazione", "migrazioni");
    MEET("de", "Flüchtlinge", "Flüchtling", "Flüchtlingen", "fluchtlinge");
    MEET("de", "Städte", "Stadt");
    MEET("de", "Maßnahmen", "Maßnahme", "massnahmen");
    MEET("nl", "vluchtelingen", "vluchteling");
    MEET("nl", "gemeenten", "gemeente");
    MEET("sv", "flyktingar", "flykting", "flyktingarna", "flyktingen");
    MEET("sv", "kommuner", "kommun", "kommunen");
    MEET("da", "flygtninge", "flygtning", "flygtningen");
    MEET("no", "flyktninger", "flyktning", "flyktningen");
    MEET("fi", "maahanmuuttajat", "maahanmuuttaja", "maahanmuuttajien");
    MEET("ro", "politici", "politică", "politica", "politicile");
    MEET("hu", "városok", "város", "városban");
    MEET("el", "πρόσφυγες", "πρόσφυγας", "πρόσφυγα", "ΠΡΌΣΦΥΓΕΣ");
    MEET("el", "μετανάστες", "μετανάστης", "μεταναστών");
    MEET("el", "πόλεις", "πόλη", "πόλης");
    MEET("tr", "mülteciler", "mülteci", "mültecilerin", "multeciler");
    MEET("tr", "kadınlar", "kadın", "kadınların");
    MEET("tr", "politikalar", "politika", "politikaların");
    MEET("ru", "беженцы", "беженцев", "беженцам", "беженцами");
    MEET("ru", "мигранты", "мигрантов", "мигрант");
    MEET("ar", "المهاجرين", "المهاجرون", "مهاجر");
}

static void hunspell_meets(void)
{
    MEET("pl", "uchodźcy", "uchodźców", "uchodźca", "uchodźcami",
         "uchodzcow");
    MEET("pl", "miasta", "miasto", "miastach", "miastami");
    MEET("pl", "polityka", "polityki", "polityce", "politykę");
    MEET("pl", "gminy", "gmina", "gmin", "gminach");
    MEET("pl", "szkoły", "szkoła", "szkół", "szkołach");
    MEET("pl", "cudzoziemcy", "cudzoziemców", "cudzoziemiec");
    MEET("pl", "Łódź", "Łodzi", "lodz");
    MEET("uk", "біженців", "біженці", "біженець", "біженцям");
    MEET("uk", "міста", "місто", "містах");
    MEET("uk", "громади", "громада", "громад");
    MEET("uk", "переселенці", "переселенців", "переселенець");
    MEET("uk", "Київ", "Києва", "київ");
    MEET("bg", "бежанци", "бежанец", "бежанците");
    MEET("bg", "градове", "град", "градовете", "града");
    MEET("bg", "интеграция", "интеграцията", "интеграции");
    MEET("bg", "мигранти", "мигрант", "мигрантите");
}

/* Words Hunspell does not know still lose their endings. */
static void unknown_words(void)
{
    MEET("pl", "zorbakami", "zorbakach", "zorbaka");
    MEET("uk", "зорбаками", "зорбаках", "зорбака");
    MEET("bg", "зорбаците", "зорбаци");
}

/* Stemming groups forms of a word, not whole vocabularies. */
static void apart(void)
{
    check_apart("en", "refugees", "housing");
    check_apart("es", "ciudades", "ciudadanos");
    check_apart("pt", "migração", "integração");
    check_apart("pl", "polityka", "uchodźcy");
    check_apart("pl", "miasto", "mieszkanie");
    check_apart("uk", "біженці", "громади");
    check_apart("bg", "бежанци", "граждани");
    check_apart("tr", "okullar", "kurumlar");
}

/* A stemmer remembers recent stems: what it answers from memory, after
 * thousands of other words have passed through it, is what a fresh
 * stemmer computes, in a Snowball and a Hunspell language. */
static void remembered_stems_agree(void)
{
    static const char *const codes[] = {"en", "pl"};
    static const char *const words[] = {"refugees", "housing", "uchodźców",
                                        "integration", "miasto", "welcomed"};
    for (size_t c = 0; c < 2; c++) {
        urb_stemmer_t *warm = urb_stemmer_new(codes[c]);
        CHECK(warm != NULL);
        char want[6][256], got[256], filler[32];
        for (size_t i = 0; i < 6; i++) {
            urb_stemmer_t *fresh = urb_stemmer_new(codes[c]);
            stem_of(fresh, words[i], want[i]);
            urb_stemmer_free(fresh);
        }
        for (int round = 0; round < 3; round++) {
            for (size_t i = 0; i < 6; i++) {
                stem_of(warm, words[i], got);
                CHECK_STR(got, want[i]);
            }
            for (int k = 0; k < 3000; k++) {
                snprintf(filler, sizeof filler, "zorbak%dings", k + round * 3000);
                stem_of(warm, filler, got);
            }
        }
        urb_stemmer_free(warm);
    }
}

/* A stem is always folded: it is looked up among folded terms. */
static void stems_are_folded(void)
{
    static const struct {
        const char *code, *words;
    } samples[] = {
        {"tr", "çocuklar öğrenciler göçmenler mülteci ülkeler çiçek"},
        {"pt", "associações cidadãos órgãos alemães ações mãos"},
        {"es", "inclusión región acción educación"},
        {"ca", "associació migració llengües països"},
        {"fr", "réfugiées employées sécurité élèves"},
        {"de", "Flüchtlinge Behörden Bürgerinnen Straße"},
        {"el", "πρόσφυγες υπηρεσίες οικογένειες"},
        {"ro", "refugiații școlile țările"},
        {"hu", "menekültek önkormányzatok szolgáltatások"},
        {"pl", "uchodźców władze społeczności"},
        {"lt", "miestų pabėgėliai žmonės"},
        {"ga", "dídeanaithe cathracha"},
        {"sr", "izbeglice građani škole"},
    };
    urb_buf_t f = {0}, g = {0};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        urb_stemmer_t *st = urb_stemmer_new(samples[i].code);
        CHECK(st != NULL);
        if (!st)
            continue;
        char words[256];
        snprintf(words, sizeof words, "%s", samples[i].words);
        for (char *save, *w = strtok_r(words, " ", &save); w;
             w = strtok_r(NULL, " ", &save)) {
            size_t n;
            CHECK(urb_fold(w, strlen(w), &f) == 0);
            const char *s = urb_stem(st, f.data, f.len, &n);
            CHECK(s && urb_fold(s, n, &g) == 0);
            if (s && (g.len != n || memcmp(g.data, s, n) != 0)) {
                fprintf(stderr, "%s: stem %.*s of %s is not folded\n",
                        samples[i].code, (int)n, s, w);
                urb_test_failed_checks++;
            }
        }
        urb_stemmer_free(st);
    }
    urb_buf_free(&f);
    urb_buf_free(&g);
}

static void edges(void)
{
    urb_stemmer_t *st = urb_stemmer_new("en");
    size_t n = 99;
    const char *s = urb_stem(st, "", 0, &n);
    CHECK(s != NULL && n == 0);
    /* Not NUL-terminated input: only len bytes count. */
    s = urb_stem(st, "refugeesXYZ", 8, &n);
    CHECK(s && n == 6 && memcmp(s, "refuge", 6) == 0);
    char longword[URB_TERM_MAX + 20];
    memset(longword, 'a', sizeof longword - 1);
    memcpy(longword + sizeof longword - 4, "ing", 4);
    s = urb_stem(st, longword, strlen(longword), &n);
    CHECK(s && n == strlen(longword) && strcmp(s, longword) == 0);
    urb_stemmer_free(st);

    st = urb_stemmer_new("pl");
    s = urb_stem(st, "", 0, &n);
    CHECK(s != NULL && n == 0);
    s = urb_stem(st, longword, strlen(longword), &n);
    CHECK(s && n == strlen(longword));
    /* A second stemmer shares the loaded dictionary. */
    urb_stemmer_t *st2 = urb_stemmer_new("pl");
    char a[256], b[256];
    stem_of(st, "uchodźców", a);
    stem_of(st2, "uchodźców", b);
    CHECK_STR(a, b);
    urb_stemmer_free(st2);
    urb_stemmer_free(st);
}

/* Threads, each with its own stemmer, share one Hunspell dictionary. */
static const char *const thread_words[] = {
    "uchodźcy", "uchodźców", "miasta", "mieście", "polityki", "gmin",
    "cudzoziemców", "szkół", "zorbakami", "społeczności", NULL};

static void *stem_many(void *arg)
{
    char (*out)[256] = arg;
    urb_stemmer_t *st = urb_stemmer_new("pl");
    for (int round = 0; round < 200 && st; round++)
        for (int i = 0; thread_words[i]; i++)
            stem_of(st, thread_words[i], out[i]);
    urb_stemmer_free(st);
    return NULL;
}

static void threads(void)
{
    enum { N = 4 };
    static char got[N][16][256];
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        CHECK(pthread_create(&t[i], NULL, stem_many, got[i]) == 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    urb_stemmer_t *st = urb_stemmer_new("pl");
    for (int i = 0; thread_words[i]; i++) {
        char want[256];
        stem_of(st, thread_words[i], want);
        for (int k = 0; k < N; k++)
            CHECK_STR(got[k][i], want);
    }
    urb_stemmer_free(st);
}

URB_TEST_MAIN(T(table), T(tags), T(which_stem), T(snowball_meets),
              T(hunspell_meets), T(unknown_words), T(apart), T(remembered_stems_agree),
              T(stems_are_folded), T(edges), T(threads))
