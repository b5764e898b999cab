/* proto.c — the line protocol's codec (proto.h). */
#include "urbis/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const code_names[URB_ERR_LAST] = {
    [URB_ERR_SYNTAX] = "syntax",
    [URB_ERR_UNKNOWN_COMMAND] = "unknown_command",
    [URB_ERR_BAD_ARGUMENT] = "bad_argument",
    [URB_ERR_TOO_LONG] = "too_long",
    [URB_ERR_BAD_UTF8] = "bad_utf8",
    [URB_ERR_NOT_FOUND] = "not_found",
    [URB_ERR_FORBIDDEN] = "forbidden",
    [URB_ERR_BUSY] = "busy",
    [URB_ERR_TIMEOUT] = "timeout",
    [URB_ERR_UNAVAILABLE] = "unavailable",
    [URB_ERR_INTERNAL] = "internal",
};

const char *urb_errcode_name(urb_errcode_t code)
{
    if ((unsigned)code >= URB_ERR_LAST || !code_names[code])
        return code_names[URB_ERR_INTERNAL];
    return code_names[code];
}

/* ---- Input lines -------------------------------------------------------- */

void urb_linebuf_init(urb_linebuf_t *lb, size_t max_line)
{
    memset(lb, 0, sizeof *lb);
    lb->max_line = max_line ? max_line : URB_LINE_MAX_DEFAULT;
}

void urb_linebuf_free(urb_linebuf_t *lb)
{
    free(lb->data);
    urb_linebuf_init(lb, lb->max_line);
}

char *urb_linebuf_space(urb_linebuf_t *lb, size_t want, size_t *room)
{
    if (lb->pos == lb->len) {
        lb->pos = lb->len = lb->scanned = 0;
    } else if (lb->pos && lb->cap - lb->len < want) {
        /* Reclaim the consumed front before growing. */
        memmove(lb->data, lb->data + lb->pos, lb->len - lb->pos);
        lb->len -= lb->pos;
        lb->scanned -= lb->pos;
        lb->pos = 0;
    }
    if (lb->cap - lb->len < want || !lb->data) {
        size_t cap = lb->cap ? lb->cap * 2 : 4096;
        if (cap < lb->len + want)
            cap = lb->len + want;
        char *data = realloc(lb->data, cap);
        if (!data)
            return NULL;
        lb->data = data;
        lb->cap = cap;
    }
    *room = lb->cap - lb->len;
    return lb->data + lb->len;
}

void urb_linebuf_commit(urb_linebuf_t *lb, size_t n)
{
    lb->len += n;
}

int urb_linebuf_append(urb_linebuf_t *lb, const char *s, size_t n)
{
    size_t room;
    char *p = urb_linebuf_space(lb, n, &room);
    if (!p)
        return -1;
    if (n)
        memcpy(p, s, n);
    urb_linebuf_commit(lb, n);
    return 0;
}

int urb_linebuf_next(urb_linebuf_t *lb, urb_str_t *line)
{
    for (;;) {
        if (lb->scanned < lb->pos)
            lb->scanned = lb->pos;
        char *lf = lb->scanned < lb->len
                       ? memchr(lb->data + lb->scanned, '\n',
                                lb->len - lb->scanned)
                       : NULL;
        if (!lf) {
            lb->scanned = lb->len;
            if (lb->discarding) {
                lb->pos = lb->len;
                return URB_LINE_NONE;
            }
            /* Over max_line + 1 cannot end well even if a CR comes last:
             * report now and drop what is held, so memory stays bounded. */
            if (lb->len - lb->pos > lb->max_line + 1) {
                lb->discarding = true;
                lb->pos = lb->len;
                return URB_LINE_TOO_LONG;
            }
            return URB_LINE_NONE;
        }
        char *start = lb->data + lb->pos;
        size_t n = (size_t)(lf - start);
        lb->pos = (size_t)(lf - lb->data) + 1;
        if (lb->discarding) {
            lb->discarding = false;
            continue;
        }
        if (n && start[n - 1] == '\r')
            n--;
        if (n > lb->max_line)
            return URB_LINE_TOO_LONG;
        *line = (urb_str_t){start, n};
        return URB_LINE_READY;
    }
}

/* ---- Request lines ------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

void urb_request_init(urb_request_t *req)
{
    memset(req, 0, sizeof *req);
}

void urb_request_free(urb_request_t *req)
{
    urb_buf_free(&req->scratch);
    urb_request_init(req);
}

static int fail(urb_request_t *req, urb_errcode_t code, const char *msg)
{
    req->err = code;
    req->errmsg = msg;
    return -1;
}

/* The length of "name=" at p, or 0 when the word there is not an option. */
static size_t option_name(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '_'))
        q++;
    return q > p && q < end && *q == '=' ? (size_t)(q - p) + 1 : 0;
}

/* Reads the value at *pp up to an unquoted space or the end. Values with
 * no quote stay slices of the line; others are decoded into scratch,
 * which was reserved for the whole line so earlier values stay put. */
static int read_value(urb_request_t *req, const char **pp, const char *end,
                      urb_str_t *value)
{
    const char *p = *pp, *q = p;
    while (q < end && !is_space(*q) && *q != '"')
        q++;
    if (q == end || is_space(*q)) {
        *value = (urb_str_t){p, (size_t)(q - p)};
        *pp = q;
        return 0;
    }
    urb_buf_t *sb = &req->scratch;
    char *start = sb->data + sb->len, *o = start;
    bool quoted = false;
    for (q = p; q < end && (quoted || !is_space(*q)); q++) {
        if (*q == '"') {
            quoted = !quoted;
        } else if (quoted && *q == '\\' && q + 1 < end &&
                   (q[1] == '"' || q[1] == '\\')) {
            *o++ = *++q;
        } else {
            *o++ = *q;
        }
    }
    if (quoted)
        return fail(req, URB_ERR_SYNTAX, "unterminated quote");
    sb->len = (size_t)(o - sb->data);
    *value = (urb_str_t){start, (size_t)(o - start)};
    *pp = q;
    return 0;
}

