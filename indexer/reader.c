/* reader.c — what every reader shares: reading a file, decoding it,
 * building the report's fields, text and sections. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "urbis/lang.h"
#include "urbis/text.h"

#define ARENA_BLOCK 4096

struct urb_rblock {
    urb_rblock_t *next;
    size_t used, cap;
    char data[];
};

static const struct {
    const char *ext;
    const urb_reader_t *reader;
} kinds[] = {
    {"md", &urb_reader_markdown}, {"markdown", &urb_reader_markdown},
    {"txt", &urb_reader_text},    {"html", &urb_reader_html},
    {"htm", &urb_reader_html},    {"pdf", &urb_reader_pdf},
};

const urb_reader_t *urb_reader_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(dot + 1, kinds[i].ext) == 0)
            return kinds[i].reader;
    return NULL;
}

int urb_slurp(const char *path, urb_buf_t *out, uint64_t *size,
              int64_t *mtime)
{
    /* O_NONBLOCK: a FIFO put where a file was must not hang the run. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return errno;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        rc = errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = URB_ENOTREG;
        goto out;
    }
    if ((uint64_t)st.st_size > URB_FILE_MAX) {
        rc = EFBIG;
        goto out;
    }
    out->len = 0;
    /* The size is a hint: the file may grow or shrink while read. */
    for (size_t want = (size_t)st.st_size + 1;;) {
        if (urb_buf_reserve(out, want) < 0) {
            rc = ENOMEM;
            goto out;
        }
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = errno;
            goto out;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        if (out->len > URB_FILE_MAX) {
            rc = EFBIG;
            goto out;
        }
        want = out->len < 65536 ? 65536 : out->len;
    }
    out->data[out->len] = '\0';
    *size = out->len;
    *mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
out:
    close(fd);
    return rc;
}

const char *urb_read_error(int err, char *buf, size_t n)
{
    char e[128];
    if (err == URB_ENOTREG)
        snprintf(buf, n, "not a regular file");
    else if (err == EFBIG)
        snprintf(buf, n, "too large (over %zu MB)", URB_FILE_MAX >> 20);
    else
        snprintf(buf, n, "cannot read: %s", strerror_r(err, e, sizeof e));
    return buf;
}

/* ---- The document ------------------------------------------------------- */

static void reset(urb_rdoc_t *d)
{
    urb_rblock_t *b = d->arena;
    while (b && b->next) {
        urb_rblock_t *next = b->next;
        free(b);
        b = next;
    }
    /* Keep the last block (the first made): most files fit in it. */
    if ((d->arena = b))
        b->used = 0;
    free(d->decoded);
    d->decoded = NULL;
    d->text.len = 0;
    memset(&d->r, 0, sizeof d->r);
    d->heading_overflow = false;
    d->warning[0] = d->error[0] = '\0';
}

void urb_rdoc_free(urb_rdoc_t *d)
{
    reset(d);
    free(d->arena);
    d->arena = NULL;
    urb_buf_free(&d->text);
}

char *urb_rdoc_dup(urb_rdoc_t *d, const char *s, size_t n)
{
    urb_rblock_t *b = d->arena;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        if (!(b = malloc(sizeof *b + cap)))
            return NULL;
        b->cap = cap;
        b->used = 0;
        /* New blocks go first; reset() keeps the oldest, at the end. */
        b->next = d->arena;
        d->arena = b;
    }
    char *p = b->data + b->used;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

