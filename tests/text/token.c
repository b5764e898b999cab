/* The tokenizer: word boundaries, byte offsets, flags, terms. */
#include "test.h"
#include "urbis/text.h"

static char got[8192];

/* Every token of text as "term[start,end]" plus N (ngram), T (Thai) or
 * # (number), space-separated. */
static const char *toks(const char *text)
{
    urb_tokenizer_t *tz = urb_tokenizer_new();
    urb_token_t t;
    size_t n = 0;
    int r;
    got[0] = '\0';
    if (!tz)
        return NULL;
    urb_tokenizer_reset(tz, text, strlen(text));
    while ((r = urb_tokenizer_next(tz, &t)) == 1 && n < sizeof got - 1) {
        CHECK(strlen(t.term) == t.term_len);
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%s[%zu,%zu]%s%s%s",
                              n ? " " : "", t.term, t.start, t.end,
                              t.flags & URB_TOK_NGRAM ? "N" : "",
                              t.flags & URB_TOK_THAI ? "T" : "",
                              t.flags & URB_TOK_NUMBER ? "#" : "");
    }
    CHECK(r == 0);
    urb_tokenizer_free(tz);
    return got;
}

static void words(void)
{
    CHECK_STR(toks(""), "");
    CHECK_STR(toks("  ,.  "), "");
    CHECK_STR(toks("Hello, world!"), "hello[0,5] world[7,12]");
    CHECK_STR(toks("Straße İstanbul"), "strasse[0,7] istanbul[8,17]");
    CHECK_STR(toks("Les Flüchtlinge\tin\nZürich"),
              "les[0,3] fluchtlinge[4,16] in[17,19] zurich[20,27]");
    CHECK_STR(toks("under_score x+y"),
              "under[0,5] score[6,11] x[12,13] y[14,15]");
}

static void apostrophes_and_hyphens(void)
{
    CHECK_STR(toks("l'intégration"), "l[0,1] integration[2,14]");
    CHECK_STR(toks("l’intégration"), "l[0,1] integration[4,16]");
    CHECK_STR(toks("anti-racism long‐term"),
              "anti[0,4] racism[5,11] long[12,16] term[19,23]");
}

static void catalan(void)
{
    CHECK_STR(toks("el col·lectiu"), "el[0,2] collectiu[3,14]");
    CHECK_STR(toks("coŀlectiu"), "collectiu[0,10]");
    CHECK_STR(toks("COL•LECTIU"), "collectiu[0,12]");
    /* Elsewhere a middle dot separates. */
    CHECK_STR(toks("a·b col·"), "a[0,1] b[3,4] col[5,8]");
}

static void numbers(void)
{
    CHECK_STR(toks("In 2023, ٢٠٢٣ and １２３ x2"),
              "in[0,2] 2023[3,7]# ٢٠٢٣[9,17]# and[18,21] 123[22,31]# "
              "x2[32,34]");
    CHECK_STR(toks("3.14"), "3[0,1]# 14[2,4]#");
}

static void chinese_and_japanese(void)
{
    CHECK_STR(toks("移民政策"),
              "移[0,3]N 民[3,6]N 政[6,9]N 策[9,12]N");
    CHECK_STR(toks("移民の政策。"),
              "移[0,3]N 民[3,6]N の[6,9]N 政[9,12]N 策[12,15]N");
    /* ー and dakuten stay with their character. */
    CHECK_STR(toks("データ"), "デー[0,6]N タ[6,9]N");
    CHECK_STR(toks("\xE3\x81\x8B\xE3\x82\x99か"), "が[0,6]N か[6,9]N");
    CHECK_STR(toks("ｶﾞｲﾄﾞ"), "ガ[0,6]N イ[6,9]N ド[9,15]N");
    CHECK_STR(toks("がか"), "が[0,3]N か[3,6]N");
}

