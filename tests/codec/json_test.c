/* The JSON writer: exact output, and output read back with jansson. */
#include "test.h"
#include "urbis/json.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>

#define LIT(s) s, sizeof(s) - 1

/* True when the output is one line of valid UTF-8. */
static int one_clean_line(const urb_buf_t *b)
{
    for (size_t i = 0; i < b->len; i++)
        if ((unsigned char)b->data[i] < 0x20)
            return 0;
    return urb_utf8_valid(b->data, b->len, NULL);
}

/* Parses buf as one JSON value; NULL (and a note) when jansson refuses. */
static json_t *load(const urb_buf_t *b)
{
    json_error_t err;
    json_t *v = json_loadb(b->data, b->len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                           &err);
    if (!v)
        fprintf(stderr, "jansson: %s in %.*s\n", err.text, (int)b->len,
                b->data);
    return v;
}

/* Writes s as a string (html: with marks) and checks the exact JSON text
 * when raw is given, then that jansson reads back `want`. */
static void check_string(const char *s, size_t n, const char *want,
                         size_t want_n, const char *raw, int html,
                         const urb_mark_t *marks, size_t n_marks)
{
    urb_buf_t buf = {0};
    urb_json_t j;
    urb_json_init(&j, &buf);
    if (html)
        urb_json_html(&j, s, n, marks, n_marks);
    else
        urb_json_str(&j, s, n);
    CHECK(urb_json_finish(&j) == 0);
    CHECK(one_clean_line(&buf));
    if (raw) {
        CHECK(buf.len == strlen(raw) && memcmp(buf.data, raw, buf.len) == 0);
        if (buf.len != strlen(raw) || memcmp(buf.data, raw, buf.len) != 0)
            fprintf(stderr, "  got %.*s\n want %s\n", (int)buf.len, buf.data,
                    raw);
    }
    json_t *v = load(&buf);
    CHECK(v && json_is_string(v));
    if (v && json_is_string(v)) {
        CHECK(json_string_length(v) == want_n &&
              memcmp(json_string_value(v), want, want_n) == 0);
    }
    json_decref(v);
    urb_buf_free(&buf);
}

#define STR(in, want, raw) \
    check_string(LIT(in), LIT(want), raw, 0, NULL, 0)

