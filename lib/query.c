/* query.c — query text to a Xapian query (grammar and policy in query.h),
 * and spelling correction.
 *
 * Three steps: lex the whole text into lexemes, tokenizing words as they
 * come (the folded terms go to one arena); analyse (language detection,
 * expansion set, stopwords), which needs every word first; then a
 * recursive descent that keeps its results on one item stack, so an error
 * anywhere is cleaned up by freeing the stack. */
#include "query_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/schema.h"

#define MAX_DEPTH 64       /* nesting of parentheses and NOTs */
#define WILDCARD_MAX 100   /* terms one word* expands to */
/* A query's cost grows with its words (each expanded per language) and
 * its wildcards, and Xapian cannot stop a match once begun: past these a
 * query is refused rather than holding a worker beyond its timeout. */
#define QUERY_WORDS_MAX 256
#define QUERY_WILDCARDS_MAX 10
#define DETECT_MIN_WORDS 4 /* words before a detected language narrows */
#define NO_STEM SIZE_MAX

enum {
    LX_WORD,
    LX_PHRASE,
    LX_FIELD,
    LX_LPAREN,
    LX_RPAREN,
    LX_AND,
    LX_OR,
    LX_NOT,
    LX_PLUS,
    LX_MINUS,
    LX_END
};

enum {
    F_NONE = -1,
    F_TITLE,
    F_SECTION,
    F_CITY,
    F_COUNTRY,
    F_LANG,
    F_NETWORK,
    F_YEAR,
    F_COUNT
};

static const struct {
    const char *name;
    const char *prefix; /* NULL: year, a value range */
    bool text;          /* free text (else a filter) */
} fields[F_COUNT] = {
    [F_TITLE] = {"title", URB_PFX_TITLE, true},
    [F_SECTION] = {"section", URB_PFX_HEADING, true},
    [F_CITY] = {"city", URB_PFX_CITY, false},
    [F_COUNTRY] = {"country", URB_PFX_COUNTRY, false},
    [F_LANG] = {"lang", URB_PFX_LANG, false},
    [F_NETWORK] = {"network", URB_PFX_NETWORK, false},
    [F_YEAR] = {"year", NULL, false},
};

struct qlexeme {
    int type, field;
    bool wildcard;
    size_t tok, ntok;  /* its words in qp->toks */
    size_t start, end; /* a filter's raw value in the text */
};

/* A word while parsing; becomes an urb_qword_t once the arena is final. */
struct qtok {
    size_t off, len; /* folded term in qp->arena */
    size_t start, end;
    unsigned tflags, flags;
};

/* What a subexpression is, for combining it with its neighbours. */
enum { K_POS, K_REQ, K_NEG, K_FILT };
struct qitem {
    urb_xquery_t *q;
    int kind;
    int field; /* K_FILT: which, or F_NONE for a mixture */
};

typedef struct parser {
    urb_qparser_t *qp;
    const char *text;
    size_t len;
    size_t at; /* next lexeme */
    int depth;
    bool op_or;
    bool neg;     /* under an odd number of NOTs */
    uint32_t pos; /* query position of the last term */
    urb_xstatus_t st;
} parser_t;

/* ---- Shared helpers ----------------------------------------------------- */

int urb_qgrow(void *arrp, size_t *cap, size_t need, size_t size)
{
    void *p;
    memcpy(&p, arrp, sizeof p);
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return -1;
    void *np = realloc(p, n * size);
    if (!np)
        return -1;
    memcpy(arrp, &np, sizeof np);
    *cap = n;
    return 0;
}

urb_xstatus_t urb_qp_fail(urb_qparser_t *qp, urb_xstatus_t st, const char *fmt,
                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(qp->errmsg, sizeof qp->errmsg, fmt, ap);
    va_end(ap);
    return st;
}

urb_xstatus_t urb_qp_xfail(urb_qparser_t *qp, urb_xstatus_t st,
                           const char *msg)
{
    return urb_qp_fail(qp, st, "%s", msg && *msg ? msg : urb_xstatus_str(st));
}

