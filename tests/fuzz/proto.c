/* Fuzz target: the line protocol's codec (proto.h).
 *
 * The input is one request line for urb_request_parse, checked against
 * what the grammar promises and by a round trip (the request written back
 * canonically parses to the same request); its option values go through
 * the value parsers, and the line through urb_proto_err. Then the input is
 * a connection's byte stream: fed to the line splitter in chunks of
 * random sizes, the lines and too_long reports must be exactly those of
 * splitting the whole input at once. */
#include "fuzz.h"
#include "urbis/proto.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool within(urb_str_t s, const char *p, size_t n)
{
    return s.p >= p && s.p + s.n <= p + n;
}

static bool str_eq(urb_str_t a, urb_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* ---- Option values -------------------------------------------------------- */

static void check_values(urb_str_t v)
{
    /* Reference decimal reading with overflow detection. */
    uint64_t x = 0;
    bool digits = v.n > 0;
    for (size_t i = 0; digits && i < v.n; i++) {
        unsigned d = (unsigned char)v.p[i] - '0';
        digits = d <= 9 && !__builtin_mul_overflow(x, 10, &x) &&
                 !__builtin_add_overflow(x, d, &x);
    }
    uint64_t out = 0;
    int r = urb_proto_parse_uint(v, 0, UINT64_MAX, &out);
    FZ_CHECK((r == 0) == digits);
    FZ_CHECK(r < 0 || out == x);
    r = urb_proto_parse_uint(v, 1, 100, &out);
    FZ_CHECK((r == 0) == (digits && x >= 1 && x <= 100));

    bool b = false;
    r = urb_proto_parse_bool(v, &b);
    bool is_bool = v.n == 1 && (v.p[0] == '0' || v.p[0] == '1');
    FZ_CHECK((r == 0) == is_bool);
    FZ_CHECK(r < 0 || b == (v.p[0] == '1'));

    static const char *const sorts[] = {"relevance", "year", "-year", NULL};
    int k = -1, want = -1;
    for (int i = 0; sorts[i] && want < 0; i++) {
        size_t n = strlen(sorts[i]);
        bool eq = v.n == n;
        for (size_t j = 0; eq && j < n; j++) {
            unsigned char c = (unsigned char)v.p[j];
            eq = (c >= 'A' && c <= 'Z' ? c + 32 : c) == (unsigned char)sorts[i][j];
        }
        if (eq)
            want = i;
    }
    r = urb_proto_parse_choice(v, sorts, &k);
    FZ_CHECK(r == (want < 0 ? -1 : 0) && (r < 0 || k == want));
    FZ_CHECK(urb_str_ieq(v, "-YEAR") == (want == 2));
}

/* ---- Request lines -------------------------------------------------------- */

/* A value written back quoted, so that it parses to itself. */
static void put_quoted(urb_buf_t *b, urb_str_t v)
{
    FZ_CHECK(urb_buf_append(b, "\"", 1) == 0);
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '"' || v.p[i] == '\\')
            FZ_CHECK(urb_buf_append(b, "\\", 1) == 0);
        FZ_CHECK(urb_buf_append(b, v.p + i, 1) == 0);
    }
    FZ_CHECK(urb_buf_append(b, "\"", 1) == 0);
}

/* Writes req back canonically, reparses it, and compares. A final space
 * keeps a CR at the end of the text from being taken for the line's. */
static void round_trip(const urb_request_t *req)
{
    urb_buf_t b = {0};
    FZ_CHECK(urb_buf_append(&b, req->verb.p, req->verb.n) == 0);
    for (size_t i = 0; i < req->n_options; i++) {
        const urb_option_t *o = &req->options[i];
        FZ_CHECK(urb_buf_append(&b, " ", 1) == 0);
        FZ_CHECK(urb_buf_append(&b, o->name.p, o->name.n) == 0);
        FZ_CHECK(urb_buf_append(&b, "=", 1) == 0);
        put_quoted(&b, o->value);
    }
    FZ_CHECK(urb_buf_append(&b, " -- ", 4) == 0);
    FZ_CHECK(urb_buf_append(&b, req->text.p, req->text.n) == 0);
    FZ_CHECK(urb_buf_append(&b, " ", 1) == 0);

    urb_request_t again;
    urb_request_init(&again);
    FZ_CHECK(urb_request_parse(&again, b.data, b.len) == 1);
    FZ_CHECK(str_eq(again.verb, req->verb));
    FZ_CHECK(again.n_options == req->n_options);
    for (size_t i = 0; i < req->n_options; i++) {
        FZ_CHECK(str_eq(again.options[i].name, req->options[i].name));
        FZ_CHECK(str_eq(again.options[i].value, req->options[i].value));
    }
    FZ_CHECK(str_eq(again.text, req->text));
    urb_request_free(&again);
    urb_buf_free(&b);
}