static void escapes(void)
{
    STR("plain", "plain", "\"plain\"");
    STR("", "", "\"\"");
    STR("a\"b\\c/d", "a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
    STR("\x01\n\t\r\b\f\x1f\x7f", "\x01\n\t\r\b\f\x1f\x7f",
        "\"\\u0001\\n\\t\\r\\b\\f\\u001f\x7f\"");
    STR("nul\0inside", "nul\0inside", "\"nul\\u0000inside\"");
    STR("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
        "\"a\\u2028b\\u2029c\"");
    /* Non-ASCII stays raw; U+2027 and U+202A are not escaped. */
    STR("València 東京 😀 עברית \xe2\x80\xa7\xe2\x80\xaa",
        "València 東京 😀 עברית \xe2\x80\xa7\xe2\x80\xaa",
        "\"València 東京 😀 עברית \xe2\x80\xa7\xe2\x80\xaa\"");
    /* Every C0 control reads back as itself. */
    for (int c = 0; c < 0x20; c++) {
        char s[3] = {'<', (char)c, '>'};
        check_string(s, 3, s, 3, NULL, 0, NULL, 0);
    }
}

#define FFFD "\xef\xbf\xbd"

static void invalid_utf8_becomes_fffd(void)
{
    STR("\xff", FFFD, "\"" FFFD "\"");
    STR("a\xc3", "a" FFFD, NULL);
    STR("\xe2\x82x", FFFD "x", NULL);            /* one maximal subpart */
    STR("\xed\xa0\x80", FFFD FFFD FFFD, NULL);   /* surrogate */
    STR("\xf0\x9f\x98", FFFD, NULL);             /* truncated emoji */
    STR("\xf0\x9f\x98\x80", "😀", "\"😀\"");
    STR("\xc0\xaf", FFFD FFFD, NULL);            /* overlong */
    STR("\xe0\x80\xaf", FFFD FFFD FFFD, NULL);   /* overlong */
    STR("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, NULL); /* past U+10FFFF */
    STR("\x80\x80", FFFD FFFD, NULL);
    STR("caf\xe9 na\xefve", "caf" FFFD " na" FFFD "ve", NULL); /* Latin-1 */
    STR("\xe2\x80\"", FFFD "\"", "\"" FFFD "\\\"\"");
}

/* A long string whose sequences straddle the writer's chunks. */
static void long_string(void)
{
    static const char piece[] = "é\x01\"€😀\xff<&a\\";
    static const char want_piece[] = "é\x01\"€😀" FFFD "<&a\\";
    static const char html_piece[] = "é\x01&quot;€😀" FFFD "&lt;&amp;a\\";
    urb_buf_t in = {0}, want = {0}, html = {0};
    for (int i = 0; i < 3000; i++) {
        CHECK(urb_buf_append(&in, piece, sizeof piece - 1) == 0);
        CHECK(urb_buf_append(&want, want_piece, sizeof want_piece - 1) == 0);
        CHECK(urb_buf_append(&html, html_piece, sizeof html_piece - 1) == 0);
    }
    check_string(in.data, in.len, want.data, want.len, NULL, 0, NULL, 0);
    check_string(in.data, in.len, html.data, html.len, NULL, 1, NULL, 0);
    urb_buf_free(&in);
    urb_buf_free(&want);
    urb_buf_free(&html);
}

static void html_snippets(void)
{
    check_string(LIT("x < y & \"z\" > w"), LIT("x &lt; y &amp; &quot;z&quot; &gt; w"),
                 "\"x &lt; y &amp; &quot;z&quot; &gt; w\"", 1, NULL, 0);

    static const char text[] = "refugee housing & <refugee>";
    const urb_mark_t marks[] = {{0, 7}, {19, 26}};
    check_string(LIT(text),
                 LIT("<b>refugee</b> housing &amp; &lt;<b>refugee</b>&gt;"),
                 "\"<b>refugee</b> housing &amp; &lt;<b>refugee</b>&gt;\"", 1,
                 marks, 2);

    /* Overlapping, empty and backward marks are skipped; ends clipped. */
    const urb_mark_t odd[] = {{0, 7}, {5, 10}, {8, 8}, {8, 15}, {2, 4},
                              {19, 1000}};
    check_string(LIT(text),
                 LIT("<b>refugee</b> <b>housing</b> &amp; &lt;<b>refugee&gt;</b>"),
                 NULL, 1, odd, 6);

    /* The text is JSON-escaped too; the marks fall on characters. */
    static const char uni[] = "a\\b\n\xe2\x80\xa8 València";
    const urb_mark_t v[] = {{8, 17}};
    check_string(LIT(uni), LIT("a\\b\n\xe2\x80\xa8 <b>València</b>"),
                 "\"a\\\\b\\n\\u2028 <b>València</b>\"", 1, v, 1);
}

static void check_output(const urb_buf_t *b, const char *want)
{
    CHECK(b->len == strlen(want) && memcmp(b->data, want, b->len) == 0);
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fprintf(stderr, "  got %.*s\n want %s\n", (int)b->len, b->data, want);
}

static void structure_and_commas(void)
{
    urb_buf_t buf = {0};
    urb_json_t j;
    CHECK(urb_buf_append(&buf, "OK ", 3) == 0);
    urb_json_init(&j, &buf);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "a");
    urb_json_int(&j, 1);
    urb_json_key(&j, "b");
    urb_json_arr_begin(&j);
    urb_json_int(&j, 1);
    urb_json_uint(&j, 2);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "c");
    urb_json_null(&j);
    urb_json_obj_end(&j);
    urb_json_arr_end(&j);
    urb_json_key(&j, "d");
    urb_json_obj_begin(&j);
    urb_json_obj_end(&j);
    urb_json_key(&j, "e");
    urb_json_arr_begin(&j);
    urb_json_arr_end(&j);
    urb_json_key(&j, "f");
    urb_json_verbatim(&j, LIT("{\"x\":[1]}"));
    urb_json_keyn(&j, LIT("k\"\n"));
    urb_json_bool(&j, true);
    urb_json_key(&j, "g");
    urb_json_arr_begin(&j);
    urb_json_bool(&j, false);
    urb_json_str(&j, LIT("s"));
    urb_json_verbatim(&j, LIT("[]"));
    urb_json_arr_end(&j);
    urb_json_obj_end(&j);
    CHECK(urb_json_finish(&j) == 0);
    check_output(&buf, "OK {\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{},\"e\":[],"
                       "\"f\":{\"x\":[1]},\"k\\\"\\n\":true,"
                       "\"g\":[false,\"s\",[]]}");
    urb_buf_free(&buf);
}