int urb_qp_lang(const urb_qparser_t *qp, const char *code, size_t len)
{
    for (size_t i = 0; i < qp->n_langs; i++)
        if (strlen(qp->langs[i].code) == len &&
            strncmp(qp->langs[i].code, code, len) == 0)
            return (int)i;
    return -1;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* Sets qp->term to pfx + s[0..n), NUL-terminated. */
static int set_term(urb_qparser_t *qp, const char *pfx, const char *s, size_t n)
{
    urb_buf_t *b = &qp->term;
    b->len = 0;
    if (urb_buf_append(b, pfx, strlen(pfx)) < 0 ||
        urb_buf_append(b, s, n) < 0 || urb_buf_append(b, "", 1) < 0)
        return -1;
    b->len--;
    return 0;
}

static urb_xquery_t *term_query(urb_qparser_t *qp, const char *pfx,
                                const char *s, size_t n, uint32_t pos)
{
    if (set_term(qp, pfx, s, n) < 0)
        return NULL;
    return urb_xquery_term(qp->term.data, qp->term.len, 1, pos);
}

static void free_all(urb_xquery_t **qs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        urb_xquery_free(qs[i]);
}

/* OP over subs[0..n), which are freed; n == 1 hands subs[0] back. */
static urb_xquery_t *combine_owned(urb_xop_t op, urb_xquery_t **subs, size_t n)
{
    if (n == 1)
        return subs[0];
    urb_xquery_t *q = urb_xquery_combine(op, subs, n, 0);
    free_all(subs, n);
    return q;
}

#define TF_MAX (1u << 16) /* term frequencies remembered at most */

/* The same terms come back query after query (a search box's prefixes,
 * a word's stems in every language), and each lookup reads the index's
 * blocks. */
urb_xstatus_t urb_qp_termfreq(urb_qparser_t *qp, urb_xdb_t *db, const char *p,
                              size_t n, uint32_t *freq)
{
    if (qp->tf.n >= TF_MAX)
        urb_wtable_clear(&qp->tf);
    bool added;
    urb_wslot_t *s = urb_wtable_get(&qp->tf, p, n, &added);
    if (s && !added) {
        *freq = s->val;
        return URB_X_OK;
    }
    urb_xstatus_t st = urb_xdb_termfreq(db, p, n, freq);
    if (st != URB_X_OK) {
        urb_wtable_clear(&qp->tf); /* the new slot has no frequency */
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    }
    if (s)
        s->val = *freq;
    return URB_X_OK;
}

void urb_qparser_forget(urb_qparser_t *qp)
{
    urb_wtable_clear(&qp->tf);
    urb_wtable_clear(&qp->stems_in);
}

uint32_t urb_qp_stems_in(urb_qparser_t *qp, urb_xdb_t *db, const char *w,
                         size_t n)
{
    if (qp->n_langs > 32)
        return UINT32_MAX;
    if (qp->stems_in.n >= TF_MAX)
        urb_wtable_clear(&qp->stems_in);
    bool added;
    urb_wslot_t *s = urb_wtable_get(&qp->stems_in, w, n, &added);
    if (s && !added)
        return s->val;
    uint32_t in = 0;
    for (size_t l = 0; l < qp->n_langs; l++) {
        const urb_qlang_t *lang = &qp->langs[l];
        char t[256];
        size_t pl = strlen(lang->zpfx), sl;
        uint32_t freq;
        if (!lang->stemmer)
            continue; /* no stems */
        const char *st = urb_stem(lang->stemmer, w, n, &sl);
        if (!st || pl + sl > sizeof t) {
            in = UINT32_MAX;
            break;
        }
        memcpy(t, lang->zpfx, pl);
        memcpy(t + pl, st, sl);
        if (urb_qp_termfreq(qp, db, t, pl + sl, &freq) != URB_X_OK) {
            in = UINT32_MAX;
            break;
        }
        in |= (uint32_t)(freq > 0) << l;
    }
    if (in == UINT32_MAX)
        urb_wtable_clear(&qp->stems_in); /* the new slot has no answer */
    else if (s)
        s->val = in;
    return in;
}

/* w must not live in qp->stems. */
urb_xquery_t *urb_qp_expand_word(urb_qparser_t *qp, const char *w, size_t n,
                                 unsigned tflags, uint32_t pos, const int *exp,
                                 size_t n_exp, size_t *stem_off)
{
    if (tflags & (URB_TOK_NGRAM | URB_TOK_NUMBER))
        n_exp = 0;
    if (URB_QGROW(qp->ptrs, qp->cap_ptrs, 1 + n_exp) < 0)
        return NULL;
    urb_xquery_t **subs = qp->ptrs;
    size_t k = 0;
    uint32_t in = qp->prune && n_exp ? urb_qp_stems_in(qp, qp->prune, w, n)
                                     : UINT32_MAX;
    if (!(subs[k++] = term_query(qp, "", w, n, pos)))
        return NULL;
    for (size_t l = 0; l < n_exp; l++) {
        const urb_qlang_t *lang = &qp->langs[exp[l]];
        size_t sl;
        const char *s = urb_stem(lang->stemmer, w, n, &sl);
        if (!s)
            goto fail;
        if (stem_off) {
            stem_off[l] = qp->stems.len;
            if (urb_buf_append(&qp->stems, s, sl) < 0 ||
                urb_buf_append(&qp->stems, "", 1) < 0)
                goto fail;
        }
        if (!(in >> exp[l] & 1))
            continue; /* pruned */
        if (!(subs[k] = term_query(qp, lang->zpfx, s, sl, pos)))
            goto fail;
        k++;
    }
    return combine_owned(URB_XOP_SYNONYM, subs, k);
fail:
    free_all(subs, k);
    return NULL;
}

/* ---- Lexing ------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* A word runs up to one of these; a colon ends a word so that an unknown
 * foo:bar is two words. */
static bool ends_word(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '"' || c == ':';
}

static int syntax(parser_t *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int syntax(parser_t *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->qp->errmsg, sizeof ps->qp->errmsg, fmt, ap);
    va_end(ap);
    ps->st = URB_X_QUERY;
    return -1;
}

static int oom(parser_t *ps)
{
    ps->st = urb_qp_fail(ps->qp, URB_X_NOMEM, "out of memory");
    return -1;
}

static struct qlexeme *push_lexeme(parser_t *ps, int type, size_t start,
                                   size_t end)
{
    urb_qparser_t *qp = ps->qp;
    if (URB_QGROW(qp->lx, qp->cap_lx, qp->n_lx + 1) < 0) {
        oom(ps);
        return NULL;
    }
    struct qlexeme *lx = &qp->lx[qp->n_lx++];
    *lx = (struct qlexeme){.type = type,
                           .field = F_NONE,
                           .tok = qp->n_toks,
                           .start = start,
                           .end = end};
    return lx;
}

/* Tokenizes text[s..e) into words of lexeme lx, with URB_QW_ flags. */
static int add_words(parser_t *ps, struct qlexeme *lx, size_t s, size_t e,
                     unsigned flags)
{
    urb_qparser_t *qp = ps->qp;
    urb_token_t tk;
    int r;
    urb_tokenizer_reset(qp->tz, ps->text + s, e - s);
    while ((r = urb_tokenizer_next(qp->tz, &tk)) > 0) {
        if (URB_QGROW(qp->toks, qp->cap_toks, qp->n_toks + 1) < 0)
            return oom(ps);
        struct qtok *t = &qp->toks[qp->n_toks];
        *t = (struct qtok){qp->arena.len, tk.term_len, s + tk.start,
                           s + tk.end,    tk.flags,    flags};
        if (urb_buf_append(&qp->arena, tk.term, tk.term_len) < 0 ||
            urb_buf_append(&qp->arena, "", 1) < 0)
            return oom(ps);
        qp->n_toks++;
    }
    if (r < 0)
        return oom(ps);
    lx->ntok = qp->n_toks - lx->tok;
    if (lx->ntok > 1)
        for (size_t i = lx->tok; i < qp->n_toks; i++)
            qp->toks[i].flags |= URB_QW_PHRASE;
    if (lx->wildcard && lx->ntok)
        qp->toks[qp->n_toks - 1].flags |= URB_QW_PREFIX;
    return 0;
}

/* From the opening quote at *p: the quoted span's content [*s, *e). */
static int quoted(parser_t *ps, size_t *p, size_t *s, size_t *e)
{
    const char *q = memchr(ps->text + *p + 1, '"', ps->len - *p - 1);
    if (!q)
        return syntax(ps, "unterminated quote");
    *s = *p + 1;
    *e = (size_t)(q - ps->text);
    *p = *e + 1;
    return 0;
}

static int field_of(const char *s, size_t n)
{
    for (int f = 0; f < F_COUNT; f++) {
        const char *name = fields[f].name;
        if (strlen(name) != n)
            continue;
        size_t i = 0;
        while (i < n && lower((unsigned char)s[i]) == name[i])
            i++;
        if (i == n)
            return f;
    }
    return F_NONE;
}

/* The value after "field:" at *p. */
static int lex_field(parser_t *ps, int f, size_t *p)
{
    const char *t = ps->text;
    size_t s = 0, e = 0;
    bool is_quoted = *p < ps->len && t[*p] == '"';
    if (is_quoted) {
        if (quoted(ps, p, &s, &e) < 0)
            return -1;
    } else {
        s = e = *p;
        while (e < ps->len && !is_space(t[e]) && t[e] != '(' && t[e] != ')')
            e++;
        *p = e;
    }
    if (s == e)
        return syntax(ps, "%s: without a value", fields[f].name);
    struct qlexeme *lx = push_lexeme(ps, LX_FIELD, s, e);
    if (!lx)
        return -1;
    lx->field = f;
    if (!fields[f].text)
        return 0;
    if (!is_quoted && t[e - 1] == '*') {
        lx->wildcard = true;
        e--;
    }
    return add_words(ps, lx, s, e,
                     URB_QW_FIELD | (is_quoted ? URB_QW_PHRASE : 0));
}

/* + and - are signs at the start of a word, before something. */
static bool is_sign(const parser_t *ps, size_t p)
{
    const char *t = ps->text;
    if (p > 0 && !is_space(t[p - 1]) && t[p - 1] != '(')
        return false;
    return p + 1 < ps->len && !is_space(t[p + 1]) && t[p + 1] != ')' &&
           t[p + 1] != '+' && t[p + 1] != '-';
}

static int lex(parser_t *ps)
{
    const char *t = ps->text;
    size_t p = 0;
    while (p < ps->len) {
        char c = t[p];
        size_t s = 0, e = 0;
        struct qlexeme *lx;
        if (is_space(c) || c == ':') {
            p++;
        } else if (c == '(' || c == ')') {
            if (!push_lexeme(ps, c == '(' ? LX_LPAREN : LX_RPAREN, p, p + 1))
                return -1;
            p++;
        } else if (c == '"') {
            if (quoted(ps, &p, &s, &e) < 0 ||
                !(lx = push_lexeme(ps, LX_PHRASE, s, e)) ||
                add_words(ps, lx, s, e, URB_QW_PHRASE) < 0)
                return -1;
        } else if ((c == '+' || c == '-') && is_sign(ps, p)) {
            if (!push_lexeme(ps, c == '+' ? LX_PLUS : LX_MINUS, p, p + 1))
                return -1;
            p++;
        } else {
            s = p;
            e = p;
            while (e < ps->len && !ends_word(t[e]))
                e++;
            p = e;
            int f;
            if (e < ps->len && t[e] == ':' &&
                (f = field_of(t + s, e - s)) != F_NONE) {
                p = e + 1;
                if (lex_field(ps, f, &p) < 0)
                    return -1;
                continue;
            }
            int type = LX_WORD;
            if (e - s == 3 && memcmp(t + s, "AND", 3) == 0)
                type = LX_AND;
            else if (e - s == 2 && memcmp(t + s, "OR", 2) == 0)
                type = LX_OR;
            else if (e - s == 3 && memcmp(t + s, "NOT", 3) == 0)
                type = LX_NOT;
            if (!(lx = push_lexeme(ps, type, s, e)))
                return -1;
            if (type != LX_WORD)
                continue;
            if (t[e - 1] == '*') {
                lx->wildcard = true;
                e--;
            }
            if (add_words(ps, lx, s, e, 0) < 0)
                return -1;
        }
    }
    size_t wildcards = 0;
    for (size_t k = 0; k < ps->qp->n_lx; k++)
        wildcards += ps->qp->lx[k].wildcard;
    if (ps->qp->n_toks > QUERY_WORDS_MAX)
        return syntax(ps, "too many words: %zu (at most %d)", ps->qp->n_toks,
                      QUERY_WORDS_MAX);
    if (wildcards > QUERY_WILDCARDS_MAX)
        return syntax(ps, "too many words with *: %zu (at most %d)", wildcards,
                      QUERY_WILDCARDS_MAX);
    return push_lexeme(ps, LX_END, ps->len, ps->len) ? 0 : -1;
}

/* ---- Analysis: languages and stopwords ---------------------------------- */

static void add_exp(urb_qparser_t *qp, int i)
{
    if (i < 0 || !qp->langs[i].stemmer)
        return;
    for (size_t l = 0; l < qp->n_exp; l++)
        if (qp->exp[l] == i)
            return;
    qp->exp[qp->n_exp++] = i;
}

/* A stopword alone as a plain word, with no sign or NOT before it, is
 * dropped when some word of the query is not a stopword. */
static void mark_stopwords(urb_qparser_t *qp, const char *stop)
{
    size_t i;
    for (i = 0; i < qp->n_toks; i++)
        if (!urb_stopword(stop, qp->arena.data + qp->toks[i].off,
                          qp->toks[i].len))
            break;
    if (i == qp->n_toks)
        return;
    for (size_t k = 0; k < qp->n_lx; k++) {
        const struct qlexeme *lx = &qp->lx[k];
        if (lx->type != LX_WORD || lx->ntok != 1 || lx->wildcard)
            continue;
        int before = k ? qp->lx[k - 1].type : LX_END;
        if (before == LX_PLUS || before == LX_MINUS || before == LX_NOT)
            continue;
        struct qtok *t = &qp->toks[lx->tok];
        if (urb_stopword(stop, qp->arena.data + t->off, t->len))
            t->flags |= URB_QW_STOP;
    }
}

static int analyse(parser_t *ps, const urb_qopts_t *o)
{
    urb_qparser_t *qp = ps->qp;
    const char *lang =
        o->lang && *o->lang && strcmp(o->lang, "auto") != 0 ? o->lang : NULL;
    const char *det = NULL;
    bool conf = false;
    if (!lang && qp->n_langs && qp->n_toks) {
        urb_buf_t *b = &qp->tmp;
        b->len = 0;
        for (size_t i = 0; i < qp->n_toks; i++) {
            const struct qtok *t = &qp->toks[i];
            if (urb_buf_append(b, ps->text + t->start, t->end - t->start) < 0 ||
                urb_buf_append(b, " ", 1) < 0)
                return oom(ps);
        }
        det = urb_lang_detect(b->data, b->len, qp->allowed, &conf);
    }
    qp->n_exp = 0;
    if (lang) {
        add_exp(qp, urb_qp_lang(qp, lang, strlen(lang)));
        if (o->xl)
            for (size_t i = 0; i < qp->n_langs; i++)
                add_exp(qp, (int)i);
    } else {
        int d = det && conf && (qp->n_toks >= DETECT_MIN_WORDS || !o->xl)
                    ? urb_qp_lang(qp, det, strlen(det))
                    : -1;
        if (d >= 0)
            add_exp(qp, d);
        else
            for (size_t i = 0; i < qp->n_langs; i++)
                add_exp(qp, (int)i);
    }
    size_t n = qp->n_toks * qp->n_exp;
    if (URB_QGROW(qp->stem_off, qp->cap_stem_off, n) < 0)
        return oom(ps);
    for (size_t i = 0; i < n; i++)
        qp->stem_off[i] = NO_STEM;
    qp->info.detected = det;
    qp->info.confident = conf;
    const char *stop = lang ? lang : det;
    if (stop)
        mark_stopwords(qp, stop);
    return 0;
}

/* ---- Building ----------------------------------------------------------- */

static const struct qlexeme *peek(const parser_t *ps)
{
    return &ps->qp->lx[ps->at];
}

static int push_item(parser_t *ps, urb_xquery_t *q, int kind, int field)
{
    urb_qparser_t *qp = ps->qp;
    if (!q)
        return oom(ps);
    if (URB_QGROW(qp->items, qp->cap_items, qp->n_items + 1) < 0) {
        urb_xquery_free(q);
        return oom(ps);
    }
    qp->items[qp->n_items++] = (struct qitem){q, kind, field};
    return 0;
}

static const char *tok_term(const urb_qparser_t *qp, size_t i)
{
    return qp->arena.data + qp->toks[i].off;
}

/* The plain word of token i at position pos: its stems (urb_qp_expand_word)
 * and, when it was typed with marks that folding drops ("València",
 * "här"), OR its written form, so that the reports that write it so rank
 * first while the others still match (the W term, lib/terms.c). */
static urb_xquery_t *word_query(parser_t *ps, size_t i, uint32_t pos)
{
    urb_qparser_t *qp = ps->qp;
    const struct qtok *t = &qp->toks[i];
    const char *w = tok_term(qp, i);
    urb_xquery_t *q = urb_qp_expand_word(qp, w, t->len, t->tflags, pos, qp->exp,
                                         qp->n_exp, qp->stem_off + i * qp->n_exp);
    if (!q || (t->tflags & (URB_TOK_NGRAM | URB_TOK_NUMBER)))
        return q;
    urb_buf_t form = {0}, term = {0};
    if (urb_fold_case(ps->text + t->start, t->end - t->start, &form) < 0)
        goto fail;
    if (form.len == t->len && memcmp(form.data, w, t->len) == 0) {
        urb_buf_free(&form);
        return q;
    }
    char sep = URB_FORM_SEP;
    if (urb_buf_append(&term, w, t->len) < 0 || urb_buf_append(&term, &sep, 1) < 0 ||
        urb_buf_append(&term, form.data, form.len) < 0)
        goto fail;
    urb_xquery_t *both[2] = {q, term_query(qp, URB_PFX_FORM, term.data, term.len, pos)};
    urb_buf_free(&term);
    urb_buf_free(&form);
    if (both[1])
        return combine_owned(URB_XOP_OR, both, 2);
    urb_xquery_free(q);
    return NULL;
fail:
    urb_buf_free(&term);
    urb_buf_free(&form);
    urb_xquery_free(q);
    return NULL;
}

/* The phrase of words [a, b) with a term prefix (one word: its term). */
static urb_xquery_t *phrase_query(parser_t *ps, size_t a, size_t b,
                                  const char *pfx)
{
    urb_qparser_t *qp = ps->qp;
    if (URB_QGROW(qp->ptrs, qp->cap_ptrs, b - a) < 0)
        return NULL;
    urb_xquery_t **subs = qp->ptrs;
    for (size_t i = a; i < b; i++) {
        subs[i - a] =
            term_query(qp, pfx, tok_term(qp, i), qp->toks[i].len, ++ps->pos);
        if (!subs[i - a]) {
            free_all(subs, i - a);
            return NULL;
        }
    }
    return combine_owned(URB_XOP_PHRASE, subs, b - a);
}

/* The plain word of lexeme ps->at - 1 with the thesaurus: the run of
 * plain words from it that a concept's form covers (urb_qp_concepts;
 * whole lexemes, so "anti-rumour" is two words of a run) is (the words,
 * joined by the default op) OR (the concept's forms). */
static int build_concept(parser_t *ps)
{
    urb_qparser_t *qp = ps->qp;
    const char *terms[URB_XL_WORDS_MAX];
    size_t lens[URB_XL_WORDS_MAX], n = 0, first = ps->at - 1, nlx = 1;
    uint32_t ends = 0; /* bit m: the first m words are whole lexemes */
    for (size_t k = first; k < qp->n_lx; k++) {
        const struct qlexeme *lx = &qp->lx[k];
        if (lx->type != LX_WORD || lx->wildcard || !lx->ntok ||
            n + lx->ntok > URB_XL_WORDS_MAX)
            break;
        for (size_t i = lx->tok; i < lx->tok + lx->ntok; i++) {
            terms[n] = tok_term(qp, i);
            lens[n++] = qp->toks[i].len;
        }
        ends |= 1u << n;
    }
    urb_xquery_t *subs[URB_XL_WORDS_MAX], *tr;
    size_t m, k = 0;
    if (urb_qp_concepts(qp, terms, lens, n, ends, qp->lx[first].tok,
                        ps->pos + 1, &m, &tr) < 0)
        return oom(ps);
    if (tr) /* the lexemes covered */
        for (nlx = 0, n = 0; n < m; nlx++)
            n += qp->lx[first + nlx].ntok;
    for (size_t x = first; x < first + nlx; x++) {
        const struct qlexeme *lx = &qp->lx[x];
        const struct qtok *t = &qp->toks[lx->tok];
        if (lx->ntok == 1 && (t->flags & URB_QW_STOP))
            continue;
        subs[k] =
            lx->ntok == 1
                ? word_query(ps, lx->tok, ++ps->pos)
                : phrase_query(ps, lx->tok, lx->tok + lx->ntok, "");
        if (!subs[k]) {
            free_all(subs, k);
            urb_xquery_free(tr);
            return oom(ps);
        }
        k++;
    }
    ps->at += nlx - 1; /* k > 0: the first word is no dropped stopword */
    urb_xquery_t *q =
        combine_owned(ps->op_or ? URB_XOP_OR : URB_XOP_AND, subs, k);
    if (q && tr) {
        urb_xquery_t *both[2] = {q, tr};
        q = combine_owned(URB_XOP_OR, both, 2);
    } else {
        urb_xquery_free(tr);
    }
    return push_item(ps, q, K_POS, F_NONE);
}

/* Words [a, b) of a word or free-text field: a phrase, a wildcard on the
 * last word (AND the phrase of the others), or one expanded word. */
static int build_words(parser_t *ps, const struct qlexeme *lx, const char *pfx)
{
    urb_qparser_t *qp = ps->qp;
    size_t a = lx->tok, b = lx->tok + lx->ntok;
    if (ps->neg)
        for (size_t i = a; i < b; i++)
            qp->toks[i].flags |= URB_QW_NEG;
    if (a == b)
        return 0;
    if (lx->wildcard) {
        b--;
        if (set_term(qp, pfx, tok_term(qp, b), qp->toks[b].len) < 0)
            return oom(ps);
        urb_xquery_t *wq = urb_xquery_wildcard(qp->term.data, WILDCARD_MAX);
        if (!wq || a == b)
            return push_item(ps, wq, K_POS, F_NONE);
        urb_xquery_t *sub[2] = {phrase_query(ps, a, b, pfx), wq};
        if (!sub[0]) {
            urb_xquery_free(wq);
            return oom(ps);
        }
        return push_item(ps, combine_owned(URB_XOP_AND, sub, 2), K_POS, F_NONE);
    }
    const struct qtok *t = &qp->toks[a];
    if (lx->type == LX_WORD && b - a == 1 && (t->flags & URB_QW_STOP))
        return 0;
    if (lx->type == LX_WORD && qp->xl && !ps->neg)
        return build_concept(ps);
    if (lx->type == LX_WORD && b - a == 1)
        return push_item(ps, word_query(ps, a, ++ps->pos), K_POS, F_NONE);
    return push_item(ps, phrase_query(ps, a, b, pfx), K_POS, F_NONE);
}

/* year:Y, Y..Z, Y.., ..Z with years of 1 to 4 digits; -1 for an open end. */
static int parse_years(const char *s, size_t n, int *lo, int *hi)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < n && !dots; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            dots = s + i;
    int *out[2] = {lo, hi};
    const char *part[2] = {s, dots ? dots + 2 : s};
    size_t plen[2] = {dots ? (size_t)(dots - s) : n,
                      dots ? n - (size_t)(dots + 2 - s) : n};
    for (int k = 0; k < 2; k++) {
        *out[k] = -1;
        if (plen[k] == 0 && dots)
            continue;
        if (plen[k] == 0 || plen[k] > 4)
            return -1;
        int y = 0;
        for (size_t i = 0; i < plen[k]; i++) {
            if (part[k][i] < '0' || part[k][i] > '9')
                return -1;
            y = y * 10 + (part[k][i] - '0');
        }
        *out[k] = y;
    }
    if ((*lo < 0 && *hi < 0) || (*lo >= 0 && *hi >= 0 && *lo > *hi))
        return -1;
    return 0;
}

