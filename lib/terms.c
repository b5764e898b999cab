/* terms.c — a report to a Xapian document (schema.h). */
#include "urbis/terms.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/lang.h"
#include "urbis/schema.h"
#include "urbis/thesaurus.h"
#include "urbis/wtable.h"

/* Glass's longest term, prefix included. */
#define XAPIAN_TERM_MAX 245
/* Positions skipped between the title, each heading and each body part,
 * so a phrase never matches across them (TermGenerator's default). */
#define POS_GAP 100
#define SPELL_MIN_CHARS 3
#define FORM_MIN_CHARS 2

/* Stems kept per language and worker: a report's words repeat across
 * reports (Zipf), and a Hunspell stem costs tens of microseconds. Cleared
 * when full, so memory stays bounded. */
#define STEM_CACHE_MAX (1u << 17)

typedef struct stemmer_slot {
    char code[8];
    char zpfx[8];          /* "Z" and the upper-case code */
    urb_stemmer_t *st;     /* NULL: the language has no stemmer */
    urb_wtable_t cache;    /* word -> stem length, the stem after it */
    const urb_thes_t *thes; /* the built-in one, the language's forms only */
    int thes_lang;         /* its index in thes->langs, or -1: no forms */
} stemmer_slot_t;

/* A thesaurus form met up to its word `next`, which the next word of the
 * text must match. */
typedef struct pending {
    uint32_t form, next, wdf;
} pending_t;

struct urb_terms {
    urb_tokenizer_t *tz;
    stemmer_slot_t *slots;
    size_t n_slots, cap_slots;
    pending_t *pend;
    size_t n_pend, cap_pend;
    urb_buf_t term, form, fold, data;
    urb_buf_t prev; /* the word before, in a title or heading */
    char err[256];
};

/* What one call of urb_terms_index works with. */
typedef struct job {
    urb_terms_t *t;
    urb_xdoc_t *doc;
    stemmer_slot_t *stem;       /* NULL: no stemming */
    uint32_t pos;
} job_t;

urb_terms_t *urb_terms_new(void)
{
    urb_terms_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (!(t->tz = urb_tokenizer_new())) {
        free(t);
        return NULL;
    }
    return t;
}

void urb_terms_free(urb_terms_t *t)
{
    if (!t)
        return;
    urb_tokenizer_free(t->tz);
    for (size_t i = 0; i < t->n_slots; i++) {
        urb_stemmer_free(t->slots[i].st);
        urb_wtable_free(&t->slots[i].cache);
    }
    free(t->slots);
    free(t->pend);
    urb_buf_free(&t->term);
    urb_buf_free(&t->form);
    urb_buf_free(&t->fold);
    urb_buf_free(&t->data);
    urb_buf_free(&t->prev);
    free(t);
}

const char *urb_terms_errmsg(const urb_terms_t *t)
{
    return t->err;
}