static void integers(void)
{
    urb_buf_t buf = {0};
    urb_json_t j;
    urb_json_init(&j, &buf);
    urb_json_arr_begin(&j);
    urb_json_int(&j, 0);
    urb_json_int(&j, -1);
    urb_json_int(&j, 2023);
    urb_json_int(&j, INT64_MIN);
    urb_json_int(&j, INT64_MAX);
    urb_json_uint(&j, UINT64_MAX);
    urb_json_arr_end(&j);
    CHECK(urb_json_finish(&j) == 0);
    check_output(&buf, "[0,-1,2023,-9223372036854775808,9223372036854775807,"
                       "18446744073709551615]");
    urb_buf_free(&buf);
}

static void doubles(void)
{
    urb_buf_t buf = {0};
    urb_json_t j;
    urb_json_init(&j, &buf);
    urb_json_arr_begin(&j);
    urb_json_double(&j, 0.1, 0);
    urb_json_double(&j, 11.2, 0);
    urb_json_double(&j, 1e300, 0);
    urb_json_double(&j, -0.0, 0);
    urb_json_double(&j, 5.0, 0);
    urb_json_double(&j, 2.5, 6);
    urb_json_double(&j, 3.14159265, 6);
    urb_json_double(&j, 123456789.0, 6);
    urb_json_double(&j, NAN, 0);
    urb_json_double(&j, INFINITY, 6);
    urb_json_double(&j, -INFINITY, 0);
    urb_json_arr_end(&j);
    CHECK(urb_json_finish(&j) == 0);
    check_output(&buf, "[0.1,11.2,1e+300,-0,5,2.5,3.14159,1.23457e+08,"
                       "null,null,null]");

    /* The shortest form reads back as the same double. */
    static const double vs[] = {1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e-310,
                                 1.7976931348623157e308, 4.9e-324,
                                 123456.789e-3, 9007199254740993.0};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        buf.len = 0;
        urb_json_init(&j, &buf);
        urb_json_double(&j, vs[i], 0);
        CHECK(urb_json_finish(&j) == 0);
        json_t *v = load(&buf);
        CHECK(v && json_number_value(v) == vs[i]);
        json_decref(v);
    }
    urb_buf_free(&buf);
}

/* %g follows LC_NUMERIC; the writer must still write a '.'. Builds, with
 * localedef, locales whose decimal point is a comma (de_DE) and a
 * two-byte U+066B (ps_AF). */
