/* The line protocol's codec: request lines, input splitting, replies. */
#include "test.h"
#include "urbis/json.h"
#include "urbis/proto.h"

#include <stdint.h>

#define LIT(s) s, sizeof(s) - 1

static int str_is(urb_str_t s, const char *want)
{
    return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

#define CHECK_SLICE(s, want)                                             \
    do {                                                                 \
        urb_str_t s_ = (s);                                              \
        if (!str_is(s_, want)) {                                         \
            fprintf(stderr, "%s:%d: %s is \"%.*s\", want \"%s\"\n",      \
                    __FILE__, __LINE__, #s, (int)s_.n, s_.p ? s_.p : "", \
                    want);                                               \
            urb_test_failed_checks++;                                    \
        }                                                                \
    } while (0)

static urb_request_t req;

static int parse(const char *line)
{
    return urb_request_parse(&req, line, strlen(line));
}

static void error_codes(void)
{
    static const char *const want[] = {
        "internal", "syntax", "unknown_command", "bad_argument", "too_long",
        "bad_utf8", "not_found", "forbidden", "busy", "timeout",
        "unavailable", "internal"};
    for (int c = 0; c < URB_ERR_LAST; c++)
        CHECK_STR(urb_errcode_name((urb_errcode_t)c), want[c]);
    CHECK_STR(urb_errcode_name(URB_ERR_LAST), "internal");
    CHECK_STR(urb_errcode_name((urb_errcode_t)-1), "internal");
}

static void verb_and_text(void)
{
    CHECK(parse("PING") == 1);
    CHECK_SLICE(req.verb, "PING");
    CHECK(req.n_options == 0);
    CHECK(req.text.p != NULL && req.text.n == 0);

    CHECK(parse("ping") == 1);
    CHECK_SLICE(req.verb, "ping");
    CHECK(urb_str_ieq(req.verb, "PING"));
    CHECK(urb_str_ieq(req.verb, "Ping"));
    CHECK(!urb_str_ieq(req.verb, "PIN"));
    CHECK(!urb_str_ieq(req.verb, "PINGS"));

    CHECK(parse("  SeArCh   refugee  housing \t ") == 1);
    CHECK_SLICE(req.verb, "SeArCh");
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "refugee  housing");

    CHECK(parse("GET\tvalencia-en") == 1);
    CHECK_SLICE(req.verb, "GET");
    CHECK_SLICE(req.text, "valencia-en");

    /* Quotes in the text are the query's business. */
    CHECK(parse("SEARCH \"refugee housing\" OR x=y") == 1);
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "\"refugee housing\" OR x=y");
}

static void options(void)
{
    CHECK(parse("SEARCH limit=5 offset=10 lang=en refugee housing") == 1);
    CHECK_SLICE(req.verb, "SEARCH");
    CHECK(req.n_options == 3);
    CHECK_SLICE(req.options[0].name, "limit");
    CHECK_SLICE(req.options[0].value, "5");
    CHECK_SLICE(req.options[1].name, "offset");
    CHECK_SLICE(req.options[1].value, "10");
    CHECK_SLICE(req.options[2].name, "lang");
    CHECK_SLICE(req.options[2].value, "en");
    CHECK_SLICE(req.text, "refugee housing");

    CHECK(parse("SEARCH\tfacets=country,year\tsort=-year\t") == 1);
    CHECK(req.n_options == 2);
    CHECK_SLICE(req.options[0].value, "country,year");
    CHECK_SLICE(req.options[1].value, "-year");
    CHECK(req.text.n == 0);

    /* The first word not of the form name=value starts the text. */
    CHECK(parse("SEARCH limit=5 refugee lang=en") == 1);
    CHECK(req.n_options == 1);
    CHECK_SLICE(req.text, "refugee lang=en");
    CHECK(parse("SEARCH Lang=en x") == 1);
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "Lang=en x");
    CHECK(parse("SEARCH lang2=en") == 1);
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "lang2=en");
    CHECK(parse("SEARCH =en") == 1);
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "=en");
    CHECK(parse("SEARCH big_limit=3 a_=b _=c x") == 1);
    CHECK(req.n_options == 3);
    CHECK_SLICE(req.options[2].name, "_");
    CHECK_SLICE(req.text, "x");

    /* Values: empty, with '=' and ':' in them, year ranges. */
    CHECK(parse("SEARCH lang= a=b=c filter=year:2015..2020 q") == 1);
    CHECK(req.n_options == 3);
    CHECK(req.options[0].value.p && req.options[0].value.n == 0);
    CHECK_SLICE(req.options[1].value, "b=c");
    CHECK_SLICE(req.options[2].value, "year:2015..2020");
    CHECK_SLICE(req.text, "q");
    CHECK(parse("SEARCH lang=") == 1);
    CHECK(req.n_options == 1 && req.options[0].value.n == 0);
}

