/* UTF-8 validation and decoding, Windows-1252, binary sniffing, scripts,
 * buffers. */
#include "test.h"
#include "urbis/text.h"

#define S(lit) lit, sizeof(lit) - 1

static void valid_text(void)
{
    size_t bad = 99;
    CHECK(urb_utf8_valid(S(""), &bad));
    CHECK(urb_utf8_valid(S("plain ASCII, long enough for the word path"),
                         &bad));
    CHECK(urb_utf8_valid(S("café € 😀 \xF4\x8F\xBF\xBF \xEF\xBF\xBF"), &bad));
    CHECK(bad == 99); /* untouched when valid */
}

/* Each malformed sequence is reported at the offset where it starts. */
static void invalid_offsets(void)
{
    size_t bad = 99;
    CHECK(!urb_utf8_valid(S("a\xC0\x80"), &bad) && bad == 1);     /* overlong NUL */
    CHECK(!urb_utf8_valid(S("\xC1\xBF"), &bad) && bad == 0);      /* overlong 2-byte */
    CHECK(!urb_utf8_valid(S("x\xE0\x80\xAF"), &bad) && bad == 1); /* overlong 3-byte */
    CHECK(!urb_utf8_valid(S("\xF0\x8F\xBF\xBF"), &bad) && bad == 0); /* overlong 4 */
    CHECK(!urb_utf8_valid(S("ab\xED\xA0\x80"), &bad) && bad == 2); /* surrogate */
    CHECK(!urb_utf8_valid(S("\xED\xBF\xBF"), &bad) && bad == 0);   /* low surrogate */
    CHECK(!urb_utf8_valid(S("\xF4\x90\x80\x80"), &bad) && bad == 0); /* > U+10FFFF */
    CHECK(!urb_utf8_valid(S("ok \xF5\x80\x80\x80"), &bad) && bad == 3); /* F5 */
    CHECK(!urb_utf8_valid(S("\xFF"), &bad) && bad == 0);
    CHECK(!urb_utf8_valid(S("abc\xE2\x82"), &bad) && bad == 3); /* truncated */
    CHECK(!urb_utf8_valid(S("abc\xE2\x82z"), &bad) && bad == 3);
    CHECK(!urb_utf8_valid(S("\x80"), &bad) && bad == 0); /* lone continuation */
    /* Past the 8-byte ASCII stride, and right after a valid sequence. */
    CHECK(!urb_utf8_valid(S("0123456789abcdef\xC3\xA9\xC3"), &bad) &&
          bad == 18);
    CHECK(urb_utf8_valid(S("\xC3\xA9"), NULL));
    CHECK(!urb_utf8_valid(S("\xC3"), NULL));
}

static void decode(void)
{
    int32_t cp;
    CHECK(urb_utf8_decode(S("A"), &cp) == 1 && cp == 'A');
    CHECK(urb_utf8_decode(S("é"), &cp) == 2 && cp == 0xE9);
    CHECK(urb_utf8_decode(S("€x"), &cp) == 3 && cp == 0x20AC);
    CHECK(urb_utf8_decode(S("😀"), &cp) == 4 && cp == 0x1F600);
    CHECK(urb_utf8_decode(S("\xC3"), &cp) == 1 && cp == 0xFFFD);
    CHECK(urb_utf8_decode(S("\xED\xA0\x80"), &cp) == 1 && cp == 0xFFFD);
}