static void korean(void)
{
    CHECK_STR(toks("한국어 정책"),
              "한[0,3]N 국[3,6]N 어[6,9]N 정[10,13]N 책[13,16]N");
    /* Conjoining jamo make one token, folded to the syllable. */
    CHECK_STR(toks("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "한[0,9]N");
}

static void mixed_scripts(void)
{
    CHECK_STR(toks("東京Tokyo2023"), "東[0,3]N 京[3,6]N tokyo2023[6,15]");
    CHECK_STR(toks("2023年"), "2023[0,4]# 年[4,7]N");
    CHECK_STR(toks("Bangkokการย้าย"), "bangkok[0,7] การ[7,16]T ย้าย[16,28]T");
}

static void thai(void)
{
    CHECK_STR(toks("การย้ายถิ่นฐาน"),
              "การ[0,9]T ย้าย[9,21]T ถิ่น[21,33]T ฐาน[33,42]T");
    CHECK_STR(toks("นโยบาย การย้ายถิ่น"),
              "นโยบาย[0,18]T การ[19,28]T ย้าย[28,40]T ถิ่น[40,52]T");
    /* Thai digits are a number, not a Thai word. */
    CHECK_STR(toks("ปี๒๕๖๗"), "ปี[0,6]T ๒๕๖๗[6,18]#");
}

static void symbols_and_emoji(void)
{
    CHECK_STR(toks("I ❤️ Paris 😀! 👍🏽 ★ € 100 + = ©"),
              "i[0,1] paris[9,14] 100[38,41]#");
    CHECK_STR(toks("😀😀😀"), "");
    CHECK_STR(toks("ab\xE2\x80\x8B" "cd"), "ab[0,2] cd[5,7]");
}

static void marks_and_joiners(void)
{
    /* A mark or joiner does not start a word; inside one it stays. */
    CHECK_STR(toks("\xCC\x81" "abc"), "abc[2,5]");
    CHECK_STR(toks("inte\xC2\xAD" "gration"), "integration[0,13]");
    CHECK_STR(toks("हिन्दी भाषा"), "हिन्दी[0,18] भाषा[19,31]");
    CHECK_STR(toks("مُـهَـاجِر"), "مهاجر[0,20]");
    CHECK_STR(toks("ـــ x"), "x[7,8]"); /* tatweel alone folds to nothing */
}

static void long_words(void)
{
    /* "x", a word one byte too long, "y", a word just short enough, "z". */
    char text[2 * URB_TERM_MAX + 16], want[URB_TERM_MAX + 64];
    const size_t m = URB_TERM_MAX;
    memset(text, 'a', sizeof text);
    memcpy(text, "x ", 2);
    memcpy(text + 2 + m + 1, " y ", 3);
    memcpy(text + 2 + m + 4 + m, " z", 3);
    int n = snprintf(want, sizeof want, "x[0,1] y[%zu,%zu] ", m + 4, m + 5);
    memset(want + n, 'a', m);
    snprintf(want + n + m, sizeof want - (size_t)n - m, "[%zu,%zu] z[%zu,%zu]",
             m + 6, 2 * m + 6, 2 * m + 7, 2 * m + 8);
    CHECK_STR(toks(text), want);
}

static void reuse_and_scripts(void)
{
    urb_tokenizer_t *tz = urb_tokenizer_new();
    urb_token_t t;
    CHECK(tz != NULL);
    if (!tz)
        return;
    const char *a = "Київ ภาษา 東 7 Ἀθῆναι";
    urb_tokenizer_reset(tz, a, strlen(a));
    static const urb_script_t want[] = {URB_SCRIPT_CYRILLIC, URB_SCRIPT_THAI,
                                        URB_SCRIPT_HAN, URB_SCRIPT_DIGIT,
                                        URB_SCRIPT_GREEK};
    size_t n = 0;
    while (urb_tokenizer_next(tz, &t) == 1) {
        CHECK(n < 5 && t.script == want[n]);
        n++;
    }
    CHECK(n == 5);
    /* Reset in the middle of a Thai run forgets it. */
    const char *b = "การย้ายถิ่นฐาน";
    urb_tokenizer_reset(tz, b, strlen(b));
    CHECK(urb_tokenizer_next(tz, &t) == 1);
    CHECK_STR(t.term, "การ");
    urb_tokenizer_reset(tz, "next", 4);
    CHECK(urb_tokenizer_next(tz, &t) == 1);
    CHECK_STR(t.term, "next");
    CHECK(t.start == 0 && t.end == 4 && t.flags == 0);
    CHECK(urb_tokenizer_next(tz, &t) == 0);
    urb_tokenizer_free(tz);
}

URB_TEST_MAIN(T(words), T(apostrophes_and_hyphens), T(catalan), T(numbers),
              T(chinese_and_japanese), T(korean), T(mixed_scripts), T(thai),
              T(symbols_and_emoji), T(marks_and_joiners), T(long_words),
              T(reuse_and_scripts))