static int build_filter(parser_t *ps, const struct qlexeme *lx)
{
    urb_qparser_t *qp = ps->qp;
    const char *v = ps->text + lx->start;
    size_t n = lx->end - lx->start;
    if (lx->field == F_YEAR) {
        int lo, hi;
        if (parse_years(v, n, &lo, &hi) < 0)
            return syntax(ps, "bad year: %.*s", (int)n, v);
        char lb[9], hb[9];
        size_t ll = lo >= 0 ? urb_xsortable(lo, lb) : 0;
        size_t hl = hi >= 0 ? urb_xsortable(hi, hb) : 0;
        return push_item(ps,
                         urb_xquery_value_range(URB_SLOT_YEAR,
                                                lo >= 0 ? lb : NULL, ll,
                                                hi >= 0 ? hb : NULL, hl),
                         K_FILT, F_YEAR);
    }
    if (urb_fold(v, n, &qp->tmp) < 0)
        return oom(ps);
    const char *f = qp->tmp.data;
    size_t fl = qp->tmp.len;
    while (fl && is_space(*f))
        f++, fl--;
    while (fl && is_space(f[fl - 1]))
        fl--;
    if (!fl)
        return syntax(ps, "%s: without a value", fields[lx->field].name);
    return push_item(ps, term_query(qp, fields[lx->field].prefix, f, fl, 0),
                     K_FILT, lx->field);
}