void urb_rdoc_warn(urb_rdoc_t *d, const char *fmt, ...)
{
    size_t len = strlen(d->warning);
    if (len && len + 2 < sizeof d->warning) {
        memcpy(d->warning + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->warning + len, sizeof d->warning - len, fmt, ap);
    va_end(ap);
}

int urb_rdoc_fail(urb_rdoc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->error, sizeof d->error, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

void urb_trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        ++*s, --*n;
    while (*n && is_space((*s)[*n - 1]))
        --*n;
}

int urb_rdoc_decode(urb_rdoc_t *d, const char *data, size_t len,
                    const char **s, size_t *n)
{
    size_t bad = 0;
    if (urb_looks_binary(data, len))
        return urb_rdoc_fail(d, "binary content, not text");
    if (urb_utf8_valid(data, len, &bad)) {
        *s = data;
        *n = len;
    } else {
        if (!(d->decoded = urb_cp1252_to_utf8(data, len, n)))
            return urb_rdoc_fail(d, "out of memory");
        *s = d->decoded;
        urb_rdoc_warn(d, "not valid UTF-8 (byte %zu): read as Windows-1252",
                      bad);
    }
    if (*n >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0)
        *s += 3, *n -= 3;
    return 0;
}

/* ---- Fields ------------------------------------------------------------- */

static bool key_is(urb_str_t k, const char *name)
{
    return k.n == strlen(name) && strncasecmp(k.p, name, k.n) == 0;
}

static void set_lang(urb_rdoc_t *d, urb_str_t v)
{
    char tag[32];
    const char *code = NULL;
    if (v.n < sizeof tag) {
        memcpy(tag, v.p, v.n);
        tag[v.n] = '\0';
        code = urb_lang_code(tag);
    }
    if (code)
        d->r.lang = (urb_str_t){code, strlen(code)};
    else
        urb_rdoc_warn(d, "unknown language \"%.*s\": detected instead",
                      (int)(v.n < 32 ? v.n : 32), v.p);
}

static void set_year(urb_rdoc_t *d, urb_str_t v)
{
    int y = 0;
    size_t i = 0;
    while (i < v.n && i < 5 && v.p[i] >= '0' && v.p[i] <= '9')
        y = y * 10 + (v.p[i++] - '0');
    if (i == v.n && y >= 1 && y <= 9999)
        d->r.year = y;
    else
        urb_rdoc_warn(d, "year \"%.*s\" is not a year: left out",
                      (int)(v.n < 32 ? v.n : 32), v.p);
}

static void set_networks(urb_rdoc_t *d, urb_str_t v)
{
    if (v.n >= 2 && v.p[0] == '[' && v.p[v.n - 1] == ']')
        v.p++, v.n -= 2;
    d->r.n_networks = 0;
    while (v.n) {
        const char *comma = memchr(v.p, ',', v.n);
        urb_str_t item = {v.p, comma ? (size_t)(comma - v.p) : v.n};
        v.n -= item.n + (comma != NULL);
        v.p += item.n + (comma != NULL);
        urb_trim(&item.p, &item.n);
        if (!item.n)
            continue;
        if (d->r.n_networks == URB_MAX_NETWORKS) {
            urb_rdoc_warn(d, "more than %d networks: the rest left out",
                          URB_MAX_NETWORKS);
            break;
        }
        d->r.networks[d->r.n_networks++] = item;
    }
}

int urb_rdoc_field(urb_rdoc_t *d, urb_str_t k, urb_str_t v)
{
    urb_report_t *r = &d->r;
    urb_trim(&k.p, &k.n);
    urb_trim(&v.p, &v.n);
    if (!k.n)
        return 0;
    if (key_is(k, "id"))
        r->id = v;
    else if (key_is(k, "title"))
        r->title = v;
    else if (key_is(k, "city"))
        r->city = v;
    else if (key_is(k, "country"))
        r->country = v;
    else if (key_is(k, "source"))
        r->source = v;
    else if (key_is(k, "lang") && v.n)
        set_lang(d, v);
    else if (key_is(k, "year") && v.n)
        set_year(d, v);
    else if (key_is(k, "networks"))
        set_networks(d, v);
    else if (r->n_fields < URB_MAX_FIELDS) {
        r->field_keys[r->n_fields] = k;
        r->field_values[r->n_fields++] = v;
    } else {
        urb_rdoc_warn(d, "more than %d fields: \"%.*s\" left out",
                      URB_MAX_FIELDS, (int)(k.n < 32 ? k.n : 32), k.p);
    }
    return 0;
}

/* ---- Text and sections -------------------------------------------------- */

bool urb_rdoc_started(const urb_rdoc_t *d)
{
    return d->text.len > 0 || d->r.n_sections > 0;
}

/* Ends the text with exactly one blank line, unless it is empty. */
static int blank_line(urb_rdoc_t *d)
{
    urb_buf_t *t = &d->text;
    while (t->len && is_space(t->data[t->len - 1]))
        t->len--;
    return t->len ? urb_buf_append(t, "\n\n", 2) : 0;
}

int urb_rdoc_para(urb_rdoc_t *d)
{
    return blank_line(d) < 0 ? urb_rdoc_fail(d, "out of memory") : 0;
}

int urb_rdoc_text(urb_rdoc_t *d, const char *s, size_t n)
{
    return urb_buf_append(&d->text, s, n) < 0
               ? urb_rdoc_fail(d, "out of memory")
               : 0;
}

int urb_rdoc_heading(urb_rdoc_t *d, const char *s, size_t n)
{
    urb_report_t *r = &d->r;
    urb_trim(&s, &n);
    if (!n)
        return 0;
    if (!urb_rdoc_started(d)) {
        if (!r->title.n) {
            r->title = (urb_str_t){s, n};
            return 0;
        }
        if (r->title.n == n && memcmp(r->title.p, s, n) == 0)
            return 0;
    }
    if (urb_rdoc_para(d) < 0)
        return -1;
    if (r->n_sections == URB_MAX_SECTIONS) {
        if (!d->heading_overflow)
            urb_rdoc_warn(d, "more than %d sections: the rest are body text",
                          URB_MAX_SECTIONS);
        d->heading_overflow = true;
        return urb_rdoc_text(d, s, n) < 0 ? -1 : urb_rdoc_para(d);
    }
    r->sections[r->n_sections++] =
        (urb_section_t){.heading = {s, n}, .offset = d->text.len};
    return 0;
}

/* The text's end trimmed, offsets kept inside it, the title defaulted to
 * the first line of the text. */
static int finish(urb_rdoc_t *d)
{
    urb_report_t *r = &d->r;
    urb_buf_t *t = &d->text;
    while (t->len && is_space(t->data[t->len - 1]))
        t->len--;
    if (t->data)
        t->data[t->len] = '\0';
    for (size_t i = 0; i < r->n_sections; i++)
        if (r->sections[i].offset > t->len)
            r->sections[i].offset = t->len;
    r->text = (urb_str_t){t->len ? t->data : NULL, t->len};
    urb_trim(&r->title.p, &r->title.n);
    if (!r->title.n && t->len) {
        /* A copy: the text's buffer may still move in a reader's hands. */
        const char *p = t->data;
        size_t n = strcspn(p, "\n");
        urb_trim(&p, &n);
        char *title = urb_rdoc_dup(d, p, n);
        if (!title)
            return urb_rdoc_fail(d, "out of memory");
        r->title = (urb_str_t){title, n};
    }
    if (!r->title.n && !r->text.n)
        return urb_rdoc_fail(d, "no text");
    return 0;
}

int urb_read(urb_rdoc_t *d, const urb_reader_t *rd, const char *rel,
             const char *data, size_t len)
{
    reset(d);
    if (rd->read(d, data, len) < 0 || finish(d) < 0)
        return -1;
    urb_report_t *r = &d->r;
    size_t rl = strlen(rel);
    char *path = urb_rdoc_dup(d, rel, rl);
    if (!path)
        return urb_rdoc_fail(d, "out of memory");
    r->path = (urb_str_t){path, rl};
    if (!r->id.n)
        r->id = (urb_str_t){path, urb_default_id_len(path)};
    return 0;
}

size_t urb_default_id_len(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? (size_t)(dot - rel) : strlen(rel);
}