static void quoted_values(void)
{
    CHECK(parse("SEARCH filter=network:\"Intercultural Cities\" "
                "filter=lang:en migrants") == 1);
    CHECK(req.n_options == 2);
    CHECK_SLICE(req.options[0].name, "filter");
    CHECK_SLICE(req.options[0].value, "network:Intercultural Cities");
    CHECK_SLICE(req.options[1].value, "lang:en");
    CHECK_SLICE(req.text, "migrants");

    CHECK(parse("X a=\"say \\\"hi\\\" \\\\ ok\" b=\"c:\\d\\n\" c=\"\" "
                "d=x\"y z\"w\\n e=\"\t\" text") == 1);
    CHECK(req.n_options == 5);
    CHECK_SLICE(req.options[0].value, "say \"hi\" \\ ok");
    CHECK_SLICE(req.options[1].value, "c:\\d\\n"); /* other \ kept */
    CHECK(req.options[2].value.p && req.options[2].value.n == 0);
    CHECK_SLICE(req.options[3].value, "xy zw\\n"); /* \ outside quotes */
    CHECK_SLICE(req.options[4].value, "\t");
    CHECK_SLICE(req.text, "text");

    /* Decoded values survive the next parse only until it: each parse
     * starts the scratch over. */
    CHECK(parse("X a=\"1 2\"") == 1);
    CHECK_SLICE(req.options[0].value, "1 2");

    CHECK(parse("SEARCH filter=\"abc") == -1);
    CHECK(req.err == URB_ERR_SYNTAX);
    CHECK_STR(req.errmsg, "unterminated quote");
    CHECK(parse("SEARCH a=\"x\\\"") == -1);
    CHECK(req.err == URB_ERR_SYNTAX);
    CHECK(parse("SEARCH a=\"x\\\\\" b=\"") == -1);
    CHECK(req.err == URB_ERR_SYNTAX);
}

static void double_dash(void)
{
    CHECK(parse("SEARCH limit=5 -- lang=en is text") == 1);
    CHECK(req.n_options == 1);
    CHECK_SLICE(req.text, "lang=en is text");
    CHECK(parse("SEARCH -- -- x") == 1);
    CHECK(req.n_options == 0);
    CHECK_SLICE(req.text, "-- x");
    CHECK(parse("SEARCH --\t") == 1);
    CHECK(req.text.n == 0);
    CHECK(parse("SEARCH --x") == 1);
    CHECK_SLICE(req.text, "--x");
    CHECK(parse("SEARCH -x") == 1);
    CHECK_SLICE(req.text, "-x");
}

static void blank_lines_and_cr(void)
{
    CHECK(parse("") == 0);
    CHECK(parse("   \t ") == 0);
    CHECK(parse("\r") == 0);
    CHECK(parse(" \t\r") == 0);

    CHECK(parse("PING\r") == 1);
    CHECK_SLICE(req.verb, "PING");
    CHECK(parse("SEARCH a=b q \r") == 1);
    CHECK_SLICE(req.text, "q");
    /* Only a final CR is dropped. */
    CHECK(parse("GET a\rb") == 1);
    CHECK_SLICE(req.text, "a\rb");
}

static void invalid_utf8(void)
{
    static const char *const lines[] = {
        "SEARCH caf\xe9", "SEARCH lang=\xff x", "P\xc3NG",
        "SEARCH a=\"\xed\xa0\x80\"", "SEARCH x \xf0\x9f\x98",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        CHECK(parse(lines[i]) == -1);
        CHECK(req.err == URB_ERR_BAD_UTF8);
    }
    CHECK(parse("SEARCH café 東京 😀") == 1);
    CHECK_SLICE(req.text, "café 東京 😀");
}

