/* thesaurus.c — reads the thesaurus file (format in thesaurus.h) into
 * folded, stemmed forms and a sorted table of lookup keys.
 *
 * Strings live in one arena while reading, as offsets (the arena moves as
 * it grows); pointers are set once it is final. */
#include "urbis/thesaurus.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/lang.h"
#include "urbis/schema.h"
#include "urbis/text.h"

#define MAX_LANGS 64 /* a concept's languages are a bit set */
#define NAME_MAX_LEN 64

/* A word while reading: its stem is stored after its key prefix
 * ("ZDE"), pfx bytes long, so that prefix and stem are one key. */
typedef struct tok_off {
    size_t term, len, stem, stem_len, pfx; /* stem SIZE_MAX: none */
    unsigned tflags;
} tok_off_t;

typedef struct key_off {
    size_t off, len; /* in the arena */
    uint32_t form;
} key_off_t;

typedef struct thes_key {
    const char *s;
    size_t len;
    uint32_t form;
} thes_key_t;

struct urb_thes_priv {
    urb_buf_t arena;
    char **langs;
    char **concepts;
    uint32_t *first;
    urb_thes_form_t *forms;
    urb_thes_tok_t *toks;
    thes_key_t *keys;    /* sorted by string, then form */
    uint32_t *key_forms; /* their forms, in the same order */
    size_t n_keys;
};

/* The reader's working state. */
typedef struct reader {
    urb_thes_t *t;
    struct urb_thes_priv *p;
    char *err;
    size_t errlen;
    unsigned line;
    urb_tokenizer_t *tz;
    urb_stemmer_t *stemmers[MAX_LANGS];
    bool kept[MAX_LANGS];
    size_t n_langs;
    /* the concept being read */
    unsigned concept_line;
    uint64_t seen;
    /* growing arrays */
    size_t cap_concepts, cap_forms, n_toks, cap_toks, cap_keys;
    tok_off_t *tok_offs;
    key_off_t *keys;
} reader_t;

