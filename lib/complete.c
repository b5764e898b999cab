/* complete.c — the completion tables (complete.h), made from one scan of a
 * database's terms: the written forms (W), the pairs (P) and the folded
 * words come in byte order, so each prefix's words are a contiguous run
 * of the sorted list and a table is the run's most frequent. */
#include "urbis/complete.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/schema.h"
#include "urbis/text.h"

/* A word (or pair, or a word's forms), its bytes in build.bytes. */
typedef struct entry {
    size_t off, form_off;
    uint32_t len, form_len; /* form_len 0: written as the word itself */
    uint32_t freq;
    uint32_t sum; /* forms only: reports writing the word in any form */
} entry_t;

typedef struct list {
    entry_t *v;
    size_t n, cap;
} list_t;

typedef struct build {
    urb_buf_t bytes;
    list_t forms, pairs, words;
    bool oom;
} build_t;

static entry_t *push(build_t *b, list_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        entry_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    entry_t *e = &l->v[l->n++];
    *e = (entry_t){.off = b->bytes.len};
    return e;
}

static int add_bytes(build_t *b, const char *s, size_t n, size_t *off)
{
    *off = b->bytes.len;
    return urb_buf_append(&b->bytes, s, n);
}

static const char *str(const build_t *b, size_t off)
{
    return b->bytes.data + off;
}

/* A W term: the forms of one word come together, so the word's entry is
 * the last one when the word repeats. */
static int on_form(build_t *b, const char *t, size_t len, uint32_t freq)
{
    const char *sep = memchr(t, URB_FORM_SEP, len);
    if (!sep || sep == t || sep == t + len - 1)
        return 0;
    uint32_t wl = (uint32_t)(sep - t), fl = (uint32_t)(len - wl - 1);
    entry_t *e = b->forms.n ? &b->forms.v[b->forms.n - 1] : NULL;
    if (!e || e->len != wl || memcmp(str(b, e->off), t, wl) != 0) {
        if (!(e = push(b, &b->forms)) || add_bytes(b, t, wl, &e->off) < 0)
            return -1;
        e->len = wl;
    }
    e->sum += freq;
    if (freq > e->freq) {
        e->freq = freq;
        e->form_len = fl;
        if (add_bytes(b, sep + 1, fl, &e->form_off) < 0)
            return -1;
    }
    return 0;
}

static int on_term(void *ctx, const char *t, size_t len, uint32_t freq)
{
    build_t *b = ctx;
    size_t pl = 0;
    list_t *l = &b->words;
    if (*t == URB_PFX_FORM[0]) {
        if (on_form(b, t + 1, len - 1, freq) < 0)
            goto oom;
        return 0;
    }
    if (*t == URB_PFX_PAIR[0])
        l = &b->pairs, pl = 1;
    else if (*t >= 'A' && *t <= 'Z')
        return 0; /* another prefix */
    else if (!urb_complete_word(t, len))
        return 0;
    entry_t *e = push(b, l);
    if (!e || add_bytes(b, t + pl, len - pl, &e->off) < 0)
        goto oom;
    e->len = (uint32_t)(len - pl);
    e->freq = freq;
    return 0;
oom:
    b->oom = true;
    return 1;
}

/* The entry of l whose string is s[0..n), by bisection, or NULL. */
static const entry_t *find(const build_t *b, const list_t *l, const char *s,
                           size_t n)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const entry_t *e = &l->v[mid];
        int r = urb_bytes_cmp(str(b, e->off), e->len, s, n);
        if (r == 0)
            return e;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Each word's written form, as SUGGEST shows it: its most frequent form
 * unlike the word, when more reports write it so than as folded (the
 * reports in no such form; an estimate, as a report may hold several). */
static void resolve_forms(build_t *b)
{
    for (size_t i = 0; i < b->words.n; i++) {
        entry_t *w = &b->words.v[i];
        const entry_t *f = find(b, &b->forms, str(b, w->off), w->len);
        uint32_t rest = f && w->freq > f->sum ? w->freq - f->sum : 0;
        if (f && f->freq > rest) {
            w->form_off = f->form_off;
            w->form_len = f->form_len;
        }
    }
}

