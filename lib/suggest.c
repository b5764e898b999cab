/* suggest.c — search-as-you-type completion of the last word.
 *
 * Candidates come from a bounded prefix scan of the folded words; the
 * written-form terms (schema.h: "W" folded "\x1f" form, only for forms
 * unlike the folded word) sort the same way, so a second scan gives each
 * candidate its other forms. The most frequent candidates are then
 * counted against the earlier text, parsed once. */
#include "query_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/doc.h"
#include "urbis/schema.h"

#define SCAN_MAX 1000 /* written-form terms read per call */
#define CJK_DOCS 20    /* reports read for a CJK run's continuations */
#define CJK_BYTES 65536 /* of each report's text */
#define CJK_MORE 3     /* characters a continuation adds at most */
#define CAND_FACTOR 2 /* candidates counted per suggestion asked */

typedef struct scan {
    urb_qparser_t *qp;
    size_t seen;
    bool oom;
} scan_t;

/* A failing call's message, or its status's name. */
static const char *why(const char *msg, urb_xstatus_t st)
{
    return msg && *msg ? msg : urb_xstatus_str(st);
}

static int add_str(urb_qparser_t *qp, const char *s, size_t n, size_t *off)
{
    *off = qp->sg_strs.len;
    return urb_buf_append(&qp->sg_strs, s, n);
}

/* One folded word term: a candidate whose written form is the word itself
 * until a written-form term outnumbers it. One-character words of
 * alphabetic scripts are left out, as the indexer leaves out their forms;
 * a character of an unspaced script (3 bytes and more) stays. */
static int on_word(void *ctx, const char *term, size_t len, uint32_t freq)
{
    scan_t *sc = ctx;
    urb_qparser_t *qp = sc->qp;
    if (++sc->seen > SCAN_MAX)
        return 1;
    if (len == 1 || (len == 2 && (unsigned char)term[0] >= 0xC0))
        return 0;
    if (URB_QGROW(qp->cands, qp->cap_cands, qp->n_cands + 1) < 0)
        goto oom;
    urb_qcand_t *c = &qp->cands[qp->n_cands++];
    *c = (urb_qcand_t){.word_len = len, .form_len = len, .freq = freq,
                       .rest = freq};
    if (add_str(qp, term, len, &c->word_off) < 0)
        goto oom;
    c->form_off = c->word_off;
    return 0;
oom:
    sc->oom = true;
    return 1;
}