int urb_request_parse(urb_request_t *req, const char *line, size_t len)
{
    req->verb = req->text = (urb_str_t){line, 0};
    req->n_options = 0;
    req->err = URB_ERR_NONE;
    req->errmsg = NULL;
    req->scratch.len = 0;

    if (len && line[len - 1] == '\r')
        len--;
    const char *p = line, *end = line + len;
    while (end > p && is_space(end[-1]))
        end--;
    while (p < end && is_space(*p))
        p++;
    if (p == end)
        return 0;
    if (!urb_utf8_valid(line, len, NULL))
        return fail(req, URB_ERR_BAD_UTF8, "request is not valid UTF-8");
    if (urb_buf_reserve(&req->scratch, len) < 0)
        return fail(req, URB_ERR_INTERNAL, "out of memory");

    const char *verb = p;
    while (p < end && !is_space(*p))
        p++;
    req->verb = (urb_str_t){verb, (size_t)(p - verb)};

    for (;;) {
        while (p < end && is_space(*p))
            p++;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-' &&
            (end - p == 2 || is_space(p[2]))) {
            p += 2;
            while (p < end && is_space(*p))
                p++;
            break;
        }
        size_t name_len = option_name(p, end);
        if (!name_len)
            break;
        if (req->n_options == URB_REQ_MAX_OPTIONS)
            return fail(req, URB_ERR_BAD_ARGUMENT, "too many options");
        urb_option_t *opt = &req->options[req->n_options++];
        opt->name = (urb_str_t){p, name_len - 1};
        p += name_len;
        if (read_value(req, &p, end, &opt->value) < 0)
            return -1;
    }
    req->text = (urb_str_t){p, (size_t)(end - p)};
    return 1;
}

bool urb_str_ieq(urb_str_t s, const char *ascii)
{
    size_t n = strlen(ascii);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s.p[i], b = (unsigned char)ascii[i];
        if (a >= 'A' && a <= 'Z')
            a += 'a' - 'A';
        if (b >= 'A' && b <= 'Z')
            b += 'a' - 'A';
        if (a != b)
            return false;
    }
    return true;
}

/* ---- Option values ------------------------------------------------------ */

int urb_proto_parse_uint(urb_str_t v, uint64_t min, uint64_t max,
                         uint64_t *out)
{
    if (v.n == 0)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        unsigned d = (unsigned char)v.p[i] - '0';
        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    if (x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

int urb_proto_parse_bool(urb_str_t v, bool *out)
{
    if (v.n != 1 || (v.p[0] != '0' && v.p[0] != '1'))
        return -1;
    *out = v.p[0] == '1';
    return 0;
}

int urb_proto_parse_choice(urb_str_t v, const char *const *names, int *out)
{
    for (int i = 0; names[i]; i++) {
        if (urb_str_ieq(v, names[i])) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

/* ---- Replies ------------------------------------------------------------ */

int urb_proto_ok(urb_buf_t *out)
{
    return urb_buf_append(out, "OK ", 3);
}

int urb_proto_end(urb_buf_t *out)
{
    return urb_buf_append(out, "\n", 1);
}

/* Appends s[0..n) as one line of valid UTF-8 (see urb_proto_err). */
static int put_one_line(urb_buf_t *out, const char *s, size_t n)
{
    /* An invalid byte grows to 3 (U+FFFD); nothing grows more. */
    if (urb_buf_reserve(out, 3 * n) < 0)
        return -1;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = out->data + out->len;
    while (p < end) {
        size_t good = (size_t)(end - p), bad;
        if (!urb_utf8_valid((const char *)p, good, &bad))
            good = bad;
        for (const unsigned char *stop = p + good; p < stop;) {
            if (*p < 0x20 || *p == 0x7f) {
                p++;
            } else if (p[0] == 0xC2 && p[1] < 0xA0) {
                p += 2; /* C1 controls */
            } else if (p[0] == 0xE2 && p[1] == 0x80 &&
                       (p[2] == 0xA8 || p[2] == 0xA9)) {
                p += 3; /* line and paragraph separators */
            } else {
                *o++ = (char)*p++;
                continue;
            }
            *o++ = ' ';
        }
        if (p < end) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        }
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

/* Where a message cut at n bytes should end: before a character the cut
 * left incomplete. */
static size_t utf8_cut(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return n;
    unsigned c = (unsigned char)s[i - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n - (i - 1) < need ? i - 1 : n;
}

int urb_proto_verr(urb_buf_t *out, urb_errcode_t code, const char *fmt,
                   va_list ap)
{
    char msg[URB_PROTO_MSG_MAX + 1];
    int r = vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = r < 0 ? 0 : (size_t)r;
    if (n >= sizeof msg)
        n = utf8_cut(msg, sizeof msg - 1);
    const char *name = urb_errcode_name(code);
    size_t mark = out->len;
    if (urb_buf_append(out, "ERR ", 4) < 0 ||
        urb_buf_append(out, name, strlen(name)) < 0 ||
        urb_buf_append(out, " ", 1) < 0 || put_one_line(out, msg, n) < 0 ||
        urb_buf_append(out, "\n", 1) < 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}

int urb_proto_err(urb_buf_t *out, urb_errcode_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = urb_proto_verr(out, code, fmt, ap);
    va_end(ap);
    return r;
}