static void check_request(urb_request_t *req, const char *line, size_t len)
{
    int r = urb_request_parse(req, line, len);
    size_t n = len && line[len - 1] == '\r' ? len - 1 : len;
    size_t start = 0, end = n;
    while (start < end && is_blank(line[start]))
        start++;
    while (end > start && is_blank(line[end - 1]))
        end--;

    if (start == end) {
        FZ_CHECK(r == 0);
        return;
    }
    if (!fz_utf8_valid(line, n, NULL)) {
        FZ_CHECK(r == -1 && req->err == URB_ERR_BAD_UTF8 && req->errmsg);
        return;
    }
    if (r < 0) {
        FZ_CHECK(req->errmsg);
        FZ_CHECK((req->err == URB_ERR_SYNTAX && memchr(line, '"', n)) ||
                 (req->err == URB_ERR_BAD_ARGUMENT &&
                  req->n_options == URB_REQ_MAX_OPTIONS));
        return;
    }
    FZ_CHECK(r == 1);

    /* The verb is the first word. */
    FZ_CHECK(req->verb.p == line + start && req->verb.n > 0);
    for (size_t i = 0; i < req->verb.n; i++)
        FZ_CHECK(!is_blank(req->verb.p[i]));

    /* Options: [a-z_]+ names; a value is a slice of the line or, when it
     * was quoted, of the scratch buffer; an unquoted one has no blank. */
    const urb_buf_t *sb = &req->scratch;
    FZ_CHECK(req->n_options <= URB_REQ_MAX_OPTIONS);
    for (size_t i = 0; i < req->n_options; i++) {
        urb_str_t name = req->options[i].name, v = req->options[i].value;
        FZ_CHECK(name.n > 0 && within(name, line, n));
        FZ_CHECK(name.p[name.n] == '=');
        for (size_t k = 0; k < name.n; k++)
            FZ_CHECK((name.p[k] >= 'a' && name.p[k] <= 'z') ||
                     name.p[k] == '_');
        if (within(v, line, n)) {
            FZ_CHECK(v.p == name.p + name.n + 1);
            for (size_t k = 0; k < v.n; k++)
                FZ_CHECK(!is_blank(v.p[k]) && v.p[k] != '"');
        } else {
            FZ_CHECK(sb->data && within(v, sb->data, sb->len));
        }
        check_values(v);
    }

    /* The text runs to the end of the line, trimmed. */
    FZ_CHECK(within(req->text, line, n));
    if (req->text.n) {
        FZ_CHECK(req->text.p + req->text.n == line + end);
        FZ_CHECK(!is_blank(req->text.p[0]));
    }
    round_trip(req);
}

/* ---- Error replies -------------------------------------------------------- */

static bool is_control(int32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029;
}

/* The message (printf'd, so cut at a NUL) as one line of valid UTF-8, and
 * exactly the input with its controls made spaces when it was valid. */
static void check_err(const char *msg, size_t len, urb_errcode_t code)
{
    urb_buf_t out = {0};
    FZ_CHECK(urb_buf_append(&out, "OK {}\n", 6) == 0);
    FZ_CHECK(urb_proto_err(&out, code, "%.*s", (int)len, msg) == 0);
    const char *name = urb_errcode_name(code);
    size_t head = 6 + 4 + strlen(name) + 1;
    FZ_CHECK(memcmp(out.data, "OK {}\nERR ", 10) == 0);
    FZ_CHECK(out.len >= head + 1 && memcmp(out.data + 10, name, strlen(name)) == 0);
    FZ_CHECK(out.data[head - 1] == ' ' && out.data[out.len - 1] == '\n');
    FZ_CHECK((code > URB_ERR_NONE && code < URB_ERR_LAST) ||
             strcmp(name, "internal") == 0);

    const uint8_t *m = (const uint8_t *)out.data + head;
    size_t mn = out.len - head - 1;
    FZ_CHECK(mn <= 3 * URB_PROTO_MSG_MAX);
    int32_t cp = 0;
    for (size_t i = 0; i < mn;) {
        size_t k = fz_utf8_seq(m + i, mn - i, &cp);
        FZ_CHECK(k > 0 && !is_control(cp));
        i += k;
    }

    size_t cut = strnlen(msg, len);
    if (cut <= URB_PROTO_MSG_MAX && fz_utf8_valid(msg, cut, NULL)) {
        const uint8_t *s = (const uint8_t *)msg;
        size_t j = 0;
        for (size_t i = 0; i < cut;) {
            size_t k = fz_utf8_seq(s + i, cut - i, &cp);
            if (is_control(cp)) {
                FZ_CHECK(j < mn && m[j] == ' ');
                j++;
            } else {
                FZ_CHECK(j + k <= mn && memcmp(m + j, s + i, k) == 0);
                j += k;
            }
            i += k;
        }
        FZ_CHECK(j == mn);
    }
    urb_buf_free(&out);
}

