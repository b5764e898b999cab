/* json.c — the JSON writer (json.h). */
#include "urbis/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bits of a stack entry. */
enum { C_OBJ = 1, C_ITEM = 2 };

/* Input bytes escaped per buffer reservation. Each makes at most 6 output
 * bytes (\u00XX, &quot;), and a UTF-8 sequence may run 3 bytes past the
 * chunk's end. */
#define CHUNK 4096
#define ROOM(n) ((n) * 6 + 3 * 6)

static void put(urb_json_t *j, const char *s, size_t n)
{
    if (!j->failed && urb_buf_append(j->out, s, n) < 0)
        j->failed = true;
}

/* Checks that a value may come now and writes the comma before it. */
static bool value_begin(urb_json_t *j)
{
    if (j->failed)
        return false;
    if (j->depth == 0) {
        j->failed = j->done;
        return !j->failed;
    }
    unsigned char *top = &j->stack[j->depth - 1];
    if (*top & C_OBJ) {
        j->failed = !j->after_key;
        j->after_key = false;
        return !j->failed;
    }
    if (*top & C_ITEM)
        put(j, ",", 1);
    *top |= C_ITEM;
    return !j->failed;
}

static void value_end(urb_json_t *j)
{
    if (j->depth == 0)
        j->done = true;
}

void urb_json_init(urb_json_t *j, urb_buf_t *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

int urb_json_finish(const urb_json_t *j)
{
    return !j->failed && j->done ? 0 : -1;
}

static void open_container(urb_json_t *j, unsigned char type, char c)
{
    if (!value_begin(j))
        return;
    if (j->depth == URB_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    j->stack[j->depth++] = type;
    put(j, &c, 1);
}

static void close_container(urb_json_t *j, unsigned char type, char c)
{
    if (j->failed)
        return;
    if (j->depth == 0 || (j->stack[j->depth - 1] & C_OBJ) != type ||
        j->after_key) {
        j->failed = true;
        return;
    }
    j->depth--;
    put(j, &c, 1);
    value_end(j);
}

void urb_json_obj_begin(urb_json_t *j) { open_container(j, C_OBJ, '{'); }
void urb_json_obj_end(urb_json_t *j) { close_container(j, C_OBJ, '}'); }
void urb_json_arr_begin(urb_json_t *j) { open_container(j, 0, '['); }
void urb_json_arr_end(urb_json_t *j) { close_container(j, 0, ']'); }

/* ---- Strings ------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at p[0..avail) (p[0] >= 0x80),
 * or 0 with *bad set to the length of its maximal invalid subpart, which
 * becomes one U+FFFD (Unicode's recommended practice, as in WHATWG). */
static size_t utf8_seq(const unsigned char *p, size_t avail, size_t *bad)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    size_t i = 1;
    for (; i < need && i < avail; i++) {
        if (p[i] < lo || p[i] > hi)
            break;
        lo = 0x80;
        hi = 0xBF;
    }
    if (i == need)
        return need;
    *bad = i;
    return 0;
}

static char *put_entity(char *o, unsigned c)
{
    const char *e = c == '<' ? "&lt;" : c == '>' ? "&gt;"
                  : c == '&' ? "&amp;" : "&quot;";
    size_t n = strlen(e);
    memcpy(o, e, n);
    return o + n;
}

static char *put_escape(char *o, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    *o++ = '\\';
    switch (c) {
    case '"': case '\\': *o++ = (char)c; break;
    case '\n': *o++ = 'n'; break;
    case '\t': *o++ = 't'; break;
    case '\r': *o++ = 'r'; break;
    case '\b': *o++ = 'b'; break;
    case '\f': *o++ = 'f'; break;
    default:
        /* U+0000..U+001F, U+2028, U+2029 */
        memcpy(o, "u00", 3);
        if (c > 0xff) {
            o[1] = hex[c >> 12];
            o[2] = hex[(c >> 8) & 0xf];
        }
        o[3] = hex[(c >> 4) & 0xf];
        o[4] = hex[c & 0xf];
        o += 5;
    }
    return o;
}

/* Escapes s[0..n) into the buffer, without quotes. html: < > & " become
 * entities (which need no JSON escaping). */
static void put_escaped(urb_json_t *j, const char *s, size_t n, bool html)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (!j->failed && p < end) {
        size_t chunk = (size_t)(end - p) < CHUNK ? (size_t)(end - p) : CHUNK;
        if (urb_buf_reserve(j->out, ROOM(chunk)) < 0) {
            j->failed = true;
            return;
        }
        char *o = j->out->data + j->out->len;
        const unsigned char *stop = p + chunk;
        while (p < stop) {
            unsigned c = *p;
            if (c >= 0x80) {
                size_t bad, len = utf8_seq(p, (size_t)(end - p), &bad);
                if (len == 0) {
                    memcpy(o, "\xEF\xBF\xBD", 3);
                    o += 3;
                    p += bad;
                } else if (len == 3 && c == 0xE2 && p[1] == 0x80 &&
                           (p[2] == 0xA8 || p[2] == 0xA9)) {
                    o = put_escape(o, p[2] == 0xA8 ? 0x2028 : 0x2029);
                    p += 3;
                } else {
                    memcpy(o, p, len);
                    o += len;
                    p += len;
                }
            } else if (html && (c == '<' || c == '>' || c == '&' || c == '"')) {
                o = put_entity(o, c);
                p++;
            } else if (c < 0x20 || c == '"' || c == '\\') {
                o = put_escape(o, c);
                p++;
            } else {
                *o++ = (char)c;
                p++;
            }
        }
        j->out->len = (size_t)(o - j->out->data);
    }
}