/* The end of the run of l's strings from `from` that start with p[0..n). */
static size_t run_end(const build_t *b, const list_t *l, size_t from,
                      const char *p, size_t n)
{
    size_t lo = from, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const entry_t *e = &l->v[mid];
        if (e->len >= n && memcmp(str(b, e->off), p, n) == 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether entry x ranks below y: fewer reports, or as many and later in
 * byte order (the order SUGGEST's scan would meet them in). */
static bool worse(const build_t *b, const entry_t *x, const entry_t *y)
{
    if (x->freq != y->freq)
        return x->freq < y->freq;
    return urb_bytes_cmp(str(b, x->off), x->len, str(b, y->off), y->len) > 0;
}

/* heap[0..n): a min-heap by rank, the worst kept on top. */
static void sift_down(const build_t *b, const entry_t **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && worse(b, h[l], h[m]))
            m = l;
        if (l + 1 < n && worse(b, h[l + 1], h[m]))
            m = l + 1;
        if (m == i)
            return;
        const entry_t *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The k best of l->v[from..to) into top, in byte order; how many. */
static size_t best(const build_t *b, const list_t *l, size_t from, size_t to,
                   const entry_t **top, size_t k)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        const entry_t *e = &l->v[i];
        if (n < k) {
            top[n++] = e;
            if (n == k)
                for (size_t j = k / 2; j-- > 0;)
                    sift_down(b, top, n, j);
        } else if (worse(b, top[0], e)) {
            top[0] = e;
            sift_down(b, top, n, 0);
        }
    }
    /* l->v is in byte order; a few dozen, by insertion */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && top[j - 1] > top[j]; j--) {
            const entry_t *t = top[j];
            top[j] = top[j - 1];
            top[j - 1] = t;
        }
    return n;
}

/* Appends "TAB form" for word w[0..n): its written form when not itself. */
static int put_form(const build_t *b, urb_buf_t *v, const char *w, size_t n)
{
    const entry_t *e = find(b, &b->words, w, n);
    if (urb_buf_append(v, "\t", 1) < 0)
        return -1;
    return e && e->form_len
               ? urb_buf_append(v, str(b, e->form_off), e->form_len)
               : 0;
}

/* A table's text: a line per entry of top[0..n). */
static int table_text(const build_t *b, const entry_t **top, size_t n,
                      bool pairs, urb_buf_t *v)
{
    v->len = 0;
    for (size_t i = 0; i < n; i++) {
        const entry_t *e = top[i];
        const char *s = str(b, e->off);
        char num[16];
        int nl = snprintf(num, sizeof num, "%u\t", e->freq);
        if (urb_buf_append(v, num, (size_t)nl) < 0 ||
            urb_buf_append(v, s, e->len) < 0)
            return -1;
        if (pairs) {
            const char *sp = memchr(s, URB_PAIR_SEP, e->len);
            size_t l1 = sp ? (size_t)(sp - s) : e->len;
            if (put_form(b, v, s, l1) < 0 ||
                put_form(b, v, s + l1 + 1, sp ? e->len - l1 - 1 : 0) < 0)
                return -1;
        } else if (urb_buf_append(v, "\t", 1) < 0 ||
                   urb_buf_append(v, str(b, e->form_off), e->form_len) < 0) {
            return -1;
        }
        if (urb_buf_append(v, "\n", 1) < 0)
            return -1;
    }
    return 0;
}

/* Writes a table for each prefix of l's strings (of their first word, for
 * pairs) that more than min of them share. A prefix's run starts at its
 * first string, and a longer prefix's run from there is no longer. */