/* ---- The line splitter ---------------------------------------------------- */

typedef struct event {
    int kind; /* URB_LINE_READY or URB_LINE_TOO_LONG */
    size_t start, len; /* READY: the line's bytes in the input */
} event_t;

/* What splitting the whole input must give: each LF-ended line without
 * one CR before its LF, or too_long past max_line; and an unended last
 * line over max_line + 1 reported as too long once. */
static size_t expected(const uint8_t *d, size_t n, size_t max, event_t *ev)
{
    size_t k = 0, at = 0;
    for (;;) {
        const uint8_t *lf = memchr(d + at, '\n', n - at);
        if (!lf) {
            if (n - at > max + 1)
                ev[k++] = (event_t){URB_LINE_TOO_LONG, 0, 0};
            return k;
        }
        size_t len = (size_t)(lf - d) - at;
        if (len && d[at + len - 1] == '\r')
            len--;
        ev[k++] = len > max ? (event_t){URB_LINE_TOO_LONG, 0, 0}
                            : (event_t){URB_LINE_READY, at, len};
        at = (size_t)(lf - d) + 1;
    }
}

static void check_splitter(const uint8_t *d, size_t n, urb_request_t *req)
{
    uint64_t rng = fz_hash(d, n);
    static const size_t maxes[] = {1, 2, 3, 7, 16, 64, 0};
    size_t max_line = maxes[fz_next(&rng) % 7];
    event_t *want = malloc((n + 1) * sizeof *want);
    FZ_CHECK(want);
    size_t n_want =
        expected(d, n, max_line ? max_line : URB_LINE_MAX_DEFAULT, want);

    urb_linebuf_t lb;
    urb_linebuf_init(&lb, max_line);
    size_t got = 0, at = 0;
    while (at < n) {
        /* A read as libuv makes it: ask for room, fill part of it. */
        size_t chunk = 1 + fz_next(&rng) % (n - at < 64 ? n - at : 64);
        size_t room = 0;
        char *p = urb_linebuf_space(&lb, 1 + fz_next(&rng) % 128, &room);
        FZ_CHECK(p && room >= 1);
        if (chunk > room)
            chunk = room;
        memcpy(p, d + at, chunk);
        urb_linebuf_commit(&lb, chunk);
        at += chunk;

        urb_str_t line;
        int r;
        while ((r = urb_linebuf_next(&lb, &line)) != URB_LINE_NONE) {
            FZ_CHECK(got < n_want && r == want[got].kind);
            if (r == URB_LINE_READY) {
                FZ_CHECK(line.n == want[got].len &&
                         (line.n == 0 ||
                          memcmp(line.p, d + want[got].start, line.n) == 0));
                FZ_CHECK(line.n <= lb.max_line && !memchr(line.p, '\n', line.n));
                if (got < 8) /* a few lines of a pipelined stream */
                    urb_request_parse(req, line.p, line.n);
            }
            got++;
        }
        /* Memory stays bounded by the longest line, not the stream. */
        FZ_CHECK(lb.len - lb.pos <= lb.max_line + 1);
    }
    FZ_CHECK(got == n_want);
    urb_linebuf_free(&lb);
    free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    urb_request_t req;
    urb_request_init(&req);
    check_request(&req, (const char *)data, size);
    check_err((const char *)data, size,
              (urb_errcode_t)(size % (URB_ERR_LAST + 2)));
    check_splitter(data, size, &req);
    urb_request_free(&req);
    return 0;
}