/* The candidate for folded word w, by bisection: words come sorted. */
static urb_qcand_t *find_cand(urb_qparser_t *qp, const char *w, size_t wl)
{
    size_t lo = 0, hi = qp->n_cands;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        urb_qcand_t *c = &qp->cands[mid];
        size_t n = c->word_len < wl ? c->word_len : wl;
        int r = memcmp(qp->sg_strs.data + c->word_off, w, n);
        if (r == 0)
            r = c->word_len < wl ? -1 : c->word_len > wl;
        if (r == 0)
            return c;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* One written-form term, which the indexer writes only for a form unlike
 * its folded word: the candidate's reports not counted in any such form
 * (an estimate, as a report may hold several forms) write the word as
 * folded. */
static int on_form(void *ctx, const char *term, size_t len, uint32_t freq)
{
    scan_t *sc = ctx;
    urb_qparser_t *qp = sc->qp;
    if (++sc->seen > SCAN_MAX)
        return 1;
    const char *w = term + 1, *sep = memchr(w, URB_FORM_SEP, len - 1);
    if (!sep || sep == w || sep == term + len - 1)
        return 0;
    size_t wl = (size_t)(sep - w), fl = len - wl - 2;
    urb_qcand_t *c = find_cand(qp, w, wl);
    if (!c)
        return 0;
    c->rest = c->rest > freq ? c->rest - freq : 0;
    if (freq > c->form_freq) {
        c->form_freq = freq;
        c->form_len = fl;
        if (add_str(qp, sep + 1, fl, &c->form_off) < 0) {
            sc->oom = true;
            return 1;
        }
    }
    return 0;
}

/* The folded last word of text into qp->sg_prefix and where it starts:
 * 1, or 0 when the text does not end in a word, -1 on OOM. Adjacent
 * CJK characters form one run. Thai, segmented into indexed words, keeps
 * its last word alone: the run's earlier words become context, so the
 * completed text still reads as the whole run. */
static int last_word(urb_qparser_t *qp, const char *text, size_t len,
                     size_t *start, bool *ngram)
{
    urb_buf_t *b = &qp->sg_prefix;
    urb_token_t tk;
    size_t prev_end = SIZE_MAX;
    bool prev_ngram = false;
    int r;
    b->len = 0;
    urb_tokenizer_reset(qp->tz, text, len);
    while ((r = urb_tokenizer_next(qp->tz, &tk)) > 0) {
        bool ng = tk.flags & URB_TOK_NGRAM;
        if (!(ng && prev_ngram && tk.start == prev_end)) {
            b->len = 0;
            *start = tk.start;
        }
        *ngram = ng;
        if (urb_buf_append(b, tk.term, tk.term_len) < 0)
            return -1;
        prev_end = tk.end;
        prev_ngram = ng;
    }
    if (r < 0)
        return -1;
    return prev_end == len && b->len > 0;
}

static int by_freq(const void *a, const void *b)
{
    const urb_qcand_t *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return x->word_off < y->word_off ? -1 : x->word_off > y->word_off;
}

static int by_count(const void *a, const void *b)
{
    const urb_qcand_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return by_freq(a, b);
}

/* Reports matching q: Xapian's estimate from the term statistics, which
 * costs no posting list walk; exact by a walk when at most
 * URB_SUGGEST_EXACT can match, which is then cheap. */
static urb_xstatus_t count_matches(urb_qparser_t *qp, urb_xenq_t *enq,
                                   const urb_xquery_t *q, uint32_t *count)
{
    urb_xmset_t *ms = NULL;
    urb_xmatches_t m;
    urb_xstatus_t st = urb_xenq_set_query(enq, q);
    if (st == URB_X_OK && (st = urb_xenq_mset(enq, 0, 0, 0, &ms)) == URB_X_OK) {
        urb_xmset_matches(ms, &m);
        urb_xmset_free(ms);
        ms = NULL;
        if (m.upper <= URB_SUGGEST_EXACT &&
            (st = urb_xenq_mset(enq, 0, 0, URB_SUGGEST_EXACT, &ms)) == URB_X_OK)
            urb_xmset_matches(ms, &m);
    }
    urb_xmset_free(ms);
    if (st != URB_X_OK)
        return urb_qp_fail(qp, st, "%s", why(urb_xenq_errmsg(enq), st));
    *count = m.estimated;
    return URB_X_OK;
}

/* *q: word w AND ctx (AND the filter), or NULL when w has no terms. */
static urb_xstatus_t in_context(urb_qparser_t *qp, const char *w, size_t wl,
                                urb_xquery_t *ctx, urb_xquery_t *filter,
                                urb_xquery_t **q)
{
    urb_xquery_t *wq, *subs[3];
    urb_xstatus_t st = urb_qp_word_query(qp, w, wl, qp->exp, qp->n_exp, &wq);
    *q = NULL;
    if (st != URB_X_OK || !wq)
        return st;
    size_t n = 0;
    subs[n++] = wq;
    if (ctx)
        subs[n++] = ctx;
    if (filter)
        subs[n++] = filter;
    if (n == 1) {
        *q = wq;
        return URB_X_OK;
    }
    *q = urb_xquery_combine(URB_XOP_AND, subs, n, 0);
    urb_xquery_free(wq);
    return *q ? URB_X_OK : urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
}

/* Reports matching ctx AND the candidate word (AND the filter). */
static urb_xstatus_t count(urb_qparser_t *qp, urb_xenq_t *enq,
                           urb_xquery_t *ctx, urb_xquery_t *filter,
                           urb_qcand_t *c)
{
    urb_xquery_t *q;
    urb_xstatus_t st = in_context(qp, qp->sg_strs.data + c->word_off,
                                  c->word_len, ctx, filter, &q);
    c->count = 0;
    if (st == URB_X_OK && q)
        st = count_matches(qp, enq, q, &c->count);
    urb_xquery_free(q);
    return st;
}

/* A CJK code point: ideographs, kana, hangul. */
static bool is_cjk(int32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xAC00 && c <= 0xD7AF);
}

/* The code point at s (valid UTF-8) and its length; 0 at the end. */
static size_t utf8_next(const char *s, size_t n, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    size_t k = u[0] < 0x80 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
    if (k > n)
        return 0;
    int32_t c = k == 1 ? u[0] : u[0] & (0x3F >> (k - 1));
    for (size_t i = 1; i < k; i++)
        c = (c << 6) | (u[i] & 0x3F);
    *cp = c;
    return k;
}

/* Adds run+more as a candidate, or one more report to it. `doc` is the
 * report's rank; c->rest, unused for CJK (it has no written forms), holds
 * the last report's rank + 1 so a report counts once per candidate. */