static int fail(reader_t *r, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(reader_t *r, unsigned line, const char *fmt, ...)
{
    int n = line ? snprintf(r->err, r->errlen, "line %u: ", line) : 0;
    if (n < 0 || (size_t)n >= r->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(reader_t *r)
{
    return fail(r, 0, "out of memory");
}

/* Room for need elements of size bytes in *arr (capacity *cap). */
static int grow(void *arrp, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    void *p;
    memcpy(&p, arrp, sizeof p);
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *np = realloc(p, n * size);
    if (!np)
        return -1;
    memcpy(arrp, &np, sizeof np);
    *cap = n;
    return 0;
}
#define GROW(r, arr, cap, need)                                                \
    (grow(&(arr), &(cap), (need), sizeof *(arr)) < 0 ? oom(r) : 0)

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s))
        (*s)++, (*n)--;
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

static int lang_index(const reader_t *r, const char *s, size_t n)
{
    for (size_t i = 0; i < r->n_langs; i++)
        if (strlen(r->p->langs[i]) == n && memcmp(r->p->langs[i], s, n) == 0)
            return (int)i;
    return -1;
}

static bool listed(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const char *s = p;
        size_t sl = len;
        trim(&s, &sl);
        if (sl == n && memcmp(s, code, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/* "@langs ar bg ..." */
static int read_langs(reader_t *r, const char *s, size_t n, const char *keep)
{
    if (r->n_langs)
        return fail(r, r->line, "@langs given twice");
    while (n) {
        size_t w = 0;
        while (w < n && !is_blank(s[w]))
            w++;
        char code[8];
        if (w >= sizeof code)
            return fail(r, r->line, "bad language code %.*s", (int)w, s);
        memcpy(code, s, w);
        code[w] = '\0';
        if (!urb_lang_known(code))
            return fail(r, r->line, "unknown language %s", code);
        if (lang_index(r, s, w) >= 0)
            return fail(r, r->line, "language %s listed twice", code);
        if (r->n_langs == MAX_LANGS)
            return fail(r, r->line, "more than %d languages", MAX_LANGS);
        char **langs = realloc(r->p->langs, (r->n_langs + 2) * sizeof *langs);
        if (!langs)
            return oom(r);
        r->p->langs = langs;
        if (!(langs[r->n_langs] = urb_strndup(code, w)))
            return oom(r);
        langs[r->n_langs + 1] = NULL;
        r->kept[r->n_langs] = !keep || listed(keep, code);
        r->stemmers[r->n_langs] =
            r->kept[r->n_langs] ? urb_stemmer_new(code) : NULL;
        r->n_langs++;
        s += w;
        n -= w;
        trim(&s, &n);
    }
    if (!r->n_langs)
        return fail(r, r->line, "@langs without a language");
    r->t->langs = (const char *const *)r->p->langs;
    r->t->n_langs = r->n_langs;
    return 0;
}

/* The languages the concept being read lacks. */
static int end_concept(reader_t *r)
{
    if (!r->concept_line)
        return 0;
    uint64_t all = r->n_langs == 64 ? ~0ull : (1ull << r->n_langs) - 1;
    if (r->seen == all)
        return 0;
    char missing[256] = "";
    size_t m = 0;
    for (size_t i = 0; i < r->n_langs && m + 4 < sizeof missing; i++)
        if (!(r->seen >> i & 1))
            m += (size_t)snprintf(missing + m, sizeof missing - m, "%s%s",
                                  m ? " " : "", r->p->langs[i]);
    return fail(r, r->concept_line, "concept %s lacks %s",
                r->p->concepts[r->t->n_concepts - 1], missing);
}

static int read_concept(reader_t *r, const char *s, size_t n)
{
    if (!r->n_langs)
        return fail(r, r->line, "concept before @langs");
    if (end_concept(r) < 0)
        return -1;
    if (n > NAME_MAX_LEN)
        return fail(r, r->line, "concept name longer than %d", NAME_MAX_LEN);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return fail(r, r->line, "bad concept name %.*s (a-z, 0-9, -)",
                        (int)n, s);
    urb_thes_t *t = r->t;
    for (size_t c = 0; c < t->n_concepts; c++)
        if (strlen(r->p->concepts[c]) == n &&
            memcmp(r->p->concepts[c], s, n) == 0)
            return fail(r, r->line, "concept %.*s given twice", (int)n, s);
    if (GROW(r, r->p->concepts, r->cap_concepts, t->n_concepts + 2) < 0)
        return -1;
    uint32_t *first = realloc(r->p->first, (t->n_concepts + 2) * sizeof *first);
    if (!first)
        return oom(r);
    r->p->first = first;
    if (!(r->p->concepts[t->n_concepts] = urb_strndup(s, n)))
        return oom(r);
    first[t->n_concepts] = (uint32_t)t->n_forms;
    t->n_concepts++;
    first[t->n_concepts] = (uint32_t)t->n_forms;
    r->concept_line = r->line;
    r->seen = 0;
    return 0;
}

static int add_key(reader_t *r, size_t off, size_t len, uint32_t form)
{
    if (GROW(r, r->keys, r->cap_keys, r->p->n_keys + 1) < 0)
        return -1;
    r->keys[r->p->n_keys++] = (key_off_t){off, len, form};
    return 0;
}

static int append(reader_t *r, const char *s, size_t n, size_t *off)
{
    *off = r->p->arena.len;
    if (urb_buf_append(&r->p->arena, s, n) < 0 ||
        urb_buf_append(&r->p->arena, "", 1) < 0)
        return oom(r);
    return 0;
}

/* One form of language l: its words, and its lookup keys (the first
 * word's term and its stem term). */
static int read_form(reader_t *r, int l, const char *s, size_t n)
{
    urb_thes_t *t = r->t;
    trim(&s, &n);
    if (!n)
        return fail(r, r->line, "empty form");
    if (!r->kept[l]) /* reading it is most of the cost of a few languages */
        return 0;
    uint32_t first_tok = (uint32_t)r->n_toks;
    urb_token_t tk;
    int k;
    urb_tokenizer_reset(r->tz, s, n);
    while ((k = urb_tokenizer_next(r->tz, &tk)) > 0) {
        if (GROW(r, r->tok_offs, r->cap_toks, r->n_toks + 1) < 0)
            return -1;
        tok_off_t *o = &r->tok_offs[r->n_toks++];
        *o = (tok_off_t){0, tk.term_len, SIZE_MAX, 0, 0, tk.flags};
        if (append(r, tk.term, tk.term_len, &o->term) < 0)
            return -1;
        urb_stemmer_t *st = r->stemmers[l];
        if (st && !(tk.flags & (URB_TOK_NGRAM | URB_TOK_NUMBER))) {
            /* The stem with its key prefix: "ZDE" + stem. */
            size_t sl;
            const char *stem = urb_stem(st, tk.term, tk.term_len, &sl);
            char pfx[8];
            int pl =
                snprintf(pfx, sizeof pfx, "%s%s", URB_PFX_STEM, r->p->langs[l]);
            for (int i = 1; i < pl; i++)
                pfx[i] = (char)(pfx[i] - 'a' + 'A');
            size_t off;
            if (!stem || append(r, pfx, (size_t)pl, &off) < 0)
                return oom(r);
            r->p->arena.len--; /* the stem follows its prefix */
            if (append(r, stem, sl, &o->stem) < 0)
                return -1;
            o->stem = off;
            o->stem_len = (size_t)pl + sl;
            o->pfx = (size_t)pl;
        }
    }
    if (k < 0)
        return oom(r);
    if (r->n_toks == first_tok)
        return fail(r, r->line, "form without a word: %.*s", (int)n, s);
    if (GROW(r, r->p->forms, r->cap_forms, t->n_forms + 1) < 0)
        return -1;
    uint32_t f = (uint32_t)t->n_forms++;
    r->p->forms[f] =
        (urb_thes_form_t){(uint32_t)t->n_concepts - 1, (uint32_t)l, first_tok,
                          (uint32_t)r->n_toks - first_tok};
    r->p->first[t->n_concepts] = (uint32_t)t->n_forms;
    const tok_off_t *o = &r->tok_offs[first_tok];
    if (add_key(r, o->term, o->len, f) < 0)
        return -1;
    return o->stem != SIZE_MAX ? add_key(r, o->stem, o->stem_len, f) : 0;
}

/* "de<TAB>form | form" */
static int read_forms(reader_t *r, const char *s, size_t n)
{
    if (!r->concept_line)
        return fail(r, r->line, "forms before any concept");
    size_t cl = (size_t)((const char *)memchr(s, '\t', n) - s);
    int l = lang_index(r, s, cl);
    if (l < 0)
        return fail(r, r->line, "language %.*s not in @langs", (int)cl, s);
    if (r->seen >> l & 1)
        return fail(r, r->line, "%s given twice for concept %s", r->p->langs[l],
                    r->p->concepts[r->t->n_concepts - 1]);
    r->seen |= 1ull << l;
    s += cl + 1;
    n -= cl + 1;
    for (;;) {
        const char *bar = memchr(s, '|', n);
        size_t fl = bar ? (size_t)(bar - s) : n;
        if (read_form(r, l, s, fl) < 0)
            return -1;
        if (!bar)
            return 0;
        s += fl + 1;
        n -= fl + 1;
    }
}

static int read_line(reader_t *r, const char *s, size_t n, const char *keep)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (!n || s[0] == '#')
        return 0;
    if (n > 6 && memcmp(s, "@langs", 6) == 0 && is_blank(s[6])) {
        s += 6;
        n -= 6;
        trim(&s, &n);
        return read_langs(r, s, n, keep);
    }
    if (memchr(s, '\t', n))
        return read_forms(r, s, n);
    return read_concept(r, s, n);
}

static int cmp_key(const void *a, const void *b)
{
    const thes_key_t *x = a, *y = b;
    int c = urb_bytes_cmp(x->s, x->len, y->s, y->len);
    if (c)
        return c;
    return x->form < y->form ? -1 : x->form > y->form;
}

/* Arena offsets to pointers, keys sorted; the keys' own duplicates (two
 * forms of a concept sharing a first word) stay, each naming its form. */
static int finish(reader_t *r)
{
    struct urb_thes_priv *p = r->p;
    urb_thes_t *t = r->t;
    const char *a = p->arena.data;
    size_t nk = p->n_keys ? p->n_keys : 1;
    p->toks = calloc(r->n_toks ? r->n_toks : 1, sizeof *p->toks);
    p->keys = malloc(nk * sizeof *p->keys);
    p->key_forms = malloc(nk * sizeof *p->key_forms);
    if (!p->toks || !p->keys || !p->key_forms)
        return oom(r);
    for (size_t i = 0; i < r->n_toks; i++) {
        const tok_off_t *o = &r->tok_offs[i];
        p->toks[i] = (urb_thes_tok_t){a + o->term, o->len, NULL, 0, o->tflags};
        if (o->stem != SIZE_MAX) {
            p->toks[i].stem = a + o->stem + o->pfx;
            p->toks[i].stem_len = o->stem_len - o->pfx;
        }
    }
    for (size_t i = 0; i < p->n_keys; i++)
        p->keys[i] =
            (thes_key_t){a + r->keys[i].off, r->keys[i].len, r->keys[i].form};
    qsort(p->keys, p->n_keys, sizeof *p->keys, cmp_key);
    for (size_t i = 0; i < p->n_keys; i++)
        p->key_forms[i] = p->keys[i].form;
    t->concepts = (const char *const *)p->concepts;
    t->first = p->first;
    t->forms = p->forms;
    t->toks = p->toks;
    return 0;
}

urb_thes_t *urb_thes_new(const char *text, size_t len, const char *keep,
                         char *err, size_t errlen)
{
    reader_t r = {.err = err, .errlen = errlen};
    if (errlen)
        err[0] = '\0';
    r.t = calloc(1, sizeof *r.t);
    r.p = calloc(1, sizeof *r.p);
    r.tz = urb_tokenizer_new();
    int rc = -1;
    if (!r.t || !r.p || !r.tz) {
        oom(&r);
        goto out;
    }
    r.t->priv = r.p;
    size_t bad;
    if (!urb_utf8_valid(text, len, &bad)) {
        unsigned line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        fail(&r, line, "invalid UTF-8");
        goto out;
    }
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - text) - at : len - at;
        r.line++;
        if (read_line(&r, text + at, n, keep) < 0)
            goto out;
        at += n + 1;
    }
    r.line++;
    if (end_concept(&r) < 0)
        goto out;
    if (!r.n_langs || !r.t->n_concepts) {
        fail(&r, 0, "no %s", r.n_langs ? "concept" : "@langs line");
        goto out;
    }
    rc = finish(&r);
out:
    for (size_t i = 0; i < r.n_langs; i++)
        urb_stemmer_free(r.stemmers[i]);
    urb_tokenizer_free(r.tz);
    free(r.tok_offs);
    free(r.keys);
    if (rc < 0) {
        urb_thes_free(r.t);
        if (!r.t)
            free(r.p);
        return NULL;
    }
    return r.t;
}

void urb_thes_free(urb_thes_t *t)
{
    if (!t)
        return;
    struct urb_thes_priv *p = t->priv;
    if (p) {
        for (size_t i = 0; p->langs && p->langs[i]; i++)
            free(p->langs[i]);
        for (size_t c = 0; c < t->n_concepts; c++)
            free(p->concepts[c]);
        free(p->langs);
        free(p->concepts);
        free(p->first);
        free(p->forms);
        free(p->toks);
        free(p->keys);
        free(p->key_forms);
        urb_buf_free(&p->arena);
        free(p);
    }
    free(t);
}

size_t urb_thes_find(const urb_thes_t *t, const char *key, size_t len,
                     const uint32_t **forms)
{
    const struct urb_thes_priv *p = t->priv;
    thes_key_t k = {key, len, 0}; /* form 0 sorts first among equals */
    size_t lo = 0, hi = p->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(&p->keys[mid], &k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < p->n_keys && p->keys[end].len == len &&
           memcmp(p->keys[end].s, key, len) == 0)
        end++;
    *forms = p->key_forms + lo;
    return end - lo;
}

/* The built-in thesauri read so far, one per `keep`. A process sees few
 * sets of languages (one per index it serves), so the list only grows. */
typedef struct builtin {
    struct builtin *next;
    bool all;   /* keep was NULL: every language, unlike "" (none) */
    char *keep; /* keep, or "" */
    urb_thes_t *thes;
} builtin_t;
static builtin_t *builtins;
static pthread_mutex_t builtins_lock = PTHREAD_MUTEX_INITIALIZER;

const urb_thes_t *urb_thes_builtin(const char *keep, char *err, size_t errlen)
{
    const char *k = keep ? keep : "";
    const urb_thes_t *t = NULL;
    pthread_mutex_lock(&builtins_lock);
    for (builtin_t *b = builtins; b && !t; b = b->next)
        if (b->all == !keep && strcmp(b->keep, k) == 0)
            t = b->thes;
    if (!t) {
        builtin_t *b = calloc(1, sizeof *b);
        if (b)
            b->all = !keep;
        if (b && (b->keep = strdup(k)) &&
            (b->thes = urb_thes_new(urb_thesaurus_text, urb_thesaurus_text_len,
                                    keep, err, errlen))) {
            b->next = builtins;
            builtins = b;
            t = b->thes;
        } else {
            if (errlen && (!b || !b->keep))
                snprintf(err, errlen, "out of memory");
            if (b)
                free(b->keep);
            free(b);
        }
    }
    pthread_mutex_unlock(&builtins_lock);
    return t;
}