static void cp1252(void)
{
    size_t n = 0;
    char *s = urb_cp1252_to_utf8(S("caf\xe9 \x80 \x93 \x9f\xff"), &n);
    CHECK_STR(s, "café € “ Ÿÿ");
    CHECK(n == strlen("café € “ Ÿÿ"));
    free(s);
    s = urb_cp1252_to_utf8(S("\x81\x8d\x8f\x90\x9d"), &n);
    CHECK_STR(s, "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
    CHECK(n == 15);
    free(s);
    s = urb_cp1252_to_utf8(S("\x84quoted\x94 \x96 \x8a\x9a \x8c\x9c"), NULL);
    CHECK_STR(s, "„quoted” – Šš Œœ");
    free(s);
    s = urb_cp1252_to_utf8(S(""), &n);
    CHECK_STR(s, "");
    CHECK(n == 0);
    free(s);
}

static void binary(void)
{
    CHECK(!urb_looks_binary(S("")));
    CHECK(!urb_looks_binary(S("lines\r\n\tand tabs\f\n")));
    CHECK(urb_looks_binary(S("PDF\0stream")));
    /* 1 control byte in 10 is text; 2 in 10 is not. */
    CHECK(!urb_looks_binary(S("abcd\x1b" "efghi")));
    CHECK(urb_looks_binary(S("abcd\x1b\x7f" "efgh")));
    CHECK(!urb_looks_binary(S("caf\xc3\xa9 \xe2\x82\xac")));
}

static void scripts(void)
{
    static const struct {
        int32_t cp;
        urb_script_t s;
    } cases[] = {
        {'A', URB_SCRIPT_LATIN},      {'z', URB_SCRIPT_LATIN},
        {0xE9, URB_SCRIPT_LATIN},     {0x142, URB_SCRIPT_LATIN},
        {0x0259, URB_SCRIPT_LATIN},   {0x1EC7, URB_SCRIPT_LATIN},
        {0xFF21, URB_SCRIPT_LATIN},   {0x3AC, URB_SCRIPT_GREEK},
        {0x1F00, URB_SCRIPT_GREEK},   {0x439, URB_SCRIPT_CYRILLIC},
        {0x531, URB_SCRIPT_ARMENIAN}, {0x5D0, URB_SCRIPT_HEBREW},
        {0x639, URB_SCRIPT_ARABIC},   {0xFEFB, URB_SCRIPT_ARABIC},
        {0x915, URB_SCRIPT_DEVANAGARI}, {0xE01, URB_SCRIPT_THAI},
        {0x6F22, URB_SCRIPT_HAN},     {0x3400, URB_SCRIPT_HAN},
        {0xF900, URB_SCRIPT_HAN},     {0x20000, URB_SCRIPT_HAN},
        {0x3042, URB_SCRIPT_HIRAGANA}, {0x30A2, URB_SCRIPT_KATAKANA},
        {0x30FC, URB_SCRIPT_KATAKANA}, {0xFF71, URB_SCRIPT_KATAKANA},
        {0xD55C, URB_SCRIPT_HANGUL},  {0x1100, URB_SCRIPT_HANGUL},
        {'5', URB_SCRIPT_DIGIT},      {0xFF15, URB_SCRIPT_DIGIT},
        {'!', URB_SCRIPT_OTHER},      {0x301, URB_SCRIPT_OTHER},
        {0x1F600, URB_SCRIPT_OTHER},  {0xD7, URB_SCRIPT_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (urb_script_of(cases[i].cp) != cases[i].s) {
            fprintf(stderr, "script of U+%04X is %d, want %d\n",
                    (unsigned)cases[i].cp, urb_script_of(cases[i].cp),
                    cases[i].s);
            urb_test_failed_checks++;
        }
    }
    CHECK(urb_script_unspaced(URB_SCRIPT_HAN));
    CHECK(urb_script_unspaced(URB_SCRIPT_HIRAGANA));
    CHECK(urb_script_unspaced(URB_SCRIPT_KATAKANA));
    CHECK(urb_script_unspaced(URB_SCRIPT_HANGUL));
    CHECK(urb_script_unspaced(URB_SCRIPT_THAI));
    CHECK(!urb_script_unspaced(URB_SCRIPT_LATIN));
    CHECK(!urb_script_unspaced(URB_SCRIPT_DIGIT));
}

static void buffers(void)
{
    urb_buf_t b = {0};
    CHECK(urb_buf_append(&b, "", 0) == 0);
    CHECK_STR(b.data, "");
    CHECK(urb_buf_append(&b, "abc", 3) == 0);
    for (int i = 0; i < 100; i++)
        CHECK(urb_buf_append(&b, "0123456789", 10) == 0);
    CHECK(b.len == 1003 && b.data[b.len] == '\0');
    CHECK(strncmp(b.data, "abc0123", 7) == 0);
    CHECK(urb_buf_reserve(&b, 5000) == 0 && b.cap > b.len + 5000);
    CHECK(urb_buf_reserve(&b, SIZE_MAX - 2) == -1);
    urb_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);

    /* Appending a part of the buffer to itself survives its reallocs. */
    CHECK(urb_buf_append(&b, "ab", 2) == 0);
    for (int i = 0; i < 16; i++)
        CHECK(urb_buf_append(&b, b.data, b.len) == 0);
    CHECK(b.len == (size_t)2 << 16 && b.data[b.len] == '\0');
    size_t wrong = 0;
    for (size_t i = 0; i < b.len; i++)
        wrong += b.data[i] != (i % 2 ? 'b' : 'a');
    CHECK(wrong == 0);
    urb_buf_free(&b);
}

/* What Gumbo can hand the HTML reader: stray bytes among good text. */
static void repaired(void)
{
    urb_buf_t b = {0};
    CHECK(urb_buf_append_utf8(&b, "caf\xC3\xA9", 5) == 0);
    CHECK_STR(b.data, "caf\xC3\xA9");
    CHECK(urb_buf_append_utf8(&b, " \xBB x\xC3", 5) == 0);
    CHECK_STR(b.data, "caf\xC3\xA9 \xEF\xBF\xBD x\xEF\xBF\xBD");
    CHECK(urb_buf_append_utf8(&b, "\xF4\x90\x80\x80", 4) == 0);
    CHECK(urb_utf8_valid(b.data, b.len, NULL));
    CHECK(b.len == 14 + 4 * 3);
    urb_buf_free(&b);
}

URB_TEST_MAIN(T(valid_text), T(invalid_offsets), T(decode), T(cp1252),
              T(binary), T(scripts), T(buffers), T(repaired))