static int fail(urb_terms_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(urb_terms_t *t)
{
    return fail(t, "out of memory");
}

static int xfail(job_t *j, urb_xstatus_t st)
{
    const char *m = urb_xdoc_errmsg(j->doc);
    return fail(j->t, "%s%s%s", urb_xstatus_str(st), m && *m ? ": " : "",
                m ? m : "");
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* The stemmer slot for a language, made on first use, into *out (NULL
 * for a code too long to be one). 0, or -1 on OOM. */
static int stemmer_for(urb_terms_t *t, const char *code, size_t n,
                       stemmer_slot_t **out)
{
    *out = NULL;
    if (n >= sizeof t->slots[0].code - 1)
        return 0;
    for (size_t i = 0; i < t->n_slots; i++)
        if (strlen(t->slots[i].code) == n &&
            memcmp(t->slots[i].code, code, n) == 0) {
            *out = &t->slots[i];
            return 0;
        }
    if (t->n_slots == t->cap_slots) {
        size_t cap = t->cap_slots ? 2 * t->cap_slots : 8;
        stemmer_slot_t *s = realloc(t->slots, cap * sizeof *s);
        if (!s)
            return -1;
        t->slots = s;
        t->cap_slots = cap;
    }
    stemmer_slot_t *s = &t->slots[t->n_slots];
    memset(s, 0, sizeof *s);
    s->zpfx[0] = URB_PFX_STEM[0];
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        s->code[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        s->zpfx[i + 1] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    }
    /* NULL for a language without a stemmer, which is remembered too. */
    s->st = urb_stemmer_new(s->code);
    /* Only the language's forms: stemming every language's would load
     * every Hunspell dictionary into each indexer. */
    char err[200];
    if (!(s->thes = urb_thes_builtin(s->code, err, sizeof err))) {
        urb_stemmer_free(s->st);
        return -1;
    }
    s->thes_lang = -1;
    for (size_t i = 0; i < s->thes->n_langs; i++)
        if (strcmp(s->thes->langs[i], s->code) == 0)
            s->thes_lang = (int)i;
    t->n_slots++;
    *out = s;
    return 0;
}

/* prefix + s[0..n) into t->term; -1 on OOM. */
static int make_term(urb_terms_t *t, const char *prefix, const char *s,
                     size_t n)
{
    t->term.len = 0;
    return urb_buf_append(&t->term, prefix, strlen(prefix)) < 0 ||
                   urb_buf_append(&t->term, s, n) < 0
               ? -1
               : 0;
}

static int posting(job_t *j, const char *prefix, const urb_token_t *tk,
                   uint32_t wdf)
{
    if (make_term(j->t, prefix, tk->term, tk->term_len) < 0)
        return oom(j->t);
    urb_xstatus_t st = urb_xdoc_add_posting(j->doc, j->t->term.data,
                                            j->t->term.len, j->pos, wdf);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* The stem of tk through the slot's cache; NULL on OOM. */
static const char *cached_stem(stemmer_slot_t *slot, const urb_token_t *tk,
                               size_t *len)
{
    urb_wtable_t *c = &slot->cache;
    if (c->n >= STEM_CACHE_MAX)
        urb_wtable_clear(c);
    bool added;
    urb_wslot_t *e = urb_wtable_get(c, tk->term, tk->term_len, &added);
    if (!e)
        return NULL;
    if (added) {
        size_t sl;
        const char *s = urb_stem(slot->st, tk->term, tk->term_len, &sl);
        if (!s || sl > UINT32_MAX || urb_buf_append(&c->bytes, s, sl) < 0) {
            /* Forget the word: its stem is not there. */
            urb_wtable_clear(c);
            return NULL;
        }
        e->val = (uint32_t)sl;
    }
    *len = e->val;
    return c->bytes.data + e->off + e->len;
}

/* tk's stem in the report's language into *s, *sl; *s is NULL when the
 * word is not stemmed. Valid until the next call. 0, or -1 on OOM. */
static int stem_of(job_t *j, const urb_token_t *tk, const char **s,
                   size_t *sl)
{
    *s = NULL;
    *sl = 0;
    if (!j->stem || !j->stem->st ||
        (tk->flags & (URB_TOK_NGRAM | URB_TOK_NUMBER)))
        return 0;
    if (!(*s = cached_stem(j->stem, tk, sl)))
        return oom(j->t);
    return 0;
}

static int stem_term(job_t *j, const char *s, size_t sl, uint32_t wdf)
{
    if (!s)
        return 0;
    if (make_term(j->t, j->stem->zpfx, s, sl) < 0)
        return oom(j->t);
    urb_xstatus_t st =
        urb_xdoc_add_term(j->doc, j->t->term.data, j->t->term.len, wdf);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* ---- Concept terms: the thesaurus's forms met in the text --------------- */

/* Does the text's word tk, stemmed s[0..sl) (NULL: not stemmed), match
 * the form's word w? As the query side matches: same folded word, or
 * same stem. */
static bool form_word(const urb_thes_tok_t *w, const urb_token_t *tk,
                      const char *s, size_t sl)
{
    return (w->len == tk->term_len && memcmp(w->term, tk->term, w->len) == 0) ||
           (s && w->stem && w->stem_len == sl && memcmp(w->stem, s, sl) == 0);
}

static int concept_term(job_t *j, uint32_t form, uint32_t wdf)
{
    const urb_thes_t *th = j->stem->thes;
    const char *name = th->concepts[th->forms[form].concept];
    if (make_term(j->t, URB_PFX_CONCEPT, name, strlen(name)) < 0)
        return oom(j->t);
    urb_xstatus_t st =
        urb_xdoc_add_term(j->doc, j->t->term.data, j->t->term.len, wdf);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* Form f of the report's language begins at the current word: a form of
 * one word is met, a longer one waits for its next words. */
static int begin_form(job_t *j, uint32_t f, uint32_t wdf)
{
    urb_terms_t *t = j->t;
    if (j->stem->thes->forms[f].n_tok == 1)
        return concept_term(j, f, wdf);
    if (t->n_pend == t->cap_pend) {
        size_t cap = t->cap_pend ? 2 * t->cap_pend : 16;
        pending_t *p = realloc(t->pend, cap * sizeof *p);
        if (!p)
            return oom(t);
        t->pend = p;
        t->cap_pend = cap;
    }
    t->pend[t->n_pend++] = (pending_t){f, 1, wdf};
    return 0;
}

/* Moves the forms under way on by word tk (stemmed s[0..sl)), adds the
 * concept of each it completes, then begins the forms whose first word
 * it is: looked up by its folded word and by its stem term, a form found
 * both ways counted once. */
static int concept_terms(job_t *j, const urb_token_t *tk, const char *s,
                         size_t sl, uint32_t wdf)
{
    urb_terms_t *t = j->t;
    if (!j->stem || j->stem->thes_lang < 0)
        return 0;
    const urb_thes_t *th = j->stem->thes;
    uint32_t tl = (uint32_t)j->stem->thes_lang;
    size_t kept = 0;
    for (size_t i = 0; i < t->n_pend; i++) {
        pending_t p = t->pend[i];
        const urb_thes_form_t *f = &th->forms[p.form];
        if (!form_word(&th->toks[f->tok + p.next], tk, s, sl))
            continue;
        if (++p.next < f->n_tok)
            t->pend[kept++] = p;
        else if (concept_term(j, p.form, p.wdf) < 0)
            return -1;
    }
    t->n_pend = kept;
    const uint32_t *by_word, *by_stem = NULL;
    size_t nw = urb_thes_find(th, tk->term, tk->term_len, &by_word), ns = 0;
    if (s) {
        if (make_term(t, j->stem->zpfx, s, sl) < 0)
            return oom(t);
        ns = urb_thes_find(th, t->term.data, t->term.len, &by_stem);
    }
    for (size_t i = 0; i < nw + ns; i++) {
        uint32_t f = i < nw ? by_word[i] : by_stem[i - nw];
        bool seen = false;
        for (size_t k = 0; i >= nw && k < nw && !seen; k++)
            seen = by_word[k] == f;
        if (!seen && th->forms[f].lang == tl && begin_form(j, f, wdf) < 0)
            return -1;
    }
    return 0;
}

/* The written form: W folded \x1f case-folded source word, only when the
 * two differ (mostly diacritics): a folded word without forms is its own
 * written form (suggest.c), which spares most words a second term. It
 * completes words, and ranks first the reports that write a word as a
 * query typed it (query.c's word_query), so its wdf is 1: with 0 it
 * would weigh nothing in BM25. */
static int form_term(job_t *j, const char *src, const urb_token_t *tk)
{
    urb_terms_t *t = j->t;
    if (!(tk->flags & URB_TOK_NGRAM) &&
        utf8_chars(tk->term, tk->term_len) < FORM_MIN_CHARS)
        return 0;
    if (urb_fold_case(src + tk->start, tk->end - tk->start, &t->form) < 0)
        return oom(t);
    if (t->form.len == tk->term_len &&
        memcmp(t->form.data, tk->term, tk->term_len) == 0)
        return 0;
    if (make_term(t, URB_PFX_FORM, tk->term, tk->term_len) < 0)
        return oom(t);
    char sep = URB_FORM_SEP;
    if (urb_buf_append(&t->term, &sep, 1) < 0 ||
        urb_buf_append(&t->term, t->form.data, t->form.len) < 0)
        return oom(t);
    if (t->term.len > XAPIAN_TERM_MAX)
        return 0;
    urb_xstatus_t st = urb_xdoc_add_term(j->doc, t->term.data, t->term.len, 1);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* The pair term of the word before (t->prev, when not empty) and tk, a
 * word of a title or heading; tk becomes the word before. Characters of
 * unspaced scripts and stopwords of the report's language make no pairs
 * ("housing in" is no phrase worth offering). Pairs serve completion
 * only, yet get wdf 1: with wdf 0 a sharded index ranked ties otherwise
 * than the single one (test_daemon_shards). */
static int pair_term(job_t *j, const urb_token_t *tk)
{
    urb_terms_t *t = j->t;
    bool word = !(tk->flags & URB_TOK_NGRAM) &&
                !(j->stem && urb_stopword(j->stem->code, tk->term, tk->term_len));
    if (word && t->prev.len) {
        char sep = URB_PAIR_SEP;
        if (make_term(t, URB_PFX_PAIR, t->prev.data, t->prev.len) < 0 ||
            urb_buf_append(&t->term, &sep, 1) < 0 ||
            urb_buf_append(&t->term, tk->term, tk->term_len) < 0)
            return oom(t);
        if (t->term.len <= XAPIAN_TERM_MAX) {
            urb_xstatus_t st =
                urb_xdoc_add_term(j->doc, t->term.data, t->term.len, 1);
            if (st != URB_X_OK)
                return xfail(j, st);
        }
    }
    t->prev.len = 0;
    if (word && urb_buf_append(&t->prev, tk->term, tk->term_len) < 0)
        return oom(t);
    return 0;
}

/* German writes ä ö ü as ae oe ue where the letters are missing
 * (Muenchen, Gruene), and folding alone makes München "munchen" and
 * Gruene "gruene": in a German report each such word also gets its other
 * spelling at the same position, so either spelling finds both. "ue"
 * after q, a or e (Quelle, Bauer, Feuer) is no umlaut. */
static bool umlaut_pair(const char *w, size_t i)
{
    char a = w[i], b = w[i + 1];
    if (b != 'e' || (a != 'a' && a != 'o' && a != 'u'))
        return false;
    return !(a == 'u' && i > 0 &&
             (w[i - 1] == 'q' || w[i - 1] == 'a' || w[i - 1] == 'e'));
}

static int umlaut_term(job_t *j, const char *src, const urb_token_t *tk,
                       uint32_t wdf)
{
    urb_terms_t *t = j->t;
    const char *w = src + tk->start;
    size_t wn = tk->end - tk->start;
    bool umlaut = false;
    if (tk->flags & (URB_TOK_NGRAM | URB_TOK_NUMBER))
        return 0;
    for (size_t i = 0; i + 1 < wn; i++)
        if ((unsigned char)w[i] == 0xC3 &&
            strchr("\xA4\xB6\xBC\x84\x96\x9C", w[i + 1]))
            umlaut = true;
    t->fold.len = 0;
    if (umlaut) {
        /* The case-folded word with ä ö ü spelled out, then folded. */
        if (urb_fold_case(w, wn, &t->form) < 0)
            return oom(t);
        for (size_t i = 0; i < t->form.len; i++) {
            const char *f = t->form.data + i;
            if (i + 1 < t->form.len && (unsigned char)f[0] == 0xC3 &&
                strchr("\xA4\xB6\xBC", f[1])) {
                char v = f[1] == '\xA4' ? 'a' : f[1] == '\xB6' ? 'o' : 'u';
                if (urb_buf_append(&t->fold, &v, 1) < 0 ||
                    urb_buf_append(&t->fold, "e", 1) < 0)
                    return oom(t);
                i++;
            } else if (urb_buf_append(&t->fold, f, 1) < 0) {
                return oom(t);
            }
        }
        if (urb_fold(t->fold.data, t->fold.len, &t->form) < 0)
            return oom(t);
    } else {
        /* The folded word with ae oe ue as the letters they stand for. */
        bool any = false;
        t->form.len = 0;
        for (size_t i = 0; i < tk->term_len; i++) {
            bool pair = i + 1 < tk->term_len && umlaut_pair(tk->term, i);
            if (urb_buf_append(&t->form, tk->term + i, 1) < 0)
                return oom(t);
            any |= pair;
            i += pair;
        }
        if (!any)
            return 0;
    }
    if (t->form.len == tk->term_len &&
        memcmp(t->form.data, tk->term, tk->term_len) == 0)
        return 0;
    if (t->form.len > XAPIAN_TERM_MAX)
        return 0;
    urb_xstatus_t st = urb_xdoc_add_posting(j->doc, t->form.data, t->form.len,
                                            j->pos, wdf);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* Indexes the words of s[0..n). Title and heading words (field_prefix
 * set) also get their field term and `extra` wdf on the word and stem. */
static int index_words(job_t *j, const char *s, size_t n,
                       const char *field_prefix, uint32_t extra)
{
    urb_token_t tk;
    int r;
    j->t->prev.len = 0;
    j->t->n_pend = 0;
    urb_tokenizer_reset(j->t->tz, s, n);
    while ((r = urb_tokenizer_next(j->t->tz, &tk)) > 0) {
        const char *stem;
        size_t sl;
        j->pos++;
        if (posting(j, "", &tk, 1 + extra) < 0 ||
            (field_prefix && (posting(j, field_prefix, &tk, 1) < 0 ||
                              pair_term(j, &tk) < 0)) ||
            stem_of(j, &tk, &stem, &sl) < 0 ||
            stem_term(j, stem, sl, 1 + extra) < 0 ||
            concept_terms(j, &tk, stem, sl, 1 + extra) < 0 ||
            form_term(j, s, &tk) < 0 ||
            (j->stem && strcmp(j->stem->code, "de") == 0 &&
             umlaut_term(j, s, &tk, 1 + extra) < 0))
            return -1;
    }
    if (r < 0)
        return oom(j->t);
    j->pos += POS_GAP;
    return 0;
}

/* A boolean filter term: prefix + the folded, trimmed value. Values too
 * long to be a term are left out: they stay in the stored report. */
static int filter_term(job_t *j, const char *prefix, urb_str_t v)
{
    urb_terms_t *t = j->t;
    if (!v.n)
        return 0;
    if (urb_fold(v.p, v.n, &t->fold) < 0)
        return oom(t);
    const char *f = t->fold.data;
    size_t fl = t->fold.len;
    while (fl && (*f == ' ' || *f == '\t' || *f == '\n' || *f == '\r'))
        f++, fl--;
    while (fl && (f[fl - 1] == ' ' || f[fl - 1] == '\t' ||
                  f[fl - 1] == '\n' || f[fl - 1] == '\r'))
        fl--;
    if (!fl || strlen(prefix) + fl > XAPIAN_TERM_MAX)
        return 0;
    if (make_term(t, prefix, f, fl) < 0)
        return oom(t);
    urb_xstatus_t st =
        urb_xdoc_add_boolean_term(j->doc, t->term.data, t->term.len);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

static int value(job_t *j, unsigned slot, const char *v, size_t n)
{
    if (!n)
        return 0;
    urb_xstatus_t st = urb_xdoc_set_value(j->doc, slot, v, n);
    return st == URB_X_OK ? 0 : xfail(j, st);
}

/* Title, then the text before the first section, then each section's
 * heading followed by its body. */
static int index_text(job_t *j, const urb_report_t *r)
{
    if (index_words(j, r->title.p, r->title.n, URB_PFX_TITLE,
                    URB_WDF_TITLE) < 0)
        return -1;
    /* A report of only a title has no text at all. */
    const char *text = r->text.p ? r->text.p : "";
    size_t at = 0;
    for (size_t i = 0; i <= r->n_sections; i++) {
        size_t end = i < r->n_sections ? r->sections[i].offset : r->text.n;
        if (end < at)
            end = at;
        if (index_words(j, text + at, end - at, NULL, 0) < 0)
            return -1;
        at = end;
        if (i < r->n_sections) {
            const urb_str_t *h = &r->sections[i].heading;
            if (index_words(j, h->p, h->n, URB_PFX_HEADING,
                            URB_WDF_HEADING) < 0 ||
                filter_term(j, URB_PFX_SECTION, *h) < 0)
                return -1;
        }
    }
    return 0;
}

static int index_fields(job_t *j, const urb_report_t *r)
{
    urb_terms_t *t = j->t;
    if (r->id.n && make_term(t, URB_PFX_ID, r->id.p, r->id.n) < 0)
        return oom(t);
    if (r->id.n) {
        if (t->term.len > XAPIAN_TERM_MAX)
            return fail(t, "id too long (%zu bytes)", r->id.n);
        urb_xstatus_t st =
            urb_xdoc_add_boolean_term(j->doc, t->term.data, t->term.len);
        if (st != URB_X_OK)
            return xfail(j, st);
    }
    if (filter_term(j, URB_PFX_LANG, r->lang) < 0 ||
        filter_term(j, URB_PFX_COUNTRY, r->country) < 0 ||
        filter_term(j, URB_PFX_CITY, r->city) < 0 ||
        value(j, URB_SLOT_LANG, r->lang.p, r->lang.n) < 0 ||
        value(j, URB_SLOT_COUNTRY, r->country.p, r->country.n) < 0 ||
        value(j, URB_SLOT_CITY, r->city.p, r->city.n) < 0)
        return -1;
    t->data.len = 0;
    for (size_t i = 0; i < r->n_networks; i++) {
        if (filter_term(j, URB_PFX_NETWORK, r->networks[i]) < 0)
            return -1;
        char sep = URB_LIST_SEP;
        if ((i && urb_buf_append(&t->data, &sep, 1) < 0) ||
            urb_buf_append(&t->data, r->networks[i].p, r->networks[i].n) < 0)
            return oom(t);
    }
    if (value(j, URB_SLOT_NETWORKS, t->data.data, t->data.len) < 0)
        return -1;
    if (r->year) {
        char y[16], s[9];
        int yl = snprintf(y, sizeof y, "%d", r->year);
        if (filter_term(j, URB_PFX_YEAR, (urb_str_t){y, (size_t)yl}) < 0 ||
            value(j, URB_SLOT_YEARSTR, y, (size_t)yl) < 0 ||
            value(j, URB_SLOT_YEAR, s, urb_xsortable(r->year, s)) < 0 ||
            value(j, URB_SLOT_YEAR_NEG, s, urb_xsortable(-r->year, s)) < 0)
            return -1;
    }
    return 0;
}

int urb_terms_index(const urb_report_t *r, urb_terms_t *t, urb_xdoc_t *doc)
{
    job_t j = {.t = t, .doc = doc};
    t->err[0] = '\0';
    if (r->n_sections > URB_MAX_SECTIONS || r->n_networks > URB_MAX_NETWORKS ||
        r->n_fields > URB_MAX_FIELDS)
        return fail(t, "report breaks its limits");
    for (size_t i = 0; i < r->n_sections; i++)
        if (r->sections[i].offset > r->text.n)
            return fail(t, "section %zu starts past the text", i);
    if (r->lang.n && stemmer_for(t, r->lang.p, r->lang.n, &j.stem) < 0)
        return oom(t);
    if (index_text(&j, r) < 0 || index_fields(&j, r) < 0)
        return -1;
    t->data.len = 0;
    if (urb_report_encode(r, &t->data) < 0)
        return oom(t);
    urb_xstatus_t st = urb_xdoc_set_data(doc, t->data.data, t->data.len);
    return st == URB_X_OK ? 0 : xfail(&j, st);
}

/* ---- Spelling ----------------------------------------------------------- */

/* Each word's count is its slot's val. */
struct urb_spell {
    urb_wtable_t words;
};

urb_spell_t *urb_spell_new(void)
{
    return calloc(1, sizeof(urb_spell_t));
}

void urb_spell_free(urb_spell_t *sp)
{
    if (!sp)
        return;
    urb_wtable_free(&sp->words);
    free(sp);
}

/* Adds count to word w[0..n); -1 on OOM. */
static int spell_add(urb_spell_t *sp, const char *w, size_t n, uint32_t count)
{
    bool added;
    urb_wslot_t *s = urb_wtable_get(&sp->words, w, n, &added);
    if (!s)
        return -1;
    s->val += count;
    return 0;
}

/* Prefixed terms start with an upper-case ASCII letter; folded words
 * never do. Short words and numbers make poor corrections. */
static bool spelling_word(const char *term, size_t len)
{
    if (!len || len > XAPIAN_TERM_MAX || (term[0] >= 'A' && term[0] <= 'Z') ||
        utf8_chars(term, len) < SPELL_MIN_CHARS)
        return false;
    for (size_t i = 0; i < len; i++)
        if (term[i] < '0' || term[i] > '9')
            return true;
    return false;
}

typedef struct collect {
    urb_spell_t *sp;
    bool oom;
} collect_t;

static int collect_term(void *ctx, const char *term, size_t len, uint32_t wdf)
{
    collect_t *c = ctx;
    (void)wdf;
    c->oom = spelling_word(term, len) && spell_add(c->sp, term, len, 1) < 0;
    return c->oom;
}

int urb_spell_collect(urb_spell_t *sp, urb_xdoc_t *doc)
{
    collect_t c = {sp, false};
    return urb_xdoc_termlist(doc, collect_term, &c) == URB_X_OK && !c.oom
               ? 0
               : -1;
}

int urb_spell_merge(urb_spell_t *into, const urb_spell_t *from)
{
    const urb_wtable_t *t = &from->words;
    for (size_t i = 0; i < t->cap; i++) {
        const urb_wslot_t *s = &t->slots[i];
        if (s->used &&
            spell_add(into, t->bytes.data + s->off, s->len, s->val) < 0)
            return -1;
    }
    return 0;
}

urb_xstatus_t urb_spell_write(const urb_spell_t *sp, urb_xdb_t *db)
{
    char w[XAPIAN_TERM_MAX + 1];
    const urb_wtable_t *t = &sp->words;
    for (size_t i = 0; i < t->cap; i++) {
        const urb_wslot_t *s = &t->slots[i];
        if (!s->used)
            continue;
        memcpy(w, t->bytes.data + s->off, s->len);
        w[s->len] = '\0';
        urb_xstatus_t st = urb_xdb_add_spelling(db, w, s->val);
        if (st != URB_X_OK)
            return st;
    }
    return URB_X_OK;
}

urb_xstatus_t urb_terms_add_spelling(urb_xdb_t *db, urb_xdoc_t *doc)
{
    urb_spell_t *sp = urb_spell_new();
    urb_xstatus_t st = !sp || urb_spell_collect(sp, doc) < 0
                           ? URB_X_NOMEM
                           : urb_spell_write(sp, db);
    urb_spell_free(sp);
    return st;
}