static void put_string(urb_json_t *j, const char *s, size_t n)
{
    put(j, "\"", 1);
    put_escaped(j, s, n, false);
    put(j, "\"", 1);
}

void urb_json_keyn(urb_json_t *j, const char *s, size_t n)
{
    if (j->failed)
        return;
    if (j->depth == 0 || !(j->stack[j->depth - 1] & C_OBJ) || j->after_key) {
        j->failed = true;
        return;
    }
    if (j->stack[j->depth - 1] & C_ITEM)
        put(j, ",", 1);
    j->stack[j->depth - 1] |= C_ITEM;
    put_string(j, s, n);
    put(j, ":", 1);
    j->after_key = true;
}

void urb_json_key(urb_json_t *j, const char *key)
{
    urb_json_keyn(j, key, strlen(key));
}

void urb_json_str(urb_json_t *j, const char *s, size_t n)
{
    if (!value_begin(j))
        return;
    put_string(j, s, n);
    value_end(j);
}

void urb_json_html(urb_json_t *j, const char *s, size_t n,
                   const urb_mark_t *marks, size_t n_marks)
{
    if (!value_begin(j))
        return;
    put(j, "\"", 1);
    size_t at = 0;
    for (size_t i = 0; i < n_marks; i++) {
        size_t start = marks[i].start, stop = marks[i].end < n ? marks[i].end : n;
        if (start < at || start >= stop)
            continue;
        put_escaped(j, s + at, start - at, true);
        put(j, "<b>", 3);
        put_escaped(j, s + start, stop - start, true);
        put(j, "</b>", 4);
        at = stop;
    }
    put_escaped(j, s + at, n - at, true);
    put(j, "\"", 1);
    value_end(j);
}

/* ---- Other values ------------------------------------------------------- */

static void put_value(urb_json_t *j, const char *s, size_t n)
{
    if (!value_begin(j))
        return;
    put(j, s, n);
    value_end(j);
}

static void put_u64(urb_json_t *j, uint64_t v, bool negative)
{
    char tmp[24], *o = tmp + sizeof tmp;
    do {
        *--o = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (negative)
        *--o = '-';
    put_value(j, o, (size_t)(tmp + sizeof tmp - o));
}

void urb_json_int(urb_json_t *j, int64_t v)
{
    /* Negated in unsigned arithmetic so INT64_MIN works. */
    put_u64(j, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void urb_json_uint(urb_json_t *j, uint64_t v) { put_u64(j, v, false); }

void urb_json_double(urb_json_t *j, double v, int digits)
{
    if (!isfinite(v)) {
        put_value(j, "null", 4);
        return;
    }
    char tmp[40];
    if (digits > 0) {
        snprintf(tmp, sizeof tmp, "%.*g", digits < 17 ? digits : 17, v);
        /* Rounding near DBL_MAX can overflow ("2e+308"): keep all digits. */
        if (isinf(strtod(tmp, NULL)))
            snprintf(tmp, sizeof tmp, "%.17g", v);
    } else {
        for (digits = 15; digits < 17; digits++) {
            snprintf(tmp, sizeof tmp, "%.*g", digits, v);
            if (strtod(tmp, NULL) == v)
                break;
        }
        if (digits == 17)
            snprintf(tmp, sizeof tmp, "%.17g", v);
    }
    /* %g writes LC_NUMERIC's decimal point; JSON wants '.'. */
    char num[40], *o = num;
    for (const char *p = tmp; *p; p++) {
        if (strchr("0123456789+-eE", *p))
            *o++ = *p;
        else if (o == num || o[-1] != '.')
            *o++ = '.';
    }
    put_value(j, num, (size_t)(o - num));
}

void urb_json_bool(urb_json_t *j, bool v)
{
    put_value(j, v ? "true" : "false", v ? 4 : 5);
}

void urb_json_null(urb_json_t *j) { put_value(j, "null", 4); }

void urb_json_verbatim(urb_json_t *j, const char *raw, size_t n)
{
    put_value(j, raw, n);
}