/* ---- Combining ---------------------------------------------------------- */

/* Queries made while combining, freed together at the end. */
typedef struct made {
    urb_xquery_t *q[24];
    size_t n;
} made_t;

static urb_xquery_t *mk(parser_t *ps, made_t *m, urb_xop_t op,
                        urb_xquery_t *const *subs, size_t n)
{
    if (n == 1)
        return subs[0];
    urb_xquery_t *q = urb_xquery_combine(op, subs, n, 0);
    if (!q) {
        oom(ps);
        return NULL;
    }
    m->q[m->n++] = q;
    return q;
}

static urb_xquery_t *mk2(parser_t *ps, made_t *m, urb_xop_t op, urb_xquery_t *a,
                         urb_xquery_t *b)
{
    urb_xquery_t *subs[2] = {a, b};
    return mk(ps, m, op, subs, 2);
}

/* everything AND_NOT q */
static urb_xquery_t *all_but(parser_t *ps, made_t *m, urb_xquery_t *q)
{
    urb_xquery_t *all = urb_xquery_match_all();
    if (!all) {
        oom(ps);
        return NULL;
    }
    m->q[m->n++] = all;
    return mk2(ps, m, URB_XOP_AND_NOT, all, q);
}

/* Replaces the items from base on by r (one of them or made). */
static int finish(parser_t *ps, size_t base, made_t *m, urb_xquery_t *r,
                  int kind, int field)
{
    urb_qparser_t *qp = ps->qp;
    if (!r) {
        free_all(m->q, m->n);
        return -1;
    }
    for (size_t i = base; i < qp->n_items; i++)
        if (qp->items[i].q != r)
            urb_xquery_free(qp->items[i].q);
    for (size_t i = 0; i < m->n; i++)
        if (m->q[i] != r)
            urb_xquery_free(m->q[i]);
    qp->n_items = base;
    qp->items[qp->n_items++] = (struct qitem){r, kind, field};
    return 0;
}

