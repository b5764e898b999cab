/* read_text.c — Markdown and plain text: front matter, '#' headings, the
 * title, and the "About the city" layout of plain-text profiles.
 *
 * A profile exported as plain text starts "About the city", then the
 * city's name, then the title; it has no front matter and, often, no '#'
 * headings: its section headings are short lines without end punctuation
 * at the start of a paragraph. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "reader.h"

#define LAYOUT_MARK "About the city"
/* Longest plain-text line taken for a heading, in characters. */
#define PLAIN_HEADING_MAX 60

typedef struct lines {
    const char *p, *end;
} lines_t;

/* The next line without its end of line, or false at the end. */
static bool next_line(lines_t *ls, urb_str_t *line)
{
    if (ls->p >= ls->end)
        return false;
    const char *nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
    const char *e = nl ? nl : ls->end;
    line->p = ls->p;
    line->n = (size_t)(e - ls->p);
    if (line->n && line->p[line->n - 1] == '\r')
        line->n--;
    ls->p = nl ? nl + 1 : ls->end;
    return true;
}

static bool blank(urb_str_t l)
{
    urb_trim(&l.p, &l.n);
    return l.n == 0;
}

static bool is_fence(urb_str_t l, bool closing)
{
    urb_trim(&l.p, &l.n);
    return (l.n == 3 && memcmp(l.p, "---", 3) == 0) ||
           (closing && l.n == 3 && memcmp(l.p, "...", 3) == 0);
}

/* An ATX heading ("## Text ##"): its text in *h. */
static bool atx_heading(urb_str_t l, urb_str_t *h)
{
    size_t i = 0;
    while (i < l.n && i < 3 && l.p[i] == ' ')
        i++;
    size_t hashes = 0;
    while (i + hashes < l.n && l.p[i + hashes] == '#')
        hashes++;
    i += hashes;
    if (hashes < 1 || hashes > 6 ||
        (i < l.n && l.p[i] != ' ' && l.p[i] != '\t'))
        return false;
    h->p = l.p + i;
    h->n = l.n - i;
    urb_trim(&h->p, &h->n);
    while (h->n && h->p[h->n - 1] == '#')
        h->n--;
    urb_trim(&h->p, &h->n);
    return true;
}

/* Front matter at the start of s: "---", "key: value" lines, "---". On
 * return *body is past it. A block that is never closed is not front
 * matter: it is read as text, with a warning. */
static int front_matter(urb_rdoc_t *d, const char *s, size_t n,
                        const char **body)
{
    lines_t ls = {s, s + n};
    urb_str_t l;
    *body = s;
    if (!next_line(&ls, &l) || !is_fence(l, false))
        return 0;
    const char *start = ls.p;
    while (next_line(&ls, &l) && !is_fence(l, true))
        ;
    if (!is_fence(l, true) || l.p < start) {
        urb_rdoc_warn(d, "front matter not closed: read as text");
        return 0;
    }
    const char *end = l.p;
    *body = ls.p;
    for (ls = (lines_t){start, end}; next_line(&ls, &l);) {
        urb_trim(&l.p, &l.n);
        const char *colon = l.n && l.p[0] != '#' ? memchr(l.p, ':', l.n) : NULL;
        if (!colon)
            continue;
        urb_str_t k = {l.p, (size_t)(colon - l.p)};
        urb_str_t v = {colon + 1, l.n - k.n - 1};
        urb_trim(&v.p, &v.n);
        if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') &&
            v.p[v.n - 1] == v.p[0])
            v.p++, v.n -= 2;
        if (urb_rdoc_field(d, k, v) < 0)
            return -1;
    }
    return 0;
}

/* Markdown links and images keep their text, not their target. */
static int md_line(urb_rdoc_t *d, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != ']' || s[i + 1] != '(')
            continue;
        const char *close = memchr(s + i + 2, ')', n - i - 2);
        if (!close)
            break;
        if (urb_rdoc_text(d, s + start, i - start) < 0)
            return -1;
        start = (size_t)(close - s) + 1;
        i = start - 1;
    }
    return urb_rdoc_text(d, s + start, n - start);
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* A plain-text heading: a short line opening a paragraph, with a letter
 * or digit at its end rather than sentence punctuation, and text after. */