static int cjk_add(urb_qparser_t *qp, const char *more, size_t n, uint32_t doc)
{
    const urb_buf_t *run = &qp->sg_prefix;
    size_t len = run->len + n;
    for (size_t i = 0; i < qp->n_cands; i++) {
        urb_qcand_t *c = &qp->cands[i];
        if (c->word_len == len &&
            memcmp(qp->sg_strs.data + c->word_off + run->len, more, n) == 0) {
            if (c->rest != doc + 1)
                c->freq++;
            c->rest = doc + 1;
            return 0;
        }
    }
    if (URB_QGROW(qp->cands, qp->cap_cands, qp->n_cands + 1) < 0)
        return -1;
    urb_qcand_t *c = &qp->cands[qp->n_cands];
    *c = (urb_qcand_t){.word_len = len, .form_len = len, .freq = 1, .rest = doc + 1};
    if (add_str(qp, run->data, run->len, &c->word_off) < 0 ||
        urb_buf_append(&qp->sg_strs, more, n) < 0)
        return -1;
    c->form_off = c->word_off;
    qp->n_cands++;
    return 0;
}

/* CJK is indexed a character a term, so no term starts with a run of
 * several characters: the run's continuations (one to three more CJK
 * characters) are read from the text of the best reports holding the run
 * as a phrase (and the context, and the language), and ranked by how many
 * of those reports have them. */
static urb_xstatus_t cjk_candidates(urb_qparser_t *qp, urb_xenq_t *enq,
                                    urb_xquery_t *ctx, urb_xquery_t *filter)
{
    urb_xquery_t *q;
    urb_xmset_t *ms = NULL;
    const urb_buf_t *run = &qp->sg_prefix;
    urb_xstatus_t st = in_context(qp, run->data, run->len, ctx, filter, &q);
    if (st != URB_X_OK || !q)
        return st;
    if ((st = urb_xenq_set_query(enq, q)) == URB_X_OK)
        st = urb_xenq_mset(enq, 0, CJK_DOCS, 0, &ms);
    urb_xquery_free(q);
    urb_xmatches_t m = {0};
    if (st == URB_X_OK)
        urb_xmset_matches(ms, &m);
    for (uint32_t i = 0; st == URB_X_OK && i < CJK_DOCS && i < m.estimated; i++) {
        urb_xdoc_t *doc = NULL;
        const char *data;
        size_t dlen;
        urb_report_t r;
        if (urb_xmset_document(ms, i, &doc) != URB_X_OK ||
            urb_xdoc_get_data(doc, &data, &dlen) != URB_X_OK ||
            urb_report_decode(data, dlen, &r) < 0) {
            urb_xdoc_free(doc);
            break; /* fewer hits than estimated, or a bad record: stop */
        }
        const char *t = r.text.p;
        size_t tn = r.text.n < CJK_BYTES ? r.text.n : CJK_BYTES;
        for (const char *p = t; st == URB_X_OK && (size_t)(p - t) + run->len <= tn;) {
            p = memmem(p, tn - (size_t)(p - t), run->data, run->len);
            if (!p)
                break;
            p += run->len;
            size_t more = 0, k;
            int32_t cp;
            for (int c = 0; c < CJK_MORE; c++) {
                k = utf8_next(p + more, tn - (size_t)(p - t) - more, &cp);
                if (!k || !is_cjk(cp))
                    break;
                more += k;
                if (cjk_add(qp, p, more, i) < 0) {
                    st = urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
                    break;
                }
            }
        }
        urb_xdoc_free(doc);
    }
    urb_xmset_free(ms);
    if (st != URB_X_OK && st != URB_X_NOMEM)
        return urb_qp_fail(qp, st, "%s", why(urb_xenq_errmsg(enq), st));
    return st;
}

/* The earlier text as context: its query, and qp->exp set to its
 * expansion languages. Text that does not parse leaves no context and the
 * expansion of an empty query (lang, or every indexed language). */
static urb_xstatus_t context(urb_qparser_t *qp, const char *text, size_t len,
                             const char *lang, urb_xquery_t **ctx)
{
    urb_qopts_t o = {lang, false, lang == NULL};
    urb_xstatus_t st = urb_qparser_parse(qp, text, len, &o, ctx, NULL);
    if (st == URB_X_QUERY)
        st = urb_qparser_parse(qp, "", 0, &o, ctx, NULL);
    return st;
}