/* Items from base whose kind is in `kinds` (bits) and, for filters, whose
 * field is `field`; into qp->ptrs. */
static size_t collect(urb_qparser_t *qp, size_t base, unsigned kinds, int field)
{
    size_t k = 0;
    for (size_t i = base; i < qp->n_items; i++) {
        const struct qitem *it = &qp->items[i];
        if ((kinds >> it->kind & 1) &&
            (it->kind != K_FILT || it->field == field))
            qp->ptrs[k++] = it->q;
    }
    return k;
}

#define BIT(k) (1u << (k))

/* AND (op_or false) or the default OR of the items from base: scored
 * items joined, +items required, filters grouped by field (same field
 * OR, different AND) to filter, negated items cut off. */
static int combine_and(parser_t *ps, size_t base, bool op_or)
{
    urb_qparser_t *qp = ps->qp;
    size_t n = qp->n_items - base;
    if (n == 0)
        return 0;
    if (n == 1) {
        if (qp->items[base].kind == K_REQ)
            qp->items[base].kind = K_POS;
        return 0;
    }
    if (URB_QGROW(qp->ptrs, qp->cap_ptrs, n) < 0)
        return oom(ps);
    made_t m = {.n = 0};
    urb_xquery_t *r = NULL, *g[F_COUNT + 1];
    size_t k, ng = 0;
    int kind = K_POS, field = F_NONE;

    unsigned scored = op_or ? BIT(K_POS) : BIT(K_POS) | BIT(K_REQ);
    if ((k = collect(qp, base, scored, F_NONE)) &&
        !(r = mk(ps, &m, op_or ? URB_XOP_OR : URB_XOP_AND, qp->ptrs, k)))
        goto fail;
    if (op_or && (k = collect(qp, base, BIT(K_REQ), F_NONE))) {
        urb_xquery_t *req = mk(ps, &m, URB_XOP_AND, qp->ptrs, k);
        if (!req || (r && !(req = mk2(ps, &m, URB_XOP_AND_MAYBE, req, r))))
            goto fail;
        r = req;
    }
    for (int f = F_NONE; f < F_COUNT; f++) {
        if (!(k = collect(qp, base, BIT(K_FILT), f)))
            continue;
        field = f;
        if (!(g[ng++] = mk(ps, &m, f == F_NONE ? URB_XOP_AND : URB_XOP_OR,
                           qp->ptrs, k)))
            goto fail;
    }
    if (ng) {
        urb_xquery_t *flt = mk(ps, &m, URB_XOP_AND, g, ng);
        if (!flt)
            goto fail;
        if (r) {
            if (!(r = mk2(ps, &m, URB_XOP_FILTER, r, flt)))
                goto fail;
            field = F_NONE;
        } else {
            r = flt;
            kind = K_FILT;
            field = ng == 1 ? field : F_NONE;
        }
    }
    if ((k = collect(qp, base, BIT(K_NEG), F_NONE))) {
        urb_xquery_t *neg = mk(ps, &m, URB_XOP_OR, qp->ptrs, k);
        if (!neg)
            goto fail;
        if (r) {
            if (!(r = mk2(ps, &m, URB_XOP_AND_NOT, r, neg)))
                goto fail;
            field = F_NONE;
        } else {
            r = neg;
            kind = K_NEG;
        }
    }
    return finish(ps, base, &m, r, kind, field);
fail:
    return finish(ps, base, &m, NULL, 0, 0);
}

