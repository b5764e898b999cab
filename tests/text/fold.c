/* urb_fold and urb_fold_case: what matches what. */
#include "test.h"
#include "urbis/text.h"

static urb_buf_t buf;

/* The folded form of s, in a buffer each test frees at its end. */
static const char *fold(const char *s)
{
    if (urb_fold(s, strlen(s), &buf) < 0)
        return NULL;
    CHECK(buf.data[buf.len] == '\0' && strlen(buf.data) == buf.len);
    return buf.data;
}

static const char *fold_case(const char *s)
{
    if (urb_fold_case(s, strlen(s), &buf) < 0)
        return NULL;
    return buf.data;
}

static void ascii(void)
{
    CHECK_STR(fold(""), "");
    CHECK_STR(fold("Hello, World! 2023 [x_y] ~@"), "hello, world! 2023 [x_y] ~@");
    CHECK_STR(fold("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "abcdefghijklmnopqrstuvwxyz");
    urb_buf_free(&buf);
}

static void german(void)
{
    CHECK_STR(fold("Straße"), "strasse");
    CHECK_STR(fold("STRASSE"), "strasse");
    CHECK_STR(fold("Flüchtlinge"), "fluchtlinge");
    CHECK_STR(fold("Ärger ÖL Übung"), "arger ol ubung");
    CHECK_STR(fold("\xE1\xBA\x9E"), "ss"); /* capital sharp s */
    urb_buf_free(&buf);
}

static void turkish(void)
{
    CHECK_STR(fold("İstanbul"), "istanbul");
    CHECK_STR(fold("ılık"), "ilik");
    CHECK_STR(fold("IŞIK"), "isik");
    CHECK_STR(fold("Işık"), "isik");
    urb_buf_free(&buf);
}

static void greek(void)
{
    CHECK_STR(fold("Αθήνας"), "αθηνασ");
    CHECK_STR(fold("ΑΘΗΝΑΣ"), "αθηνασ");
    CHECK_STR(fold("ά έ ΐ"), "α ε ι");
    urb_buf_free(&buf);
}

/* Decomposed input folds to the same bytes as composed input. */
static void nfd_equals_nfc(void)
{
    static const char *pairs[][2] = {
        {"Cafe\xCC\x81 cre\xCC\x80me", "Café crème"},
        {"Vie\xCC\xA3\xCC\x82t Nam", "Việt Nam"},
        {"Vie\xCC\x82\xCC\xA3t Nam", "Việt Nam"}, /* marks out of order */
        {"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "한"},
        {"\xE3\x81\x8B\xE3\x82\x99", "が"},
        {"\xD0\xB8\xCC\x86\xD0\xBE\xD0\xB4", "йод"},
        {"A\xCC\x8A" "ngstro\xCC\x88m", "Ångström"},
    };
    urb_buf_t other = {0};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        CHECK(urb_fold(pairs[i][1], strlen(pairs[i][1]), &other) == 0);
        CHECK_STR(fold(pairs[i][0]), other.data);
        CHECK(urb_fold_case(pairs[i][1], strlen(pairs[i][1]), &other) == 0);
        CHECK_STR(fold_case(pairs[i][0]), other.data);
    }
    CHECK_STR(fold("Cafe\xCC\x81"), "cafe");
    CHECK_STR(fold_case("Cafe\xCC\x81"), "café");
    CHECK_STR(fold_case("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "한");
    urb_buf_free(&other);
    urb_buf_free(&buf);
}

static void compatibility(void)
{
    CHECK_STR(fold("ＡＢＣ"), "abc");
    CHECK_STR(fold("ｆｕｌｌ１２３"), "full123");
    CHECK_STR(fold("ﬁnance ﬂow"), "finance flow");
    CHECK_STR(fold("ｶﾞｲﾄﾞ"), "ガイド");
    CHECK_STR(fold("x²"), "x2");
    urb_buf_free(&buf);
}

static void latin_letters(void)
{
    CHECK_STR(fold("Łódź"), "lodz");
    CHECK_STR(fold("Øresund Ærø"), "oresund aero");
    CHECK_STR(fold("Đặng Ðorð"), "dang dord");
    CHECK_STR(fold("Þórshöfn"), "thorshofn");
    CHECK_STR(fold("Œuvre cœur"), "oeuvre coeur");
    CHECK_STR(fold("Ħamrun ŧ ǽ"), "hamrun t ae");
    CHECK_STR(fold("ñandú São Ţară"), "nandu sao tara");
    urb_buf_free(&buf);
}

static void arabic(void)
{
    char want[64];
    CHECK_STR(fold("مهاجر"), "مهاجر");
    snprintf(want, sizeof want, "%s", fold("مهاجر"));
    CHECK_STR(fold("مُـهَـاجِر"), want);
    CHECK_STR(fold("ـمُهاجِرٌـ"), want);
    CHECK_STR(fold("أحمد إلى آخر"), "احمد الى اخر");
    /* The same word, marks kept, is another form for suggestions. */
    CHECK(strcmp(fold_case("مُهَاجِر"), want) != 0);
    urb_buf_free(&buf);
}

static void hebrew(void)
{
    CHECK_STR(fold("שָׁלוֹם"), "שלום");
    CHECK_STR(fold("בְּרֵאשִׁית"), "בראשית");
    CHECK_STR(fold("\xEF\xAC\xAA"), "ש"); /* presentation form shin dot */
    urb_buf_free(&buf);
}

static void cyrillic(void)
{
    /* й, ї, ў are letters: they stay, and stay composed. */
    CHECK_STR(fold("Київ"), "київ");
    CHECK_STR(fold("Київ"), "\xD0\xBA\xD0\xB8\xD1\x97\xD0\xB2");
    CHECK(strcmp(fold("Київ"), "киів") != 0);
    CHECK_STR(fold("Йошкар-Ола"), "йошкар-ола");
    CHECK(strcmp(fold("край"), "краи") != 0);
    CHECK_STR(fold("Ўзбекистон"), "ўзбекистон");
    /* ё -> е, stress accents go, Macedonian ѓ and ќ stay. */
    CHECK_STR(fold("Ёлка всё"), "елка все");
    CHECK_STR(fold("моло\xCC\x81ко"), "молоко");
    CHECK_STR(fold("ѓакон ќерка"), "ѓакон ќерка");
    CHECK_STR(fold_case("Ёлка"), "ёлка");
    urb_buf_free(&buf);
}

static void devanagari(void)
{
    CHECK_STR(fold("हिन्दी"), "हिन्दी");
    CHECK_STR(fold("प्रवासी"), "प्रवासी");
    CHECK(strcmp(fold("किसान"), "कसन") != 0);
    urb_buf_free(&buf);
}

static void thai(void)
{
    /* Tone marks and vowel signs stay; SARA AM is NFKC's U+0E4D U+0E32. */
    CHECK_STR(fold("ย้ายถิ่น"), "ย้ายถิ่น");
    CHECK_STR(fold("ทำ"), "ท\xE0\xB9\x8D\xE0\xB8\xB2");
    urb_buf_free(&buf);
}

static void japanese(void)
{
    urb_buf_t ka = {0};
    CHECK(urb_fold("か", strlen("か"), &ka) == 0);
    CHECK_STR(fold("が"), "が");
    CHECK(strcmp(fold("が"), ka.data) != 0);
    CHECK_STR(fold("がか"), "がか");
    CHECK_STR(fold("パン"), "パン");
    CHECK_STR(fold("データ"), "データ");
    urb_buf_free(&ka);
    urb_buf_free(&buf);
}

static void catalan(void)
{
    CHECK_STR(fold("col·lectiu"), "collectiu");
    CHECK_STR(fold("COL·LECTIU"), "collectiu");
    CHECK_STR(fold("coŀlectiu"), "collectiu");
    CHECK_STR(fold("col•lectiu"), "collectiu");
    CHECK_STR(fold("col∙lectiu"), "collectiu");
    CHECK_STR(fold("col·la"), "colla");
    /* Only between two l: elsewhere the dot is punctuation. */
    CHECK_STR(fold("a·b l·"), "a·b l·");
    CHECK_STR(fold_case("Col·lectiu"), "col·lectiu");
    urb_buf_free(&buf);
}

static void ignorables_and_marks(void)
{
    CHECK_STR(fold("inte\xC2\xAD" "gration"), "integration");
    CHECK_STR(fold("a\xE2\x80\x8D" "b"), "ab");
    /* A mark on a digit or on nothing decorates it. */
    CHECK_STR(fold("\xCC\x81" "1\xE2\x83\xA3"), "1");
    CHECK_STR(fold("“quoted” — ¡sí!"), "“quoted” — ¡si!");
    urb_buf_free(&buf);
}

static void fold_case_keeps_marks(void)
{
    CHECK_STR(fold_case("València"), "valència");
    CHECK_STR(fold_case("STRAßE"), "strasse");
    CHECK_STR(fold_case("ＡＢＣ"), "abc");
    CHECK_STR(fold_case("Łódź"), "łódź");
    CHECK_STR(fold_case("İ"), "i\xCC\x87");
    CHECK_STR(fold_case("مُـهَـاجِر"), "مُـهَـاجِر");
    urb_buf_free(&buf);
}

/* Folding a word twice into the same buffer allocates nothing new. */
static void buffer_reuse(void)
{
    urb_buf_t b = {0};
    const char *text = "Les réfugiés à Zürich, İstanbul, 東京, Київ";
    CHECK(urb_fold(text, strlen(text), &b) == 0);
    char *data = b.data;
    size_t cap = b.cap;
    CHECK_STR(b.data, "les refugies a zurich, istanbul, 東京, київ");
    for (int i = 0; i < 10; i++) {
        CHECK(urb_fold(text, strlen(text), &b) == 0);
        CHECK(urb_fold("short", 5, &b) == 0);
    }
    CHECK_STR(b.data, "short");
    CHECK(b.data == data && b.cap == cap);
    urb_buf_free(&b);
}

/* Long mixed text through the pending-composition path. */
static void long_text(void)
{
    urb_buf_t in = {0}, want = {0};
    for (int i = 0; i < 2000; i++) {
        CHECK(urb_buf_append(&in, "Ünïcödé ", strlen("Ünïcödé ")) == 0);
        CHECK(urb_buf_append(&in, "漢字", strlen("漢字")) == 0);
        CHECK(urb_buf_append(&want, "unicode ", 8) == 0);
        CHECK(urb_buf_append(&want, "漢字", strlen("漢字")) == 0);
    }
    CHECK(urb_fold(in.data, in.len, &buf) == 0);
    CHECK(buf.len == want.len && memcmp(buf.data, want.data, want.len) == 0);
    urb_buf_free(&in);
    urb_buf_free(&want);
    urb_buf_free(&buf);
}

/* Folding a folded string changes nothing: random strings built from the
 * pieces that have tricked folding before (ŀ before ŀ, marks after dots). */
static void idempotent(void)
{
    static const char *const pieces[] = {
        "a", "É", "\xCC\x81", "ß", "İ", "ı", "·", "l", "L", "ŀ", "Ŀ",
        "ـ", "َ", "ก", "้", "漢", "か", "\xE3\x82\x99", "ｶ", "ﾞ", "한",
        "\xE1\x84\x92", "\xE1\x85\xA1", " ", "😀", "\xC2\xAD", "ё", "й",
        "\xEF\xB7\xBA", "Ǆ", "ﬁ", "٣", "\xD6\xB8", "\xCC\xB8", "ᾳ", "æ",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    urb_buf_t again = {0};
    uint32_t seed = 12345;
    char s[256];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        for (int k = 0; k < 10; k++) {
            seed = seed * 1103515245 + 12345;
            const char *p = pieces[(seed >> 16) % npieces];
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        CHECK(urb_fold(s, n, &buf) == 0);
        CHECK(urb_utf8_valid(buf.data, buf.len, NULL));
        CHECK(urb_fold(buf.data, buf.len, &again) == 0);
        if (again.len != buf.len || memcmp(again.data, buf.data, buf.len)) {
            fprintf(stderr, "fold(%.*s) = %s, folded again %s\n", (int)n, s,
                    buf.data, again.data);
            urb_test_failed_checks++;
            break;
        }
    }
    CHECK_STR(fold("ŀŀ"), "ll·");
    urb_buf_free(&again);
    urb_buf_free(&buf);
}

URB_TEST_MAIN(T(ascii), T(german), T(turkish), T(greek), T(nfd_equals_nfc),
              T(compatibility), T(latin_letters), T(arabic), T(hebrew),
              T(cyrillic), T(devanagari), T(thai), T(japanese), T(catalan),
              T(ignorables_and_marks), T(fold_case_keeps_marks),
              T(buffer_reuse), T(long_text), T(idempotent))