urb_xstatus_t urb_suggest(urb_qparser_t *qp, urb_xdb_t *db, const char *text,
                          size_t len, const char *lang, size_t limit,
                          urb_suggestion_t *out, size_t *n)
{
    size_t ws = 0;
    bool ngram = false;
    int r;
    *n = 0;
    qp->errmsg[0] = '\0';
    if (!urb_utf8_valid(text, len, NULL))
        return urb_qp_fail(qp, URB_X_QUERY, "invalid UTF-8");
    if ((r = last_word(qp, text, len, &ws, &ngram)) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if (r == 0 || limit == 0)
        return URB_X_OK;

    /* Candidates: the most frequent words with this prefix. */
    urb_buf_t *pfx = &qp->sg_out;
    pfx->len = 0;
    if (urb_buf_append(pfx, URB_PFX_FORM, strlen(URB_PFX_FORM)) < 0 ||
        urb_buf_append(pfx, qp->sg_prefix.data, qp->sg_prefix.len) < 0 ||
        urb_buf_append(pfx, "", 1) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    scan_t sc = {qp, 0, false};
    qp->n_cands = 0;
    qp->sg_strs.len = 0;
    /* A CJK run is completed from report text (cjk_candidates), not
     * from terms, which hold one character each. */
    urb_xstatus_t st =
        ngram ? URB_X_OK
              : urb_xdb_allterms(db, pfx->data + strlen(URB_PFX_FORM), on_word, &sc);
    if (st == URB_X_OK && !sc.oom && qp->n_cands) {
        sc.seen = 0;
        st = urb_xdb_allterms(db, pfx->data, on_form, &sc);
    }
    if (st != URB_X_OK)
        return urb_qp_fail(qp, st, "%s", why(urb_xdb_errmsg(db), st));
    if (sc.oom)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if (qp->n_cands == 0 && !ngram)
        return URB_X_OK;
    for (size_t i = 0; i < qp->n_cands; i++) {
        urb_qcand_t *c = &qp->cands[i];
        if (c->form_freq <= c->rest) {
            c->form_off = c->word_off;
            c->form_len = c->word_len;
        }
    }
    if (qp->n_cands)
        qsort(qp->cands, qp->n_cands, sizeof *qp->cands, by_freq);
    size_t keep =
        qp->n_cands / CAND_FACTOR < limit ? qp->n_cands : CAND_FACTOR * limit;

    /* Count each against the context. */
    urb_xquery_t *ctx = NULL, *filter = NULL;
    urb_xenq_t *enq = NULL;
    if ((st = context(qp, text, ws, lang, &ctx)) != URB_X_OK)
        return st;
    if (lang) {
        char t[16];
        size_t tl = (size_t)snprintf(t, sizeof t, "%s%s", URB_PFX_LANG, lang);
        for (size_t i = strlen(URB_PFX_LANG); i < tl && i < sizeof t; i++)
            if (t[i] >= 'A' && t[i] <= 'Z')
                t[i] = (char)(t[i] + 32);
        if (tl >= sizeof t || !(filter = urb_xquery_term(t, tl, 1, 0))) {
            st = urb_qp_fail(qp, tl >= sizeof t ? URB_X_INVALID : URB_X_NOMEM,
                             "bad language");
            goto done;
        }
    }
    if ((st = urb_xenq_new(db, &enq)) != URB_X_OK) {
        urb_qp_fail(qp, st, "%s", why(urb_xdb_errmsg(db), st));
        goto done;
    }
    if (ngram) {
        if ((st = cjk_candidates(qp, enq, ctx, filter)) != URB_X_OK ||
            qp->n_cands == 0)
            goto done;
        qsort(qp->cands, qp->n_cands, sizeof *qp->cands, by_freq);
        keep = qp->n_cands < CAND_FACTOR * limit ? qp->n_cands : CAND_FACTOR * limit;
    }
    for (size_t i = 0; i < keep && st == URB_X_OK; i++)
        st = count(qp, enq, ctx, filter, &qp->cands[i]);
    if (st != URB_X_OK)
        goto done;
    qsort(qp->cands, keep, sizeof *qp->cands, by_count);

    /* The texts: the earlier text as typed, then the written form. */
    urb_buf_t *b = &qp->sg_out;
    b->len = 0;
    size_t k = 0;
    for (; k < keep && k < limit && qp->cands[k].count; k++) {
        const urb_qcand_t *c = &qp->cands[k];
        out[k].len = ws + c->form_len;
        out[k].count = c->count;
        if (urb_buf_append(b, text, ws) < 0 ||
            urb_buf_append(b, qp->sg_strs.data + c->form_off, c->form_len) <
                0 ||
            urb_buf_append(b, "", 1) < 0) {
            st = urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0, off = 0; i < k; off += out[i].len + 1, i++)
        out[i].text = b->data + off;
    *n = k;
done:
    urb_xenq_free(enq);
    urb_xquery_free(filter);
    urb_xquery_free(ctx);
    return st;
}