/* OR of the items from base (each an and-expr). The negative ones join
 * as everything but all of them: (NOT a) OR (NOT b) = NOT (a AND b). */
static int combine_or(parser_t *ps, size_t base)
{
    urb_qparser_t *qp = ps->qp;
    size_t n = qp->n_items - base;
    if (n <= 1)
        return 0;
    if (URB_QGROW(qp->ptrs, qp->cap_ptrs, n) < 0)
        return oom(ps);
    made_t m = {.n = 0};
    urb_xquery_t *neg = NULL;
    size_t k = collect(qp, base, BIT(K_NEG), F_NONE);
    if (k && (!(neg = mk(ps, &m, URB_XOP_AND, qp->ptrs, k)) ||
              !(neg = all_but(ps, &m, neg))))
        return finish(ps, base, &m, NULL, 0, 0);
    bool filters = !neg;
    int field = qp->items[base].field;
    k = 0;
    for (size_t i = base; i < qp->n_items; i++) {
        const struct qitem *it = &qp->items[i];
        if (it->kind == K_NEG)
            continue;
        filters &= it->kind == K_FILT;
        if (it->field != field)
            field = F_NONE;
        qp->ptrs[k++] = it->q;
    }
    if (neg)
        qp->ptrs[k++] = neg;
    return finish(ps, base, &m, mk(ps, &m, URB_XOP_OR, qp->ptrs, k),
                  filters ? K_FILT : K_POS, filters ? field : F_NONE);
}

/* ---- Recursive descent -------------------------------------------------- */

static int p_or(parser_t *ps, const char *what);

static bool starts_unary(int type)
{
    return type == LX_WORD || type == LX_PHRASE || type == LX_FIELD ||
           type == LX_LPAREN || type == LX_NOT || type == LX_PLUS ||
           type == LX_MINUS;
}

static int missing(parser_t *ps, const char *what)
{
    int type = peek(ps)->type;
    if (what)
        return syntax(ps, "%s without operand", what);
    if (type == LX_AND || type == LX_OR)
        return syntax(ps, "%s without operand", type == LX_AND ? "AND" : "OR");
    if (type == LX_RPAREN)
        return syntax(ps, "unbalanced )");
    return syntax(ps, "nothing to search for");
}

static int p_primary(parser_t *ps, const char *what)
{
    const struct qlexeme *lx = peek(ps);
    switch (lx->type) {
    case LX_LPAREN:
        ps->at++;
        if (peek(ps)->type == LX_RPAREN)
            return syntax(ps, "empty parentheses");
        if (peek(ps)->type == LX_END)
            return syntax(ps, "missing )");
        if (++ps->depth > MAX_DEPTH)
            return syntax(ps, "query nested too deeply");
        if (p_or(ps, NULL) < 0)
            return -1;
        ps->depth--;
        if (peek(ps)->type != LX_RPAREN)
            return syntax(ps, "missing )");
        ps->at++;
        return 0;
    case LX_WORD:
    case LX_PHRASE:
        ps->at++;
        return build_words(ps, lx, "");
    case LX_FIELD:
        ps->at++;
        if (fields[lx->field].text)
            return build_words(ps, lx, fields[lx->field].prefix);
        return build_filter(ps, lx);
    default:
        return missing(ps, what);
    }
}

/* Negates the item pushed since base, if any. */
static void negate(urb_qparser_t *qp, size_t base)
{
    if (qp->n_items > base) {
        struct qitem *it = &qp->items[base];
        it->kind = it->kind == K_NEG ? K_POS : K_NEG;
        it->field = F_NONE;
    }
}

static int p_unary(parser_t *ps, const char *what)
{
    urb_qparser_t *qp = ps->qp;
    size_t base = qp->n_items;
    int type = peek(ps)->type;
    if (type != LX_NOT && type != LX_MINUS && type != LX_PLUS)
        return p_primary(ps, what);
    ps->at++;
    if (++ps->depth > MAX_DEPTH)
        return syntax(ps, "query nested too deeply");
    int r;
    if (type == LX_PLUS) {
        if ((r = p_primary(ps, "+")) == 0 && qp->n_items > base &&
            qp->items[base].kind == K_POS)
            qp->items[base].kind = K_REQ;
    } else {
        ps->neg = !ps->neg;
        r = type == LX_NOT ? p_unary(ps, "NOT") : p_primary(ps, "-");
        ps->neg = !ps->neg;
        if (r == 0)
            negate(qp, base);
    }
    ps->depth--;
    return r;
}

/* unary ("AND" unary)* */
static int p_group(parser_t *ps, const char *what)
{
    size_t base = ps->qp->n_items;
    if (p_unary(ps, what) < 0)
        return -1;
    bool joined = false;
    while (peek(ps)->type == LX_AND) {
        ps->at++;
        if (p_unary(ps, "AND") < 0)
            return -1;
        joined = true;
    }
    return joined ? combine_and(ps, base, false) : 0;
}

/* group group*, joined by the default op */
static int p_and(parser_t *ps, const char *what)
{
    size_t base = ps->qp->n_items;
    if (p_group(ps, what) < 0)
        return -1;
    while (starts_unary(peek(ps)->type))
        if (p_group(ps, NULL) < 0)
            return -1;
    return combine_and(ps, base, ps->op_or);
}

static int p_or(parser_t *ps, const char *what)
{
    size_t base = ps->qp->n_items;
    if (p_and(ps, what) < 0)
        return -1;
    bool joined = false;
    while (peek(ps)->type == LX_OR) {
        ps->at++;
        if (p_and(ps, "OR") < 0)
            return -1;
        joined = true;
    }
    return joined ? combine_or(ps, base) : 0;
}

/* ---- Entry points ------------------------------------------------------- */

static void drop_items(urb_qparser_t *qp)
{
    for (size_t i = 0; i < qp->n_items; i++)
        urb_xquery_free(qp->items[i].q);
    qp->n_items = 0;
}