static void too_many_options(void)
{
    char line[2048];
    size_t n = (size_t)snprintf(line, sizeof line, "SEARCH");
    for (int i = 0; i < URB_REQ_MAX_OPTIONS; i++)
        n += (size_t)snprintf(line + n, sizeof line - n,
                              " filter=\"city:Ci ty %d\"", i);
    snprintf(line + n, sizeof line - n, " text");
    CHECK(parse(line) == 1);
    CHECK(req.n_options == URB_REQ_MAX_OPTIONS);
    /* Every decoded value is intact after the scratch filled up. */
    for (int i = 0; i < URB_REQ_MAX_OPTIONS; i++) {
        char want[32];
        snprintf(want, sizeof want, "city:Ci ty %d", i);
        CHECK_SLICE(req.options[i].value, want);
    }
    CHECK_SLICE(req.text, "text");

    snprintf(line + n, sizeof line - n, " a=1 text");
    CHECK(parse(line) == -1);
    CHECK(req.err == URB_ERR_BAD_ARGUMENT);
    CHECK_STR(req.errmsg, "too many options");
    /* The same count behind -- is text. */
    snprintf(line + n, sizeof line - n, " -- a=1 text");
    CHECK(parse(line) == 1);
    CHECK_SLICE(req.text, "a=1 text");
}

static void option_values(void)
{
    uint64_t u = 99;
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("10")}, 0, 100, &u) == 0 && u == 10);
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("007")}, 0, 100, &u) == 0 && u == 7);
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("0")}, 0, 100, &u) == 0 && u == 0);
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("100")}, 0, 100, &u) == 0 && u == 100);
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("18446744073709551615")}, 0,
                               UINT64_MAX, &u) == 0 && u == UINT64_MAX);
    u = 42;
    static const char *const bad[] = {"", "101", "-1", "+1", " 1", "1 ",
                                      "1x", "0x10", "18446744073709551616",
                                      "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(urb_proto_parse_uint((urb_str_t){bad[i], strlen(bad[i])}, 0, 100,
                                   &u) == -1);
    CHECK(urb_proto_parse_uint((urb_str_t){LIT("0")}, 1, 50, &u) == -1);
    CHECK(u == 42);

    bool b = false;
    CHECK(urb_proto_parse_bool((urb_str_t){LIT("1")}, &b) == 0 && b);
    CHECK(urb_proto_parse_bool((urb_str_t){LIT("0")}, &b) == 0 && !b);
    CHECK(urb_proto_parse_bool((urb_str_t){LIT("true")}, &b) == -1);
    CHECK(urb_proto_parse_bool((urb_str_t){LIT("")}, &b) == -1);
    CHECK(urb_proto_parse_bool((urb_str_t){LIT("10")}, &b) == -1);

    static const char *const sorts[] = {"relevance", "year", "-year", NULL};
    int k = -1;
    CHECK(urb_proto_parse_choice((urb_str_t){LIT("-year")}, sorts, &k) == 0 && k == 2);
    CHECK(urb_proto_parse_choice((urb_str_t){LIT("Relevance")}, sorts, &k) == 0 && k == 0);
    CHECK(urb_proto_parse_choice((urb_str_t){LIT("years")}, sorts, &k) == -1);
    CHECK(urb_proto_parse_choice((urb_str_t){LIT("")}, sorts, &k) == -1);
}

/* ---- Line splitting ------------------------------------------------------ */

static void check_line_buf(urb_linebuf_t *lb, const char *want)
{
    urb_str_t line = {NULL, 0};
    int r = urb_linebuf_next(lb, &line);
    CHECK(r == URB_LINE_READY);
    if (r == URB_LINE_READY) {
        CHECK(line.n == strlen(want) && memcmp(line.p, want, line.n) == 0);
    }
}

static void pipelined_lines(void)
{
    urb_linebuf_t lb;
    urb_buf_t in = {0};
    urb_linebuf_init(&lb, 0);
    CHECK(lb.max_line == URB_LINE_MAX_DEFAULT);
    char tmp[64];
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(tmp, sizeof tmp, "SEARCH limit=%d q%d%s", i % 100, i,
                         i % 3 ? "\n" : "\r\n");
        CHECK(urb_buf_append(&in, tmp, (size_t)n) == 0);
    }
    CHECK(urb_linebuf_append(&lb, in.data, in.len) == 0);
    urb_str_t line;
    int count = 0;
    while (urb_linebuf_next(&lb, &line) == URB_LINE_READY) {
        snprintf(tmp, sizeof tmp, "SEARCH limit=%d q%d", count % 100, count);
        CHECK(str_is(line, tmp));
        count++;
    }
    CHECK(count == 2000);
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);
    urb_buf_free(&in);
    urb_linebuf_free(&lb);
}