static bool plain_heading(urb_str_t l, bool para_start, const lines_t *rest)
{
    urb_trim(&l.p, &l.n);
    if (!para_start || !l.n || utf8_chars(l.p, l.n) > PLAIN_HEADING_MAX)
        return false;
    unsigned char last = (unsigned char)l.p[l.n - 1];
    if (last < 0x80 && !((last >= '0' && last <= '9') ||
                         ((last | 0x20) >= 'a' && (last | 0x20) <= 'z')))
        return false;
    /* Multi-byte endings: CJK and fullwidth sentence marks. */
    static const char *const stops[] = {"。", "！", "？", "…", "»", "”"};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        size_t sl = strlen(stops[i]);
        if (l.n >= sl && memcmp(l.p + l.n - sl, stops[i], sl) == 0)
            return false;
    }
    lines_t ls = *rest;
    urb_str_t next;
    while (next_line(&ls, &next))
        if (!blank(next))
            return true;
    return false;
}

static bool has_atx(const char *s, size_t n)
{
    lines_t ls = {s, s + n};
    urb_str_t l, h;
    while (next_line(&ls, &l))
        if (atx_heading(l, &h))
            return true;
    return false;
}

/* The next non-blank line, trimmed; false at the end. */
static bool next_content(lines_t *ls, urb_str_t *l)
{
    while (next_line(ls, l))
        if (!blank(*l)) {
            urb_trim(&l->p, &l->n);
            return true;
        }
    return false;
}

/* "About the city", the city, then the title (a heading or a line). */
static int layout(urb_rdoc_t *d, lines_t *ls)
{
    lines_t peek = *ls;
    urb_str_t l, h;
    size_t ml = strlen(LAYOUT_MARK);
    if (next_content(&peek, &l) && l.n == ml &&
        strncasecmp(l.p, LAYOUT_MARK, ml) == 0) {
        *ls = peek;
        if (next_content(&peek, &l) && !atx_heading(l, &h)) {
            *ls = peek;
            if (!d->r.city.n &&
                urb_rdoc_field(d, (urb_str_t){"city", 4}, l) < 0)
                return -1;
        }
    }
    if (d->r.title.n)
        return 0;
    peek = *ls;
    if (next_content(&peek, &l) && !atx_heading(l, &h)) {
        *ls = peek;
        d->r.title = l;
    }
    return 0;
}

static int read_lines(urb_rdoc_t *d, const char *data, size_t len,
                      bool markdown)
{
    const char *s, *body;
    size_t n;
    if (urb_rdoc_decode(d, data, len, &s, &n) < 0 ||
        front_matter(d, s, n, &body) < 0)
        return -1;
    lines_t ls = {body, s + n};
    if (layout(d, &ls) < 0)
        return -1;
    bool plain = !markdown && !has_atx(ls.p, (size_t)(ls.end - ls.p));
    bool in_para = false;
    urb_str_t l, h;
    while (next_line(&ls, &l)) {
        int rc;
        if (blank(l)) {
            rc = urb_rdoc_para(d);
            in_para = false;
        } else if (!plain && atx_heading(l, &h)) {
            rc = urb_rdoc_heading(d, h.p, h.n);
            in_para = false;
        } else if (plain && plain_heading(l, !in_para, &ls)) {
            rc = urb_rdoc_heading(d, l.p, l.n);
            in_para = false;
        } else {
            rc = in_para ? urb_rdoc_text(d, "\n", 1) : 0;
            if (rc == 0)
                rc = markdown ? md_line(d, l.p, l.n)
                              : urb_rdoc_text(d, l.p, l.n);
            in_para = true;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int read_markdown(urb_rdoc_t *d, const char *data, size_t len)
{
    return read_lines(d, data, len, true);
}

static int read_plain(urb_rdoc_t *d, const char *data, size_t len)
{
    return read_lines(d, data, len, false);
}

const urb_reader_t urb_reader_markdown = {"markdown", true, read_markdown};
const urb_reader_t urb_reader_text = {"text", true, read_plain};