urb_qparser_t *urb_qparser_new(const char *langs)
{
    urb_qparser_t *qp = calloc(1, sizeof *qp);
    if (!qp || !(qp->tz = urb_tokenizer_new()))
        goto fail;
    size_t n = 0;
    for (const char *p = langs; p && *p; p++)
        n += *p == ',';
    n += langs && *langs;
    qp->langs = calloc(n ? n : 1, sizeof *qp->langs);
    qp->allowed = calloc(n + 1, sizeof *qp->allowed);
    qp->exp = calloc(n ? n : 1, sizeof *qp->exp);
    qp->exp_codes = calloc(n ? n : 1, sizeof *qp->exp_codes);
    if (!qp->langs || !qp->allowed || !qp->exp || !qp->exp_codes)
        goto fail;
    for (const char *p = langs; p && *p;) {
        size_t len = strcspn(p, ",");
        const char *s = p;
        size_t sl = len;
        while (sl && is_space(*s))
            s++, sl--;
        while (sl && is_space(s[sl - 1]))
            sl--;
        p += len + (p[len] == ',');
        if (!sl || sl >= sizeof qp->langs[0].code - 1 ||
            urb_qp_lang(qp, s, sl) >= 0)
            continue;
        urb_qlang_t *l = &qp->langs[qp->n_langs];
        l->zpfx[0] = URB_PFX_STEM[0];
        for (size_t i = 0; i < sl; i++) {
            l->code[i] = (char)lower((unsigned char)s[i]);
            l->zpfx[i + 1] = (char)upper((unsigned char)s[i]);
        }
        l->stemmer = urb_stemmer_new(l->code);
        qp->allowed[qp->n_langs++] = l->code;
    }
    if (urb_qp_xl_init(qp, langs) < 0)
        goto fail;
    return qp;
fail:
    urb_qparser_free(qp);
    return NULL;
}

void urb_qparser_free(urb_qparser_t *qp)
{
    if (!qp)
        return;
    urb_tokenizer_free(qp->tz);
    for (size_t i = 0; i < qp->n_langs; i++)
        urb_stemmer_free(qp->langs[i].stemmer);
    free(qp->langs);
    free(qp->allowed);
    free(qp->lx);
    free(qp->toks);
    drop_items(qp);
    free(qp->items);
    free(qp->ptrs);
    free(qp->exp);
    free(qp->stem_off);
    urb_buf_free(&qp->arena);
    urb_buf_free(&qp->stems);
    urb_buf_free(&qp->term);
    urb_buf_free(&qp->tmp);
    free(qp->words);
    free(qp->stem_ptrs);
    free(qp->exp_codes);
    free(qp->cache);
    urb_buf_free(&qp->cache_keys);
    urb_buf_free(&qp->cache_sig);
    urb_buf_free(&qp->cache_sig_new);
    urb_buf_free(&qp->cache_fold);
    free(qp->word_ids);
    free(qp->counts);
    free(qp->matches);
    free(qp->hl);
    free(qp->cands);
    urb_buf_free(&qp->sg_strs);
    urb_buf_free(&qp->sg_prefix);
    urb_buf_free(&qp->sg_out);
    urb_buf_free(&qp->sg_tl);
    free(qp->sg_tl_at);
    urb_wtable_free(&qp->tf);
    urb_wtable_free(&qp->stems_in);
    urb_qp_xl_free(qp);
    free(qp);
}

const char *urb_qparser_errmsg(const urb_qparser_t *qp)
{
    return qp->errmsg;
}

static void reset(urb_qparser_t *qp)
{
    drop_items(qp);
    qp->n_lx = qp->n_toks = qp->n_exp = qp->n_syns = 0;
    qp->arena.len = qp->stems.len = 0;
    qp->errmsg[0] = '\0';
    qp->info = (urb_qinfo_t){0};
}

/* Points the info's words and stems into the final arena. */
static int make_info(urb_qparser_t *qp)
{
    size_t ns = qp->n_toks * qp->n_exp;
    if (URB_QGROW(qp->words, qp->cap_words, qp->n_toks) < 0 ||
        URB_QGROW(qp->stem_ptrs, qp->cap_stem_ptrs, ns) < 0)
        return -1;
    for (size_t i = 0; i < qp->n_toks; i++) {
        const struct qtok *t = &qp->toks[i];
        qp->words[i] = (urb_qword_t){qp->arena.data + t->off,
                                     t->len,
                                     t->start,
                                     t->end,
                                     t->tflags,
                                     t->flags};
    }
    for (size_t i = 0; i < ns; i++)
        qp->stem_ptrs[i] = qp->stem_off[i] == NO_STEM
                               ? NULL
                               : qp->stems.data + qp->stem_off[i];
    for (size_t l = 0; l < qp->n_exp; l++)
        qp->exp_codes[l] = qp->langs[qp->exp[l]].code;
    qp->info.words = qp->words;
    qp->info.n_words = qp->n_toks;
    qp->info.langs = qp->exp_codes;
    qp->info.n_langs = qp->n_exp;
    qp->info.stems = qp->stem_ptrs;
    qp->info.syns = qp->syns;
    qp->info.n_syns = qp->n_syns;
    return 0;
}

urb_xstatus_t urb_qparser_parse(urb_qparser_t *qp, const char *text, size_t len,
                                const urb_qopts_t *opts, urb_xquery_t **query,
                                const urb_qinfo_t **info)
{
    static const urb_qopts_t defaults = {.xl = true};
    if (!opts)
        opts = &defaults;
    *query = NULL;
    if (info)
        *info = NULL;
    reset(qp);
    if (!urb_utf8_valid(text, len, NULL))
        return urb_qp_fail(qp, URB_X_QUERY, "invalid UTF-8");
    parser_t ps = {.qp = qp,
                   .text = text,
                   .len = len,
                   .op_or = opts->op_or,
                   .st = URB_X_OK};
    if (lex(&ps) < 0 || analyse(&ps, opts) < 0)
        return ps.st;
    qp->xl = opts->xl;
    qp->prune = opts->prune;
    if (peek(&ps)->type != LX_END) {
        if (p_or(&ps, NULL) < 0)
            goto fail;
        if (peek(&ps)->type != LX_END) {
            missing(&ps, NULL);
            goto fail;
        }
        if (qp->n_items == 0) {
            syntax(&ps, "nothing to search for");
            goto fail;
        }
        if (qp->items[0].kind == K_NEG) {
            made_t m = {.n = 0};
            if (finish(&ps, 0, &m, all_but(&ps, &m, qp->items[0].q), K_POS,
                       F_NONE) < 0)
                goto fail;
        }
    }
    if (make_info(qp) < 0) {
        oom(&ps);
        goto fail;
    }
    if (qp->n_items) {
        *query = qp->items[0].q;
        qp->n_items = 0;
    }
    if (info)
        *info = &qp->info;
    qp->prune = NULL;
    return URB_X_OK;
fail:
    qp->prune = NULL;
    drop_items(qp);
    return ps.st;
}