static const char split_input[] = "A\r\nBB\nCCC\r\n\n\r\nD\rD\n";
static const char *const split_lines[] = {"A", "BB", "CCC", "", "", "D\rD"};

static void drain(urb_linebuf_t *lb, size_t *got)
{
    urb_str_t line;
    int r;
    while ((r = urb_linebuf_next(lb, &line)) == URB_LINE_READY) {
        CHECK(*got < 6 && str_is(line, split_lines[*got]));
        (*got)++;
    }
    CHECK(r == URB_LINE_NONE);
}

static void lines_split_anywhere(void)
{
    size_t len = sizeof split_input - 1;
    for (size_t i = 0; i <= len; i++) {
        for (size_t k = i; k <= len; k++) {
            urb_linebuf_t lb;
            size_t got = 0;
            urb_linebuf_init(&lb, 0);
            CHECK(urb_linebuf_append(&lb, split_input, i) == 0);
            drain(&lb, &got);
            CHECK(urb_linebuf_append(&lb, split_input + i, k - i) == 0);
            drain(&lb, &got);
            CHECK(urb_linebuf_append(&lb, split_input + k, len - k) == 0);
            drain(&lb, &got);
            CHECK(got == 6);
            urb_linebuf_free(&lb);
        }
    }
}

/* Many reads written straight into the buffer's space, each drained.
 * Every read ends inside a line, so the buffer never empties: staying
 * small means the consumed front was moved out of the way. */
static void space_and_compaction(void)
{
    urb_linebuf_t lb;
    urb_linebuf_init(&lb, 0);
    char stream[32];
    size_t sent = 0, got = 0;
    for (int round = 0; round < 20000; round++) {
        size_t want = round ? 13 * (1 + (size_t)round % 5) : 5, room;
        char *p = urb_linebuf_space(&lb, want, &room);
        CHECK(p && room >= want);
        if (!p)
            break;
        for (size_t k = 0; k < want; k++, sent++) {
            snprintf(stream, sizeof stream, "PING %07zu\n", sent / 13);
            p[k] = stream[sent % 13];
        }
        urb_linebuf_commit(&lb, want);
        urb_str_t line;
        while (urb_linebuf_next(&lb, &line) == URB_LINE_READY) {
            snprintf(stream, sizeof stream, "PING %07zu", got++);
            CHECK(str_is(line, stream));
        }
        CHECK(lb.pos < lb.len);
    }
    CHECK(got == sent / 13);
    CHECK(sent > 100000 && lb.cap <= 4096);
    urb_linebuf_free(&lb);
}

static void over_long_lines(void)
{
    urb_linebuf_t lb;
    urb_str_t line;
    urb_linebuf_init(&lb, 10);

    /* Exactly the limit, with or without CR, is fine; one more is not. */
    CHECK(urb_linebuf_append(&lb, LIT("0123456789\n0123456789\r\n01234567890\nPING\n")) == 0);
    check_line_buf(&lb, "0123456789");
    check_line_buf(&lb, "0123456789");
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_TOO_LONG);
    check_line_buf(&lb, "PING");
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);

    /* A long line arriving in pieces is reported once, as soon as it is
     * too long, and its rest dropped across many appends. */
    int reports = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK(urb_linebuf_append(&lb, LIT("abcdefg")) == 0);
        int r;
        while ((r = urb_linebuf_next(&lb, &line)) != URB_LINE_NONE) {
            CHECK(r == URB_LINE_TOO_LONG);
            reports += r == URB_LINE_TOO_LONG;
        }
        if (i == 1)
            CHECK(reports == 1); /* 14 bytes > 10 + a possible CR */
    }
    CHECK(reports == 1);
    CHECK(lb.cap <= 4096); /* what was dropped was not kept */
    CHECK(urb_linebuf_append(&lb, LIT("tail\r\nQUIT\r")) == 0);
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);
    CHECK(urb_linebuf_append(&lb, LIT("\n")) == 0);
    check_line_buf(&lb, "QUIT");
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);

    /* Limit + CR pending is not yet too long. */
    CHECK(urb_linebuf_append(&lb, LIT("0123456789\r")) == 0);
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);
    CHECK(urb_linebuf_append(&lb, LIT("\n")) == 0);
    check_line_buf(&lb, "0123456789");
    urb_linebuf_free(&lb);

    /* The default limit, with a huge line then a normal one in one read. */
    urb_linebuf_init(&lb, 0);
    urb_buf_t in = {0};
    for (int i = 0; i < 20000; i++)
        CHECK(urb_buf_append(&in, "x", 1) == 0);
    CHECK(urb_buf_append(&in, LIT("\nPING\r\n")) == 0);
    CHECK(urb_linebuf_append(&lb, in.data, in.len) == 0);
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_TOO_LONG);
    check_line_buf(&lb, "PING");
    CHECK(urb_linebuf_next(&lb, &line) == URB_LINE_NONE);
    urb_buf_free(&in);
    urb_linebuf_free(&lb);
}