static void doubles_in_other_locales(void)
{
    static const char *const locales[] = {"de_DE", "ps_AF"};
    char *dir = urb_test_tmpdir();
    setenv("LOCPATH", dir, 1);
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        char cmd[512], name[64];
        snprintf(name, sizeof name, "%s.UTF-8", locales[i]);
        snprintf(cmd, sizeof cmd, "localedef -i %s -f UTF-8 %s/%s >/dev/null 2>&1",
                 locales[i], dir, name);
        if (system(cmd) != 0) {
            fprintf(stderr, "note: localedef failed, %s not tried\n", name);
            continue;
        }
        CHECK(setlocale(LC_NUMERIC, name) != NULL);
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 2.5);
        CHECK(strcmp(probe, "2.5") != 0); /* the locale is in effect */

        urb_buf_t buf = {0};
        urb_json_t j;
        urb_json_init(&j, &buf);
        urb_json_arr_begin(&j);
        urb_json_double(&j, 2.5, 6);
        urb_json_double(&j, 0.1, 0);
        urb_json_double(&j, 1.0 / 3, 0);
        urb_json_double(&j, 0.1 + 0.2, 0);
        urb_json_arr_end(&j);
        CHECK(urb_json_finish(&j) == 0);
        setlocale(LC_NUMERIC, "C");
        check_output(&buf, "[2.5,0.1,0.3333333333333333,0.30000000000000004]");
        urb_buf_free(&buf);
    }
    unsetenv("LOCPATH");
    urb_test_rmtree(dir);
    free(dir);
}

/* Each misuse sets failed; nothing more is written after it. */
static void misuse_is_caught(void)
{
    urb_buf_t buf = {0};
    urb_json_t j;
#define MISUSE(steps)                              \
    do {                                           \
        buf.len = 0;                               \
        urb_json_init(&j, &buf);                   \
        steps;                                     \
        CHECK(j.failed);                           \
        CHECK(urb_json_finish(&j) == -1);          \
        size_t len_ = buf.len;                     \
        urb_json_int(&j, 1);                       \
        urb_json_obj_end(&j);                      \
        CHECK(buf.len == len_);                    \
    } while (0)
    MISUSE(urb_json_obj_begin(&j); urb_json_int(&j, 1));
    MISUSE(urb_json_arr_begin(&j); urb_json_key(&j, "a"));
    MISUSE(urb_json_key(&j, "a"));
    MISUSE(urb_json_obj_begin(&j); urb_json_key(&j, "a"); urb_json_key(&j, "b"));
    MISUSE(urb_json_obj_begin(&j); urb_json_arr_end(&j));
    MISUSE(urb_json_arr_begin(&j); urb_json_obj_end(&j));
    MISUSE(urb_json_obj_begin(&j); urb_json_key(&j, "a"); urb_json_obj_end(&j));
    MISUSE(urb_json_int(&j, 1); urb_json_int(&j, 2));
    MISUSE(urb_json_arr_end(&j));
    MISUSE(for (int i = 0; i <= URB_JSON_MAX_DEPTH; i++) urb_json_arr_begin(&j));
#undef MISUSE

    /* As deep as allowed is fine. */
    buf.len = 0;
    urb_json_init(&j, &buf);
    for (int i = 0; i < URB_JSON_MAX_DEPTH; i++)
        urb_json_arr_begin(&j);
    for (int i = 0; i < URB_JSON_MAX_DEPTH; i++)
        urb_json_arr_end(&j);
    CHECK(urb_json_finish(&j) == 0);
    CHECK(buf.len == 2 * URB_JSON_MAX_DEPTH);

    /* Unfinished or empty is not an error yet, but not complete either. */
    buf.len = 0;
    urb_json_init(&j, &buf);
    CHECK(urb_json_finish(&j) == -1);
    urb_json_obj_begin(&j);
    CHECK(!j.failed && urb_json_finish(&j) == -1);
    urb_buf_free(&buf);
}

URB_TEST_MAIN(T(escapes), T(invalid_utf8_becomes_fffd), T(long_string),
              T(html_snippets), T(structure_and_commas), T(integers),
              T(doubles), T(doubles_in_other_locales), T(misuse_is_caught))