static urb_xstatus_t write_tables(build_t *b, urb_xdb_t *db, const list_t *l,
                                  bool pairs, size_t min)
{
    const char *kp = pairs ? URB_META_COMPLETE_PAIRS : URB_META_COMPLETE_WORDS;
    size_t kpl = strlen(kp), k = pairs ? URB_COMPLETE_PAIRS : URB_COMPLETE_TOP;
    const entry_t *top[URB_COMPLETE_TOP];
    char key[64 + URB_COMPLETE_PREFIX_MAX];
    urb_buf_t v = {0};
    urb_xstatus_t st = URB_X_OK;
    memcpy(key, kp, kpl);
    for (size_t i = 0; i < l->n && st == URB_X_OK; i++) {
        const entry_t *e = &l->v[i], *prev = i ? &l->v[i - 1] : NULL;
        const char *s = str(b, e->off);
        size_t end = e->len, chars = 0;
        if (pairs) {
            const char *sp = memchr(s, URB_PAIR_SEP, e->len);
            end = sp ? (size_t)(sp - s) : e->len;
        }
        for (size_t n = 0; n < end && n < URB_COMPLETE_PREFIX_MAX;) {
            do
                n++;
            while (n < end && ((unsigned char)s[n] & 0xC0) == 0x80);
            if (n > URB_COMPLETE_PREFIX_MAX ||
                (pairs && ++chars < URB_COMPLETE_PAIR_CHARS))
                continue;
            if (prev && prev->len >= n && memcmp(str(b, prev->off), s, n) == 0)
                continue; /* not the run's first string */
            size_t to = run_end(b, l, i, s, n);
            if (to - i <= min)
                break;
            size_t got = best(b, l, i, to, top, k);
            if (table_text(b, top, got, pairs, &v) < 0) {
                st = URB_X_NOMEM;
                break;
            }
            memcpy(key + kpl, s, n);
            key[kpl + n] = '\0';
            st = urb_xdb_set_metadata(db, key, v.data, v.len);
        }
    }
    urb_buf_free(&v);
    return st;
}

typedef struct keys {
    urb_buf_t bytes; /* NUL-terminated, end to end */
    bool oom;
} keys_t;

static int on_key(void *ctx, const char *key, size_t len, uint32_t freq)
{
    (void)freq;
    keys_t *k = ctx;
    if (urb_buf_append(&k->bytes, key, len) < 0 ||
        urb_buf_append(&k->bytes, "", 1) < 0) {
        k->oom = true;
        return 1;
    }
    return 0;
}

/* Deletes the tables an earlier run wrote. */
static urb_xstatus_t drop_tables(urb_xdb_t *db)
{
    keys_t k = {0};
    urb_xstatus_t st = urb_xdb_metadata_keys(db, URB_META_COMPLETE, on_key, &k);
    if (st == URB_X_OK && k.oom)
        st = URB_X_NOMEM;
    for (size_t at = 0; st == URB_X_OK && at < k.bytes.len;) {
        const char *key = k.bytes.data + at;
        st = urb_xdb_set_metadata(db, key, "", 0);
        at += strlen(key) + 1;
    }
    urb_buf_free(&k.bytes);
    return st;
}

urb_xstatus_t urb_complete_build(urb_xdb_t *db, size_t min, char **errmsg)
{
    build_t b = {0};
    urb_xstatus_t st = drop_tables(db);
    *errmsg = NULL;
    if (st == URB_X_OK)
        st = urb_xdb_allterms(db, "", on_term, &b);
    if (st == URB_X_OK && b.oom)
        st = URB_X_NOMEM;
    if (st == URB_X_OK) {
        resolve_forms(&b);
        st = write_tables(&b, db, &b.words, false, min);
    }
    if (st == URB_X_OK)
        st = write_tables(&b, db, &b.pairs, true, min);
    if (st != URB_X_OK) {
        const char *m = st == URB_X_NOMEM ? "out of memory" : urb_xdb_errmsg(db);
        *errmsg = strdup(m && *m ? m : urb_xstatus_str(st));
    }
    free(b.forms.v);
    free(b.pairs.v);
    free(b.words.v);
    urb_buf_free(&b.bytes);
    return st;
}