/* ---- Replies ------------------------------------------------------------ */

static void check_reply(const urb_buf_t *b, const char *want)
{
    CHECK(b->len == strlen(want) && memcmp(b->data, want, b->len) == 0);
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fprintf(stderr, "  got  %.*s\n  want %s\n", (int)b->len, b->data, want);
}

static void replies(void)
{
    urb_buf_t b = {0};
    urb_json_t j;
    CHECK(urb_proto_ok(&b) == 0);
    urb_json_init(&j, &b);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "pong");
    urb_json_bool(&j, true);
    urb_json_obj_end(&j);
    CHECK(urb_json_finish(&j) == 0);
    CHECK(urb_proto_end(&b) == 0);
    check_reply(&b, "OK {\"pong\":true}\n");

    b.len = 0;
    CHECK(urb_proto_err(&b, URB_ERR_SYNTAX, "bad %s at %d", "query\nx", 3) == 0);
    check_reply(&b, "ERR syntax bad query x at 3\n");

    b.len = 0;
    CHECK(urb_proto_err(&b, URB_ERR_BAD_ARGUMENT, "%s",
                        "t\tr\r\x7f" "c1\xc2\x85" "ls\xe2\x80\xa8" "ps\xe2\x80\xa9"
                        "bad\xff\xc3 é😀") == 0);
    check_reply(&b, "ERR bad_argument t r  c1 ls ps bad\xef\xbf\xbd\xef\xbf\xbd é😀\n");

    /* Appends after what is there. */
    CHECK(urb_proto_err(&b, URB_ERR_TOO_LONG, "line too long") == 0);
    CHECK(b.len > 17 && memcmp(b.data + b.len - 27, "ERR too_long line too long\n", 27) == 0);
    urb_buf_free(&b);
}

static void long_messages_are_cut(void)
{
    urb_buf_t b = {0};
    char *msg = malloc(4000);
    for (int i = 0; i < 1999; i++)
        memcpy(msg + 2 * i, "é", 2);
    msg[3998] = 0;
    CHECK(urb_proto_err(&b, URB_ERR_NOT_FOUND, "%s", msg) == 0);
    CHECK(b.len == strlen("ERR not_found ") + URB_PROTO_MSG_MAX + 1);
    CHECK(b.data[b.len - 1] == '\n');
    CHECK(urb_utf8_valid(b.data, b.len, NULL));
    CHECK(memchr(b.data, '\n', b.len) == b.data + b.len - 1);

    /* A cut through a character drops it rather than break it. */
    memset(msg, 'a', URB_PROTO_MSG_MAX - 1);
    strcpy(msg + URB_PROTO_MSG_MAX - 1, "😀tail");
    b.len = 0;
    CHECK(urb_proto_err(&b, URB_ERR_NOT_FOUND, "%s", msg) == 0);
    CHECK(b.len == strlen("ERR not_found ") + URB_PROTO_MSG_MAX - 1 + 1);
    CHECK(urb_utf8_valid(b.data, b.len, NULL));
    CHECK(b.data[b.len - 2] == 'a');
    free(msg);
    urb_buf_free(&b);
}

static void cleanup(void)
{
    urb_request_free(&req);
    CHECK(req.scratch.data == NULL);
}

URB_TEST_MAIN(T(error_codes), T(verb_and_text), T(options), T(quoted_values),
              T(double_dash), T(blank_lines_and_cr), T(invalid_utf8),
              T(too_many_options), T(option_values), T(pipelined_lines),
              T(lines_split_anywhere), T(space_and_compaction),
              T(over_long_lines), T(replies), T(long_messages_are_cut),
              T(cleanup))