urb_xstatus_t urb_qp_word_query(urb_qparser_t *qp, const char *w, size_t len,
                                const int *exp, size_t n_exp, urb_xquery_t **q)
{
    /* The tokens' terms go to qp->tmp, NUL-separated: the tokenizer
     * reuses its buffer, and one token is a word where several are a
     * phrase. */
    urb_buf_t *b = &qp->tmp;
    urb_token_t tk;
    size_t n = 0;
    unsigned tflags = 0;
    int r;
    *q = NULL;
    b->len = 0;
    urb_tokenizer_reset(qp->tz, w, len);
    while ((r = urb_tokenizer_next(qp->tz, &tk)) > 0) {
        if (urb_buf_append(b, tk.term, tk.term_len) < 0 ||
            urb_buf_append(b, "", 1) < 0)
            return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
        tflags = tk.flags;
        n++;
    }
    if (r < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if (n == 0)
        return URB_X_OK;
    if (n == 1) {
        *q = urb_qp_expand_word(qp, b->data, b->len - 1, tflags, 1, exp, n_exp,
                                NULL);
    } else if (URB_QGROW(qp->ptrs, qp->cap_ptrs, n) == 0) {
        const char *t = b->data;
        size_t i;
        for (i = 0; i < n; i++, t += strlen(t) + 1)
            if (!(qp->ptrs[i] =
                      term_query(qp, "", t, strlen(t), (uint32_t)i + 1)))
                break;
        if (i < n)
            free_all(qp->ptrs, i);
        else
            *q = combine_owned(URB_XOP_PHRASE, qp->ptrs, n);
    }
    return *q ? URB_X_OK : urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
}

urb_xstatus_t urb_query_filter(urb_qparser_t *qp, const char *field,
                               const char *value, size_t len, urb_xquery_t **q)
{
    *q = NULL;
    qp->errmsg[0] = '\0';
    int f = field_of(field, strlen(field));
    if (f == F_NONE || fields[f].text)
        return urb_qp_fail(qp, URB_X_QUERY, "unknown filter: %s", field);
    if (!urb_utf8_valid(value, len, NULL))
        return urb_qp_fail(qp, URB_X_QUERY, "invalid UTF-8");
    parser_t ps = {.qp = qp, .text = value, .len = len, .st = URB_X_OK};
    struct qlexeme lx = {.type = LX_FIELD, .field = f, .end = len};
    drop_items(qp);
    if (len == 0)
        return urb_qp_fail(qp, URB_X_QUERY, "%s: without a value", field);
    if (build_filter(&ps, &lx) < 0)
        return ps.st;
    *q = qp->items[0].q;
    qp->n_items = 0;
    return URB_X_OK;
}

/* ---- Spelling correction ------------------------------------------------ */

static size_t count_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Is the folded word in the index, as a word or as a stem? */
static urb_xstatus_t known(urb_qparser_t *qp, urb_xdb_t *db, const char *w,
                           size_t n, bool *found)
{
    uint32_t freq = 0;
    urb_xstatus_t st = urb_xdb_termfreq(db, w, n, &freq);
    *found = freq > 0;
    for (size_t l = 0; l < qp->n_langs && st == URB_X_OK && !*found; l++) {
        if (!qp->langs[l].stemmer)
            continue;
        size_t sl;
        const char *s = urb_stem(qp->langs[l].stemmer, w, n, &sl);
        if (!s || set_term(qp, qp->langs[l].zpfx, s, sl) < 0)
            return URB_X_NOMEM;
        st = urb_xdb_termfreq(db, qp->term.data, qp->term.len, &freq);
        *found = freq > 0;
    }
    return st;
}

/* Is the folded word w a word of language l: do its reports hold its stem? */
static urb_xstatus_t in_language(urb_qparser_t *qp, urb_xdb_t *db, int l,
                                 const char *w, bool *yes)
{
    uint32_t freq = 0;
    size_t sl;
    const char *s = urb_stem(qp->langs[l].stemmer, w, strlen(w), &sl);
    if (!s || set_term(qp, qp->langs[l].zpfx, s, sl) < 0)
        return URB_X_NOMEM;
    urb_xstatus_t st = urb_xdb_termfreq(db, qp->term.data, qp->term.len, &freq);
    *yes = freq > 0;
    return st;
}

urb_xstatus_t urb_query_correct(urb_qparser_t *qp, urb_xdb_t *db,
                                const char *text, size_t len, const char *lang,
                                char **corrected)
{
    *corrected = NULL;
    reset(qp);
    if (!urb_utf8_valid(text, len, NULL))
        return URB_X_OK;
    parser_t ps = {.qp = qp, .text = text, .len = len, .st = URB_X_OK};
    if (lex(&ps) < 0)
        return ps.st == URB_X_NOMEM ? ps.st : URB_X_OK;
    int only = lang && *lang ? urb_qp_lang(qp, lang, strlen(lang)) : -1;
    if (only >= 0 && !qp->langs[only].stemmer)
        only = -1;
    urb_buf_t *out = &qp->tmp;
    urb_xstatus_t st = URB_X_OK;
    size_t done = 0;
    out->len = 0;
    for (size_t i = 0; i < qp->n_toks && st == URB_X_OK; i++) {
        const struct qtok *t = &qp->toks[i];
        size_t letters = count_chars(text + t->start, t->end - t->start);
        bool found;
        char *sug = NULL;
        if ((t->tflags & (URB_TOK_NGRAM | URB_TOK_NUMBER)) ||
            (t->flags & URB_QW_PREFIX) || letters < 4)
            continue;
        if ((st = known(qp, db, tok_term(qp, i), t->len, &found)) != URB_X_OK ||
            found)
            continue;
        st = urb_xdb_spelling(db, tok_term(qp, i), letters <= 6 ? 1 : 2, &sug);
        bool ok = st == URB_X_OK && sug && strcmp(sug, tok_term(qp, i)) != 0;
        if (ok && only >= 0)
            st = in_language(qp, db, only, sug, &ok);
        if (st == URB_X_OK && ok) {
            if (urb_buf_append(out, text + done, t->start - done) < 0 ||
                urb_buf_append(out, sug, strlen(sug)) < 0)
                st = URB_X_NOMEM;
            done = t->end;
        }
        free(sug);
    }
    if (st != URB_X_OK) {
        const char *msg =
            st == URB_X_NOMEM ? "out of memory" : urb_xdb_errmsg(db);
        return urb_qp_fail(qp, st, "%s", msg ? msg : urb_xstatus_str(st));
    }
    if (done == 0)
        return URB_X_OK;
    if (urb_buf_append(out, text + done, len - done) < 0 ||
        !(*corrected = malloc(out->len + 1)))
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    memcpy(*corrected, out->data, out->len);
    (*corrected)[out->len] = '\0';
    return URB_X_OK;
}
