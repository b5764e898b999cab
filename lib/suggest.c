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

#include "urbis/complete.h"
#include "urbis/doc.h"
#include "urbis/schema.h"

#define SCAN_MAX 1000 /* written-form terms read per call */
#define CJK_DOCS 12    /* reports read for a CJK run's continuations */
#define CJK_BYTES 65536 /* of each report's text */
#define CJK_MORE 3     /* characters a continuation adds at most */
#define CAND_FACTOR 2 /* candidates counted per suggestion asked */
#define TERMS_DOCS 8  /* a context of so few reports is counted in their terms */
#define PHRASES URB_COMPLETE_PAIRS /* phrase candidates counted at most */

typedef struct scan {
    urb_qparser_t *qp;
    size_t seen;
    bool oom;
} scan_t;

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

/* The candidate for folded word w among the first n, by bisection: words
 * come sorted. */
static urb_qcand_t *find_cand(urb_qparser_t *qp, size_t n, const char *w,
                              size_t wl)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        urb_qcand_t *c = &qp->cands[mid];
        int r = urb_bytes_cmp(qp->sg_strs.data + c->word_off, c->word_len, w,
                              wl);
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
    urb_qcand_t *c = find_cand(qp, qp->n_cands, w, wl);
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
 * 1, or 0 when the text does not end in a word, -1 on OOM; the folded
 * word before it, if any (and not CJK), into qp->sg_strs. Adjacent
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
    qp->sg_strs.len = 0;
    while ((r = urb_tokenizer_next(qp->tz, &tk)) > 0) {
        bool ng = tk.flags & URB_TOK_NGRAM;
        if (!(ng && prev_ngram && tk.start == prev_end)) {
            qp->sg_strs.len = 0;
            if (!prev_ngram && urb_buf_append(&qp->sg_strs, b->data, b->len) < 0)
                return -1;
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

/* Words the titles and headings pair with the word before first, then
 * the most frequent, then in byte order. */
static int by_freq(const void *a, const void *b, void *arg)
{
    const urb_qcand_t *x = a, *y = b;
    const urb_qparser_t *qp = arg;
    if (x->pair != y->pair)
        return x->pair > y->pair ? -1 : 1;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return urb_bytes_cmp(qp->sg_strs.data + x->word_off, x->word_len,
                         qp->sg_strs.data + y->word_off, y->word_len);
}

static int by_count(const void *a, const void *b, void *arg)
{
    const urb_qcand_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return by_freq(a, b, arg);
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

/* The context, matched once per call: the reports it matches (all of
 * them when at most URB_SUGGEST_EXACT) or their estimated number. */
typedef struct ctxset {
    bool any;   /* a context or filter restricts the reports */
    bool known; /* docs[0..n) are all its reports, ascending */
    uint32_t docs[URB_SUGGEST_EXACT];
    size_t n;
    /* At most TERMS_DOCS reports: their terms, read once, doc d's being
     * qp->sg_tl_at[terms[d]..terms[d + 1]) in byte order. */
    bool read;
    size_t terms[TERMS_DOCS + 1];
    double est;   /* reports it matches */
    double total; /* reports in the index */
} ctxset_t;

static int by_docid(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts docs[0..*n) and drops repeats. */
static void sort_unique(uint32_t *docs, size_t *n)
{
    size_t k = 0;
    qsort(docs, *n, sizeof *docs, by_docid);
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || docs[k - 1] != docs[i])
            docs[k++] = docs[i];
    *n = k;
}

static int on_doc_term(void *ctx, const char *term, size_t len, uint32_t wdf)
{
    (void)wdf;
    scan_t *sc = ctx;
    urb_qparser_t *qp = sc->qp;
    if (URB_QGROW(qp->sg_tl_at, qp->cap_tl_at, qp->n_tl_at + 2) < 0 ||
        urb_buf_append(&qp->sg_tl, term, len) < 0) {
        sc->oom = true;
        return 1;
    }
    qp->sg_tl_at[++qp->n_tl_at] = qp->sg_tl.len;
    return 0;
}

/* Reads the terms of the context's few reports: a candidate is then
 * counted by looking its terms up in them, where opening each term's
 * posting list cost ~15 us, for a report or none. */
static urb_xstatus_t read_terms(urb_qparser_t *qp, urb_xdb_t *db, ctxset_t *cs)
{
    qp->sg_tl.len = 0;
    qp->n_tl_at = 0;
    if (URB_QGROW(qp->sg_tl_at, qp->cap_tl_at, 1) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    qp->sg_tl_at[0] = 0;
    for (size_t d = 0; d < cs->n; d++) {
        urb_xdoc_t *doc = NULL;
        scan_t sc = {qp, 0, false};
        cs->terms[d] = qp->n_tl_at;
        urb_xstatus_t st = urb_xdb_get_document(db, cs->docs[d], &doc);
        if (st != URB_X_OK)
            return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
        if ((st = urb_xdoc_termlist(doc, on_doc_term, &sc)) != URB_X_OK)
            urb_qp_xfail(qp, st, urb_xdoc_errmsg(doc));
        urb_xdoc_free(doc);
        if (st != URB_X_OK)
            return st;
        if (sc.oom)
            return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    }
    cs->terms[cs->n] = qp->n_tl_at;
    cs->read = true;
    return URB_X_OK;
}

/* Whether context report d holds term p[0..n), by bisection. */
static bool doc_has(const urb_qparser_t *qp, const ctxset_t *cs, size_t d,
                    const char *p, size_t n)
{
    size_t lo = cs->terms[d], hi = cs->terms[d + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = urb_bytes_cmp(qp->sg_tl.data + qp->sg_tl_at[mid],
                              qp->sg_tl_at[mid + 1] - qp->sg_tl_at[mid], p, n);
        if (r == 0)
            return true;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static urb_xstatus_t match_context(urb_qparser_t *qp, urb_xdb_t *db,
                                   urb_xenq_t *enq, urb_xquery_t *ctx,
                                   urb_xquery_t *filter, ctxset_t *cs)
{
    urb_xdb_stats_t dbs;
    urb_xstatus_t st = urb_xdb_stats(db, &dbs);
    if (st != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    *cs = (ctxset_t){.total = dbs.doccount ? dbs.doccount : 1};
    cs->est = cs->total;
    if (!ctx && !filter)
        return URB_X_OK;
    cs->any = true;
    urb_xquery_t *pair[2] = {ctx, filter}, *q = ctx ? ctx : filter;
    if (ctx && filter && !(q = urb_xquery_combine(URB_XOP_AND, pair, 2, 0)))
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    urb_xmset_t *ms = NULL;
    urb_xmatches_t m = {0};
    /* Estimated first from the term statistics (checking matches would
     * rank them all); its reports read only when at most a few can. */
    if ((st = urb_xenq_set_query(enq, q)) == URB_X_OK &&
        (st = urb_xenq_mset(enq, 0, 0, 0, &ms)) == URB_X_OK) {
        urb_xmset_matches(ms, &m);
        if (m.upper <= URB_SUGGEST_EXACT) {
            urb_xmset_free(ms);
            ms = NULL;
            if ((st = urb_xenq_mset(enq, 0, URB_SUGGEST_EXACT,
                                    URB_SUGGEST_EXACT, &ms)) == URB_X_OK)
                urb_xmset_matches(ms, &m);
        }
    }
    if (q != ctx && q != filter)
        urb_xquery_free(q);
    cs->est = m.estimated;
    if (st == URB_X_OK && m.upper <= URB_SUGGEST_EXACT) {
        cs->known = true;
        for (uint32_t i = 0; st == URB_X_OK && i < m.upper; i++) {
            double w;
            uint32_t id;
            if ((st = urb_xmset_item(ms, i, &id, &w)) == URB_X_OK)
                cs->docs[cs->n++] = id;
        }
        sort_unique(cs->docs, &cs->n);
    }
    urb_xmset_free(ms);
    if (st != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xenq_errmsg(enq));
    return cs->known && cs->n <= TERMS_DOCS ? read_terms(qp, db, cs) : URB_X_OK;
}

/* The index's terms a folded word is searched by, as the parser expands
 * it (the word, and its stem in each expansion language). Those the index
 * lacks are dropped by their term frequency, so they cost no posting
 * list. The terms' bytes are kept in qp->sg_out. */
#define GROUP_MAX 64
typedef struct group {
    size_t n;
    size_t off[GROUP_MAX], len[GROUP_MAX];
    uint64_t sum; /* of their frequencies */
    double est;   /* reports holding any of them, if independent */
} group_t;

/* A term to look up: of word `word` (0 or 1) of candidate `cand`. */
typedef struct gterm {
    size_t off, len;
    const char *p; /* qp->sg_out.data + off, once all are written */
    uint32_t cand, freq;
    unsigned word;
} gterm_t;

static int by_term(const void *a, const void *b)
{
    const gterm_t *x = a, *y = b;
    return urb_bytes_cmp(x->p, x->len, y->p, y->len);
}

static int by_owner(const void *a, const void *b)
{
    const gterm_t *x = a, *y = b;
    if (x->cand != y->cand)
        return x->cand < y->cand ? -1 : 1;
    if (x->word != y->word)
        return x->word < y->word ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

typedef struct gterms {
    gterm_t *v;
    size_t n, cap;
} gterms_t;

static int emit(urb_qparser_t *qp, gterms_t *gt, uint32_t cand, unsigned word,
                const char *pfx, const char *s, size_t n)
{
    urb_buf_t *b = &qp->sg_out;
    if (URB_QGROW(gt->v, gt->cap, gt->n + 1) < 0)
        return -1;
    gterm_t *t = &gt->v[gt->n++];
    *t = (gterm_t){.off = b->len, .cand = cand, .word = word};
    if (urb_buf_append(b, pfx, strlen(pfx)) < 0 || urb_buf_append(b, s, n) < 0)
        return -1;
    t->len = b->len - t->off;
    return 0;
}

/* Emits the terms of folded word w[0..wl) db holds. */
static int emit_word(urb_qparser_t *qp, urb_xdb_t *db, gterms_t *gt,
                     uint32_t cand, unsigned word, const char *w, size_t wl)
{
    urb_token_t tk;
    bool stems = true;
    urb_tokenizer_reset(qp->tz, w, wl);
    if (urb_tokenizer_next(qp->tz, &tk) > 0)
        stems = !(tk.flags & (URB_TOK_NGRAM | URB_TOK_NUMBER));
    if (emit(qp, gt, cand, word, "", w, wl) < 0)
        return -1;
    uint32_t in = stems && qp->n_exp ? urb_qp_stems_in(qp, db, w, wl) : 0;
    for (size_t l = 0; in && l < qp->n_exp; l++) {
        const urb_qlang_t *lang = &qp->langs[qp->exp[l]];
        if (!(in >> qp->exp[l] & 1))
            continue;
        size_t sl;
        const char *st = urb_stem(lang->stemmer, w, wl, &sl);
        if (!st || emit(qp, gt, cand, word, lang->zpfx, st, sl) < 0)
            return -1;
    }
    return 0;
}

/* The terms of the first n candidates, with their frequencies, sorted by
 * candidate and word. The lookups go in term order: neighbouring terms
 * share the index's blocks, which are then read once. */
static urb_xstatus_t lookup_terms(urb_qparser_t *qp, urb_xdb_t *db, size_t n,
                                  gterms_t *gt)
{
    qp->sg_out.len = 0;
    gt->n = 0;
    for (size_t i = 0; i < n; i++) {
        const urb_qcand_t *c = &qp->cands[i];
        const char *w = qp->sg_strs.data + c->word_off;
        size_t wl = c->word_len;
        for (unsigned k = 0; k < 2; k++) {
            const char *sp = c->phrase ? memchr(w, URB_PAIR_SEP, wl) : NULL;
            size_t l = sp ? (size_t)(sp - w) : wl;
            if (emit_word(qp, db, gt, (uint32_t)i, k, w, l) < 0)
                return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
            if (!sp)
                break;
            wl -= l + 1;
            w = sp + 1;
        }
    }
    for (size_t i = 0; i < gt->n; i++)
        gt->v[i].p = qp->sg_out.data + gt->v[i].off;
    qsort(gt->v, gt->n, sizeof *gt->v, by_term);
    for (size_t i = 0; i < gt->n; i++) {
        gterm_t *t = &gt->v[i];
        if (i && by_term(t - 1, t) == 0) {
            t->freq = t[-1].freq;
            continue;
        }
        urb_xstatus_t st = urb_qp_termfreq(qp, db, t->p, t->len, &t->freq);
        if (st != URB_X_OK)
            return st;
    }
    qsort(gt->v, gt->n, sizeof *gt->v, by_owner);
    return URB_X_OK;
}

/* The groups of the candidate whose terms start at gt->v[*at]; *at moves
 * past them. Returns how many words (1 or 2). */
static size_t groups_of(const gterms_t *gt, size_t *at, double total,
                        group_t g[2])
{
    size_t ng = 0, i = *at;
    uint32_t cand = gt->v[i].cand;
    g[0].n = g[1].n = 0;
    g[0].sum = g[1].sum = 0;
    g[0].est = g[1].est = 0;
    for (; i < gt->n && gt->v[i].cand == cand; i++) {
        const gterm_t *t = &gt->v[i];
        group_t *gr = &g[t->word];
        ng = t->word + 1 > ng ? t->word + 1 : ng;
        if (!t->freq || gr->n == GROUP_MAX)
            continue;
        gr->off[gr->n] = t->off;
        gr->len[gr->n++] = t->len;
        gr->sum += t->freq;
        gr->est = total - (total - gr->est) * (1 - t->freq / total);
    }
    *at = i;
    return ng;
}

/* Sets hit[i] for the reports docs[i] holding a term of g: looked up in
 * their term lists when they are the context's and those were read, else
 * by skipping along each term's posting list to them. */
static urb_xstatus_t group_mark(urb_qparser_t *qp, urb_xdb_t *db,
                                const ctxset_t *cs, const group_t *g,
                                const uint32_t *docs, size_t n, bool *hit)
{
    memset(hit, 0, n * sizeof *hit);
    if (docs == cs->docs && cs->read) {
        for (size_t d = 0; d < n; d++)
            for (size_t t = 0; t < g->n && !hit[d]; t++)
                hit[d] = doc_has(qp, cs, d, qp->sg_out.data + g->off[t],
                                 g->len[t]);
        return URB_X_OK;
    }
    for (size_t t = 0; t < g->n; t++) {
        urb_xstatus_t st = urb_xdb_mark_docs(
            db, qp->sg_out.data + g->off[t], g->len[t], docs, n, hit);
        if (st != URB_X_OK)
            return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    }
    return URB_X_OK;
}

typedef struct collect {
    uint32_t *docs;
    size_t n;
} collect_t;

static int on_doc(void *ctx, uint32_t docid)
{
    collect_t *c = ctx;
    c->docs[c->n++] = docid;
    return 0;
}

/* Reports matching the context and every group of gs[0..ng): exact when
 * the context, or without one a group, holds at most URB_SUGGEST_EXACT
 * reports (their posting lists are skipped along, not walked); else
 * estimated from the term statistics as Xapian does, as if independent. */
static urb_xstatus_t count_groups(urb_qparser_t *qp, urb_xdb_t *db,
                                  const ctxset_t *cs, const group_t *gs,
                                  size_t ng, uint32_t *count)
{
    uint32_t own[URB_SUGGEST_EXACT];
    bool hit[URB_SUGGEST_EXACT], all[URB_SUGGEST_EXACT];
    const uint32_t *docs = cs->docs;
    size_t n = cs->n, skip = ng;
    *count = 0;
    for (size_t i = 0; i < ng; i++)
        if (!gs[i].n)
            return URB_X_OK;
    if (!cs->any) {
        for (size_t i = 0; i < ng; i++)
            if (gs[i].sum <= URB_SUGGEST_EXACT &&
                (skip == ng || gs[i].sum < gs[skip].sum))
                skip = i;
        if (skip < ng) {
            collect_t c = {own, 0};
            for (size_t t = 0; t < gs[skip].n; t++) {
                urb_xstatus_t st = urb_xdb_postlist(
                    db, qp->sg_out.data + gs[skip].off[t], gs[skip].len[t],
                    on_doc, &c);
                if (st != URB_X_OK)
                    return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
            }
            sort_unique(own, &c.n);
            docs = own;
            n = c.n;
        }
    }
    if (cs->known || skip < ng) {
        for (size_t i = 0; i < n; i++)
            all[i] = true;
        for (size_t i = 0; i < ng && n; i++) {
            if (i == skip)
                continue;
            urb_xstatus_t st = group_mark(qp, db, cs, &gs[i], docs, n, hit);
            if (st != URB_X_OK)
                return st;
            for (size_t d = 0; d < n; d++)
                all[d] = all[d] && hit[d];
        }
        for (size_t d = 0; d < n; d++)
            *count += all[d];
        return URB_X_OK;
    }
    double est = cs->est;
    for (size_t i = 0; i < ng; i++)
        est *= gs[i].est / cs->total;
    *count = (uint32_t)(est + 0.5);
    return URB_X_OK;
}

/* Counts the first n candidates: each word, or both words of a phrase
 * (as the search for the suggestion matches them, not as a phrase),
 * within the context. */
static urb_xstatus_t count_all(urb_qparser_t *qp, urb_xdb_t *db,
                               const ctxset_t *cs, size_t n)
{
    gterms_t gt = {0};
    group_t g[2];
    urb_xstatus_t st = lookup_terms(qp, db, n, &gt);
    for (size_t at = 0; st == URB_X_OK && at < gt.n;) {
        urb_qcand_t *c = &qp->cands[gt.v[at].cand];
        size_t ng = groups_of(&gt, &at, cs->total, g);
        st = count_groups(qp, db, cs, g, ng, &c->count);
    }
    free(gt.v);
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
 * characters) are read from the text of the first CJK_DOCS reports
 * holding the run as a phrase (and the context, and the language), and
 * counted by how many of those have them: exact when they are all the
 * reports holding the run, else scaled to the reports Xapian estimates
 * do. Reports in index order, unranked: ranking them first doubled the
 * time. And not each candidate's phrase query: its estimate, unchecked,
 * can be 0 for a phrase of four characters dozens of reports hold. */
static urb_xstatus_t cjk_candidates(urb_qparser_t *qp, urb_xenq_t *enq,
                                    urb_xquery_t *ctx, urb_xquery_t *filter)
{
    urb_xquery_t *q;
    urb_xmset_t *ms = NULL;
    const urb_buf_t *run = &qp->sg_prefix;
    urb_xstatus_t st = in_context(qp, run->data, run->len, ctx, filter, &q);
    if (st != URB_X_OK || !q)
        return st;
    urb_xquery_t *any = urb_xquery_scale(q, 0); /* weightless: stops early */
    urb_xquery_free(q);
    if (!any)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if ((st = urb_xenq_set_query(enq, any)) == URB_X_OK)
        st = urb_xenq_mset(enq, 0, CJK_DOCS, 0, &ms);
    urb_xquery_free(any);
    urb_xmatches_t m = {0};
    uint32_t read = 0;
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
        read++;
    }
    urb_xmset_free(ms);
    if (st != URB_X_OK && st != URB_X_NOMEM)
        return urb_qp_xfail(qp, st, urb_xenq_errmsg(enq));
    for (size_t i = 0; st == URB_X_OK && i < qp->n_cands; i++) {
        urb_qcand_t *c = &qp->cands[i];
        double n = read >= m.estimated ? (double)c->freq
                                       : (double)m.estimated * c->freq / read;
        c->count = n < 1 ? 1 : (uint32_t)(n + 0.5);
    }
    return st;
}

/* ---- Completion tables (complete.h) ---- */

/* The table of `kind` (URB_META_COMPLETE_WORDS or _PAIRS) for the folded
 * last word, into *v (malloc'd), or *v NULL when it has none. */
static urb_xstatus_t table_get(urb_qparser_t *qp, urb_xdb_t *db,
                               const char *kind, char **v, size_t *len)
{
    const urb_buf_t *p = &qp->sg_prefix;
    char key[64 + URB_COMPLETE_PREFIX_MAX];
    size_t kl = strlen(kind);
    *v = NULL;
    *len = 0;
    if (p->len > URB_COMPLETE_PREFIX_MAX)
        return URB_X_OK;
    memcpy(key, kind, kl);
    memcpy(key + kl, p->data, p->len);
    key[kl + p->len] = '\0';
    urb_xstatus_t st = urb_xdb_get_metadata(db, key, v, len);
    if (st != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    if (*len == 0) {
        free(*v);
        *v = NULL;
    }
    return URB_X_OK;
}

/* A table line's fields: up to n, TAB-separated, the line ending at LF or
 * end; *p moves to the next line. How many it had. */
static size_t table_line(const char **p, const char *end, const char **f,
                         size_t *fl, size_t n)
{
    const char *eol = memchr(*p, '\n', (size_t)(end - *p));
    size_t k = 0;
    if (!eol)
        eol = end;
    for (const char *at = *p; k < n;) {
        const char *tab = memchr(at, '\t', (size_t)(eol - at));
        f[k] = at;
        fl[k++] = (size_t)((tab ? tab : eol) - at);
        if (!tab)
            break;
        at = tab + 1;
    }
    *p = eol < end ? eol + 1 : end;
    return k;
}

static uint64_t table_num(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* The words of a table as candidates, already in byte order. -1 on OOM. */
static int table_words(urb_qparser_t *qp, const char *v, size_t len)
{
    for (const char *p = v, *end = v + len; p < end;) {
        const char *f[3];
        size_t fl[3];
        if (table_line(&p, end, f, fl, 3) != 3 || !fl[1])
            continue; /* not written by complete.c */
        if (URB_QGROW(qp->cands, qp->cap_cands, qp->n_cands + 1) < 0)
            return -1;
        urb_qcand_t *c = &qp->cands[qp->n_cands++];
        *c = (urb_qcand_t){.word_len = fl[1], .freq = table_num(f[0], fl[0])};
        if (add_str(qp, f[1], fl[1], &c->word_off) < 0 ||
            (fl[2] && add_str(qp, f[2], fl[2], &c->form_off) < 0))
            return -1;
        c->form_len = fl[2] ? fl[2] : fl[1];
        if (!fl[2])
            c->form_off = c->word_off;
    }
    return 0;
}

/* The candidates from the prefix's terms: a bounded scan of the folded
 * words, then of their written forms. */
static urb_xstatus_t scan_words(urb_qparser_t *qp, urb_xdb_t *db)
{
    urb_buf_t *pfx = &qp->sg_out;
    pfx->len = 0;
    if (urb_buf_append(pfx, URB_PFX_FORM, strlen(URB_PFX_FORM)) < 0 ||
        urb_buf_append(pfx, qp->sg_prefix.data, qp->sg_prefix.len) < 0 ||
        urb_buf_append(pfx, "", 1) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    scan_t sc = {qp, 0, false};
    urb_xstatus_t st =
        urb_xdb_allterms(db, pfx->data + strlen(URB_PFX_FORM), on_word, &sc);
    if (st == URB_X_OK && !sc.oom && qp->n_cands) {
        sc.seen = 0;
        st = urb_xdb_allterms(db, pfx->data, on_form, &sc);
    }
    if (st != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    if (sc.oom)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    for (size_t i = 0; i < qp->n_cands; i++) {
        urb_qcand_t *c = &qp->cands[i];
        if (c->form_freq <= c->rest) {
            c->form_off = c->word_off;
            c->form_len = c->word_len;
        }
    }
    return URB_X_OK;
}

/* The candidates for the folded last word: from its table, else its
 * terms. */
static urb_xstatus_t word_candidates(urb_qparser_t *qp, urb_xdb_t *db)
{
    char *v;
    size_t len;
    urb_xstatus_t st = table_get(qp, db, URB_META_COMPLETE_WORDS, &v, &len);
    if (st != URB_X_OK || !v)
        return st == URB_X_OK ? scan_words(qp, db) : st;
    int r = table_words(qp, v, len);
    free(v);
    return r < 0 ? urb_qp_fail(qp, URB_X_NOMEM, "out of memory") : URB_X_OK;
}

/* ---- Phrases: the P terms of titles and headings ---- */

/* Sets qp->sg_out to prefix a[0..an), then b[0..bn), NUL-terminated. */
static int set_prefix(urb_qparser_t *qp, const char *pfx, const char *a,
                      size_t an, const char *b, size_t bn)
{
    urb_buf_t *o = &qp->sg_out;
    o->len = 0;
    return urb_buf_append(o, pfx, strlen(pfx)) < 0 ||
                   urb_buf_append(o, a, an) < 0 ||
                   urb_buf_append(o, b, bn) < 0 || urb_buf_append(o, "", 1) < 0
               ? -1
               : 0;
}

typedef struct pairs {
    urb_qparser_t *qp;
    size_t seen, skip, n_words;
    /* the most frequent pairs, for phrases: offsets into qp->sg_strs */
    size_t top, off[PHRASES], len[PHRASES];
    uint32_t freq[PHRASES];
    bool oom;
} pairs_t;

/* A pair "before word": word's candidate is one the titles pair with the
 * word before. */
static int on_next(void *ctx, const char *term, size_t len, uint32_t freq)
{
    pairs_t *ps = ctx;
    if (++ps->seen > SCAN_MAX)
        return 1;
    urb_qcand_t *c = find_cand(ps->qp, ps->n_words, term + ps->skip,
                               len - ps->skip);
    if (c)
        c->pair = freq;
    return 0;
}

/* A pair whose first word starts with the prefix: kept among the most
 * frequent. */
static int on_pair(void *ctx, const char *term, size_t len, uint32_t freq)
{
    pairs_t *ps = ctx;
    if (++ps->seen > SCAN_MAX)
        return 1;
    size_t i = ps->top;
    if (i == PHRASES) { /* replace the least frequent, the later of equals */
        i = 0;
        for (size_t j = 1; j < PHRASES; j++)
            if (ps->freq[j] < ps->freq[i] ||
                (ps->freq[j] == ps->freq[i] && ps->off[j] > ps->off[i]))
                i = j;
        if (ps->freq[i] >= freq)
            return 0;
    } else {
        ps->top++;
    }
    if (add_str(ps->qp, term + ps->skip, len - ps->skip, &ps->off[i]) < 0) {
        ps->oom = true;
        return 1;
    }
    ps->len[i] = len - ps->skip;
    ps->freq[i] = freq;
    return 0;
}

typedef struct wform {
    urb_qparser_t *qp;
    size_t seen, skip, off, len;
    uint32_t freq, sum;
    bool oom;
} wform_t;

static int on_wform(void *ctx, const char *term, size_t len, uint32_t freq)
{
    wform_t *f = ctx;
    if (++f->seen > SCAN_MAX)
        return 1;
    f->sum += freq;
    if (freq > f->freq) {
        f->freq = freq;
        f->len = len - f->skip;
        if (add_str(f->qp, term + f->skip, f->len, &f->off) < 0) {
            f->oom = true;
            return 1;
        }
    }
    return 0;
}

/* Appends the written form of the folded word at w_off in qp->sg_strs to
 * it, chosen as for a candidate (on_form): its most frequent form unlike
 * the word, when more reports write it so than as folded. */
static urb_xstatus_t append_form(urb_qparser_t *qp, urb_xdb_t *db,
                                 size_t w_off, size_t wl)
{
    char sep = URB_FORM_SEP;
    wform_t f = {.qp = qp, .skip = strlen(URB_PFX_FORM) + wl + 1};
    uint32_t freq = 0;
    size_t at = qp->sg_strs.len;
    urb_xstatus_t st = URB_X_OK;
    if (set_prefix(qp, URB_PFX_FORM, qp->sg_strs.data + w_off, wl, &sep, 1) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if ((st = urb_xdb_allterms(db, qp->sg_out.data, on_wform, &f)) == URB_X_OK)
        st = urb_xdb_termfreq(db, qp->sg_strs.data + w_off, wl, &freq);
    if (st != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    if (f.oom)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    bool form = f.freq > (freq > f.sum ? freq - f.sum : 0);
    /* The form is copied from where the scan left it, past `at`. */
    size_t from = form ? f.off : w_off, n = form ? f.len : wl;
    qp->sg_strs.len = at;
    return urb_buf_append(&qp->sg_strs, qp->sg_strs.data + from, n) < 0
               ? urb_qp_fail(qp, URB_X_NOMEM, "out of memory")
               : URB_X_OK;
}

/* Adds the phrase candidate whose folded words are at word_off in
 * qp->sg_strs and whose written form is what follows form_off there. */
static int add_phrase(urb_qparser_t *qp, size_t word_off, size_t len,
                      size_t form_off, uint64_t freq)
{
    if (URB_QGROW(qp->cands, qp->cap_cands, qp->n_cands + 1) < 0)
        return -1;
    qp->cands[qp->n_cands++] = (urb_qcand_t){
        .word_off = word_off, .word_len = len, .form_off = form_off,
        .form_len = qp->sg_strs.len - form_off, .freq = freq, .phrase = true};
    return 0;
}

/* The phrases of a table as candidates. -1 on OOM. */
static int table_phrases(urb_qparser_t *qp, const char *v, size_t len)
{
    char sep = URB_PAIR_SEP;
    for (const char *p = v, *end = v + len; p < end;) {
        const char *f[4];
        size_t fl[4], word_off, form_off;
        if (table_line(&p, end, f, fl, 4) != 4)
            continue; /* not written by complete.c */
        const char *w2 = memchr(f[1], URB_PAIR_SEP, fl[1]);
        if (!w2 || w2 == f[1] || w2 == f[1] + fl[1] - 1)
            continue;
        size_t l1 = (size_t)(w2 - f[1]), l2 = fl[1] - l1 - 1;
        if (add_str(qp, f[1], fl[1], &word_off) < 0 ||
            add_str(qp, fl[2] ? f[2] : f[1], fl[2] ? fl[2] : l1, &form_off) < 0 ||
            urb_buf_append(&qp->sg_strs, &sep, 1) < 0 ||
            urb_buf_append(&qp->sg_strs, fl[3] ? f[3] : w2 + 1,
                           fl[3] ? fl[3] : l2) < 0 ||
            add_phrase(qp, word_off, fl[1], form_off,
                       table_num(f[0], fl[0])) < 0)
            return -1;
    }
    return 0;
}

/* The most frequent pairs starting with the prefix, from a bounded scan
 * of the P terms, as phrase candidates: the first word written as its
 * candidate among the first n_words is, the second as append_form
 * finds. */
static urb_xstatus_t scan_phrases(urb_qparser_t *qp, urb_xdb_t *db,
                                  size_t n_words)
{
    const urb_buf_t *p = &qp->sg_prefix;
    char sep = URB_PAIR_SEP;
    pairs_t ps = {.qp = qp, .skip = strlen(URB_PFX_PAIR)};
    urb_xstatus_t st;
    if (set_prefix(qp, URB_PFX_PAIR, p->data, p->len, "", 0) < 0)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    if ((st = urb_xdb_allterms(db, qp->sg_out.data, on_pair, &ps)) != URB_X_OK)
        return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    if (ps.oom)
        return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    for (size_t i = 0; i < ps.top; i++) {
        const char *w = qp->sg_strs.data + ps.off[i];
        const char *s2 = memchr(w, URB_PAIR_SEP, ps.len[i]);
        if (!s2)
            continue;
        size_t l1 = (size_t)(s2 - w), l2 = ps.len[i] - l1 - 1;
        size_t form_off = qp->sg_strs.len;
        const urb_qcand_t *c1 = find_cand(qp, n_words, w, l1);
        if (urb_buf_append(&qp->sg_strs,
                           qp->sg_strs.data + (c1 ? c1->form_off : ps.off[i]),
                           c1 ? c1->form_len : l1) < 0 ||
            urb_buf_append(&qp->sg_strs, &sep, 1) < 0)
            return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
        if ((st = append_form(qp, db, ps.off[i] + l1 + 1, l2)) != URB_X_OK)
            return st;
        if (add_phrase(qp, ps.off[i], ps.len[i], form_off, ps.freq[i]) < 0)
            return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
    }
    return URB_X_OK;
}

/* The word before (qp->sg_strs[0..prev)) and the last word's prefix as
 * titles and headings pair them: marks the candidates among the first
 * n_words that follow the word before, and adds the most frequent pairs
 * starting with the prefix as phrase candidates ("refug" -> "refugee
 * housing"), from the prefix's table or its terms. */
static urb_xstatus_t pair_candidates(urb_qparser_t *qp, urb_xdb_t *db,
                                     size_t prev, size_t n_words)
{
    const urb_buf_t *p = &qp->sg_prefix;
    char sep = URB_PAIR_SEP;
    pairs_t ps = {.qp = qp, .n_words = n_words};
    urb_xstatus_t st = URB_X_OK;
    if (prev) {
        ps.skip = strlen(URB_PFX_PAIR) + prev + 1;
        if (set_prefix(qp, URB_PFX_PAIR, qp->sg_strs.data, prev, &sep, 1) < 0 ||
            urb_buf_append(&qp->sg_out, p->data, p->len + 1) < 0)
            return urb_qp_fail(qp, URB_X_NOMEM, "out of memory");
        qp->sg_out.len--;
        if ((st = urb_xdb_allterms(db, qp->sg_out.data, on_next, &ps)) != URB_X_OK)
            return urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
    }
    size_t chars = 0;
    int32_t cp;
    for (size_t at = 0, k; (k = utf8_next(p->data + at, p->len - at, &cp));
         at += k)
        chars++;
    if (chars < URB_COMPLETE_PAIR_CHARS)
        return URB_X_OK;
    char *v;
    size_t len;
    if ((st = table_get(qp, db, URB_META_COMPLETE_PAIRS, &v, &len)) != URB_X_OK)
        return st;
    if (!v)
        return scan_phrases(qp, db, n_words);
    int r = table_phrases(qp, v, len);
    free(v);
    return r < 0 ? urb_qp_fail(qp, URB_X_NOMEM, "out of memory") : URB_X_OK;
}

/* The earlier text as context: its query, and qp->exp set to its
 * expansion languages. Text that does not parse leaves no context and the
 * expansion of an empty query (lang, or every indexed language). */
static urb_xstatus_t context(urb_qparser_t *qp, urb_xdb_t *db,
                             const char *text, size_t len, const char *lang,
                             urb_xquery_t **ctx)
{
    urb_qopts_t o = {.lang = lang, .xl = lang == NULL,
                     .prune = urb_xdb_is_remote(db) ? NULL : db};
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

    /* Candidates: the most frequent words with this prefix. A CJK run is
     * completed from report text (cjk_candidates), not from terms, which
     * hold one character each. */
    size_t prev = qp->sg_strs.len;
    qp->n_cands = 0;
    urb_xstatus_t st = ngram ? URB_X_OK : word_candidates(qp, db);
    if (st != URB_X_OK)
        return st;
    if (qp->n_cands == 0 && !ngram)
        return URB_X_OK;
    size_t n_words = qp->n_cands;
    if (n_words && (st = pair_candidates(qp, db, prev, n_words)) != URB_X_OK)
        return st;
    if (n_words)
        qsort_r(qp->cands, n_words, sizeof *qp->cands, by_freq, qp);
    size_t keep = n_words / CAND_FACTOR < limit ? n_words : CAND_FACTOR * limit;
    /* The phrases are counted after the words kept. */
    for (size_t i = n_words; i < qp->n_cands; i++, keep++) {
        urb_qcand_t t = qp->cands[keep];
        qp->cands[keep] = qp->cands[i];
        qp->cands[i] = t;
    }

    /* Count each against the context. */
    urb_xquery_t *ctx = NULL, *filter = NULL;
    urb_xenq_t *enq = NULL;
    if ((st = context(qp, db, text, ws, lang, &ctx)) != URB_X_OK)
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
        urb_qp_xfail(qp, st, urb_xdb_errmsg(db));
        goto done;
    }
    if (ngram) {
        if ((st = cjk_candidates(qp, enq, ctx, filter)) != URB_X_OK ||
            qp->n_cands == 0)
            goto done;
        keep = qp->n_cands; /* counted as they were read */
    } else {
        ctxset_t cs;
        if ((st = match_context(qp, db, enq, ctx, filter, &cs)) == URB_X_OK)
            st = count_all(qp, db, &cs, keep);
    }
    if (st != URB_X_OK)
        goto done;
    qsort_r(qp->cands, keep, sizeof *qp->cands, by_count, qp);

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
