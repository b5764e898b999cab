/* snippet.c — the passage of a document that best shows why it matched.
 *
 * The document is tokenized once; each token is matched against the query
 * words through a cache keyed by its spelling in the text, so a word that
 * repeats is folded and looked at once (folding, utf8proc's NFKC and case
 * folding, was most of the rest of a Greek or Cyrillic snippet's time). The cache lives on across the documents of one query
 * in one language (the hits of a page), and a token is stemmed only when
 * it begins with the first character of a query word's stem: stemming
 * (Hunspell above all) was most of a SEARCH's time, and nearly every
 * token of a text fails that test. A two-pointer sweep over the matches
 * then finds the densest window. */
#include "query_int.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 8192 /* a power of two */
#define CACHE_FILL 6144  /* distinct tokens cached before a fresh start */

typedef struct sctx {
    urb_qparser_t *qp;
    const urb_qinfo_t *info;
    size_t l;               /* the document's language in info->langs */
    urb_stemmer_t *stemmer; /* its stemmer; NULL: exact matches only */
    bool words;             /* it is in info->langs: words have stems */
    const char *lang;       /* its code, when synonyms' stems count */
} sctx_t;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Could t[0..n) stem to a query word's stem? Stems keep a word's first
 * character: Snowball only cuts endings, and Hunspell's lemmas of an
 * inflected form begin as the form does, mobile vowels and all (psa and
 * pies, dnia and dzień). The rare suppletive form (ludzie, człowiek)
 * goes unmarked in a snippet; the search itself still finds it. */
static bool may_stem_to(const sctx_t *c, const char *t, size_t n)
{
    const urb_qinfo_t *info = c->info;
    size_t k = utf8_len((unsigned char)t[0]);
    for (size_t i = 0; c->words && i < info->n_words; i++) {
        const char *ws = info->stems[i * info->n_langs + c->l];
        if (c->qp->word_ids[i] >= 0 && ws && k <= n &&
            strncmp(ws, t, k) == 0)
            return true;
    }
    for (size_t i = 0; i < info->n_syns; i++) {
        const urb_qsyn_t *y = &info->syns[i];
        if (y->stem && c->lang && strcmp(y->lang, c->lang) == 0 && k <= n &&
            k <= y->stem_len && c->qp->word_ids[y->word] >= 0 &&
            memcmp(y->stem, t, k) == 0)
            return true;
    }
    return false;
}

/* Which query word the folded token t[0..n) matches; -1: none, -2: OOM. */
static int32_t compute(const sctx_t *c, const char *t, size_t n,
                       unsigned tflags)
{
    const urb_qinfo_t *info = c->info;
    const int32_t *ids = c->qp->word_ids;
    for (size_t i = 0; i < info->n_words; i++) {
        const urb_qword_t *w = &info->words[i];
        if (ids[i] < 0)
            continue;
        if (w->flags & URB_QW_PREFIX ? n >= w->len : n == w->len)
            if (memcmp(t, w->term, w->len) == 0)
                return ids[i];
    }
    for (size_t i = 0; i < info->n_syns; i++) { /* thesaurus words */
        const urb_qsyn_t *y = &info->syns[i];
        if (ids[y->word] >= 0 && n == y->len && memcmp(t, y->term, n) == 0)
            return ids[y->word];
    }
    if (!c->stemmer || (tflags & (URB_TOK_NGRAM | URB_TOK_NUMBER)) ||
        !may_stem_to(c, t, n))
        return -1;
    size_t sl;
    const char *s = urb_stem(c->stemmer, t, n, &sl);
    if (!s)
        return -2;
    for (size_t i = 0; c->words && i < info->n_words; i++) {
        const char *ws = info->stems[i * info->n_langs + c->l];
        if (ids[i] >= 0 && ws && strncmp(ws, s, sl) == 0 && ws[sl] == '\0')
            return ids[i];
    }
    for (size_t i = 0; i < info->n_syns; i++) {
        const urb_qsyn_t *y = &info->syns[i];
        if (ids[y->word] >= 0 && y->stem && c->lang &&
            strcmp(y->lang, c->lang) == 0 && y->stem_len == sl &&
            memcmp(y->stem, s, sl) == 0)
            return ids[y->word];
    }
    return -1;
}

static void cache_clear(urb_qparser_t *qp)
{
    if (++qp->cache_gen == 0) { /* wrapped: old stamps could look current */
        memset(qp->cache, 0, CACHE_SLOTS * sizeof *qp->cache);
        qp->cache_gen = 1;
    }
    qp->cache_used = 0;
    qp->cache_keys.len = 0;
}

/* The query word an unfolded token matches, through the cache; -1: none,
 * -2: OOM. */
static int32_t match(const sctx_t *c, const urb_token_t *tk)
{
    urb_qparser_t *qp = c->qp;
    uint32_t h = (uint32_t)urb_fnv1a(URB_FNV_SEED, tk->term, tk->term_len);
    urb_qcache_slot_t *e;
    for (size_t i = h & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1)) {
        e = &qp->cache[i];
        if (e->gen != qp->cache_gen)
            break;
        if (e->hash == h && e->key_len == tk->term_len &&
            memcmp(qp->cache_keys.data + e->key_off, tk->term, tk->term_len) ==
                0)
            return e->id;
    }
    /* New spelling: fold it as urb_tokenizer_next would, and skip what
     * that skips. */
    if (urb_fold(tk->term, tk->term_len, &qp->cache_fold) < 0)
        return -2;
    int32_t id = qp->cache_fold.len == 0 || qp->cache_fold.len > URB_TERM_MAX
                     ? -1
                     : compute(c, qp->cache_fold.data, qp->cache_fold.len,
                               tk->flags);
    if (id == -2)
        return id;
    if (qp->cache_used >= CACHE_FILL) {
        cache_clear(qp);
        return id; /* e points into the old generation's probe chain */
    }
    size_t off = qp->cache_keys.len;
    if (urb_buf_append(&qp->cache_keys, tk->term, tk->term_len) < 0)
        return -2;
    *e = (urb_qcache_slot_t){qp->cache_gen, h, (uint32_t)off,
                             (uint32_t)tk->term_len, id};
    qp->cache_used++;
    return id;
}

static bool usable(const urb_qword_t *w)
{
    return !(w->flags & (URB_QW_NEG | URB_QW_STOP));
}

/* Gives each query word worth showing an id, shared by words with the
 * same term, else -1; returns how many have one. A stopword of the
 * document's language is not shown beside other words: the query may keep
 * it (its language was unsure) but marking every "of" helps no reader. */
static size_t prepare(urb_qparser_t *qp, const urb_qinfo_t *info,
                      const char *doc_lang)
{
    bool content = false;
    for (size_t i = 0; i < info->n_words && !content; i++) {
        const urb_qword_t *w = &info->words[i];
        content =
            usable(w) && !(doc_lang && urb_stopword(doc_lang, w->term, w->len));
    }
    size_t n = 0;
    for (size_t i = 0; i < info->n_words; i++) {
        const urb_qword_t *w = &info->words[i];
        int32_t id = -1;
        if (usable(w) &&
            !(content && doc_lang && urb_stopword(doc_lang, w->term, w->len))) {
            id = (int32_t)i;
            for (size_t j = 0; j < i; j++) {
                const urb_qword_t *v = &info->words[j];
                if (qp->word_ids[j] >= 0 && v->len == w->len &&
                    (v->flags & URB_QW_PREFIX) == (w->flags & URB_QW_PREFIX) &&
                    memcmp(v->term, w->term, w->len) == 0) {
                    id = qp->word_ids[j];
                    break;
                }
            }
            n++;
        }
        qp->word_ids[i] = id;
    }
    return n;
}

/* Appends to sig what decides a token's match: the document's language,
 * then each word's id, prefix flag, term and stem in that language. */
static int signature(const sctx_t *c, const char *doc_lang, urb_buf_t *sig)
{
    const urb_qinfo_t *info = c->info;
    sig->len = 0;
    if (urb_buf_append(sig, doc_lang ? doc_lang : "", doc_lang ? strlen(doc_lang) + 1 : 1) < 0)
        return -1;
    for (size_t i = 0; i < info->n_words; i++) {
        const urb_qword_t *w = &info->words[i];
        const char *ws = c->words && c->stemmer
                             ? info->stems[i * info->n_langs + c->l]
                             : NULL;
        int32_t head[2] = {c->qp->word_ids[i], (int32_t)(w->flags & URB_QW_PREFIX)};
        if (urb_buf_append(sig, (const char *)head, sizeof head) < 0 ||
            urb_buf_append(sig, w->term, w->len + 1) < 0 ||
            urb_buf_append(sig, ws ? ws : "", ws ? strlen(ws) + 1 : 1) < 0)
            return -1;
    }
    for (size_t i = 0; i < info->n_syns; i++) { /* their stems are fixed */
        const urb_qsyn_t *y = &info->syns[i];
        if (urb_buf_append(sig, (const char *)&y->word, sizeof y->word) < 0 ||
            urb_buf_append(sig, y->term, y->len + 1) < 0 ||
            urb_buf_append(sig, y->lang, strlen(y->lang) + 1) < 0)
            return -1;
    }
    return 0;
}

/* Collects the tokens of text that match a query word. The cache is kept
 * when the matching rules are those of the last call. */
static int find_matches(sctx_t *c, const char *text, size_t len,
                        const char *doc_lang)
{
    urb_qparser_t *qp = c->qp;
    if (!qp->cache && !(qp->cache = calloc(CACHE_SLOTS, sizeof *qp->cache)))
        return -1;
    if (signature(c, doc_lang, &qp->cache_sig_new) < 0)
        return -1;
    urb_buf_t *a = &qp->cache_sig, *b = &qp->cache_sig_new;
    if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0) {
        cache_clear(qp);
        urb_buf_t t = *a;
        *a = *b;
        *b = t;
    }
    urb_token_t tk;
    int r;
    urb_tokenizer_reset(qp->tz, text, len);
    while ((r = urb_tokenizer_next_raw(qp->tz, &tk)) > 0) {
        int32_t id = match(c, &tk);
        if (id == -2)
            return -1;
        if (id < 0)
            continue;
        if (URB_QGROW(qp->matches, qp->cap_matches, qp->n_matches + 1) < 0)
            return -1;
        qp->matches[qp->n_matches++] = (urb_qmatch_t){tk.start, tk.end, id};
    }
    return r;
}

/* The matches [*bi, *bj) spanning at most width bytes with the most
 * distinct words, then the most matches; the first such. */
static void best_window(urb_qparser_t *qp, size_t n_ids, size_t width,
                        size_t *bi, size_t *bj)
{
    const urb_qmatch_t *m = qp->matches;
    size_t n = qp->n_matches, j = 0, distinct = 0, best_d = 0, best_n = 0;
    memset(qp->counts, 0, n_ids * sizeof *qp->counts);
    for (size_t i = 0; i < n; i++) {
        while (j < n && (j == i || m[j].end - m[i].start <= width))
            distinct += qp->counts[m[j++].id]++ == 0;
        if (distinct > best_d || (distinct == best_d && j - i > best_n)) {
            best_d = distinct;
            best_n = j - i;
            *bi = i;
            *bj = j;
        }
        distinct -= --qp->counts[m[i].id] == 0;
    }
}

/* Moves s forward to a word start, not past limit. */
static size_t snap_start(const char *text, size_t s, size_t limit)
{
    if (s > 0 && !is_space(text[s - 1])) {
        size_t k = s;
        while (k < limit && !is_space(text[k]))
            k++;
        if (k < limit)
            s = k;
        else
            while (s < limit && ((unsigned char)text[s] & 0xC0) == 0x80)
                s++;
    }
    while (s < limit && is_space(text[s]))
        s++;
    return s;
}

/* Moves e back to a word end, not before limit. */
static size_t snap_end(const char *text, size_t len, size_t e, size_t limit)
{
    if (e < len && !is_space(text[e])) {
        size_t k = e;
        while (k > limit && !is_space(text[k - 1]))
            k--;
        if (k > limit)
            e = k - 1;
        else
            while (e > limit && ((unsigned char)text[e] & 0xC0) == 0x80)
                e--;
    }
    while (e > limit && is_space(text[e - 1]))
        e--;
    return e;
}

/* The highlights inside [s, e) from matches, neighbours merged when only
 * white space parts them. */
static int highlights(urb_qparser_t *qp, const char *text, size_t s, size_t e,
                      urb_snippet_t *snip)
{
    size_t n = 0;
    for (size_t k = 0; k < qp->n_matches; k++) {
        const urb_qmatch_t *m = &qp->matches[k];
        if (m->start < s || m->end > e)
            continue;
        if (n) {
            urb_range_t *prev = &qp->hl[n - 1];
            size_t g = prev->end;
            while (g < m->start && is_space(text[g]))
                g++;
            if (g == m->start) {
                prev->end = m->end;
                continue;
            }
        }
        if (URB_QGROW(qp->hl, qp->cap_hl, n + 1) < 0)
            return -1;
        qp->hl[n++] = (urb_range_t){m->start, m->end};
    }
    snip->hl = qp->hl;
    snip->n_hl = n;
    return 0;
}

int urb_snippet_find(urb_qparser_t *qp, const urb_qinfo_t *info,
                     const char *text, size_t len, const char *doc_lang,
                     size_t width, urb_snippet_t *snip)
{
    size_t nw = info->n_words;
    *snip = (urb_snippet_t){0};
    qp->n_matches = 0;
    if (URB_QGROW(qp->word_ids, qp->cap_word_ids, nw) < 0 ||
        URB_QGROW(qp->counts, qp->cap_counts, nw) < 0)
        return -1;
    if (prepare(qp, info, doc_lang)) {
        sctx_t c = {qp, info, 0, NULL, false, NULL};
        for (size_t l = 0; doc_lang && l < info->n_langs; l++) {
            if (strcmp(info->langs[l], doc_lang) == 0) {
                int i = urb_qp_lang(qp, doc_lang, strlen(doc_lang));
                c.l = l;
                c.stemmer = i >= 0 ? qp->langs[i].stemmer : NULL;
                c.words = true;
            }
        }
        /* A synonym's stem needs the document language's stemmer even
         * when that language is outside the expansion set. */
        int dl = doc_lang ? urb_qp_lang(qp, doc_lang, strlen(doc_lang)) : -1;
        if (dl >= 0 && info->n_syns) {
            c.lang = qp->langs[dl].code;
            if (!c.stemmer)
                c.stemmer = qp->langs[dl].stemmer;
        }
        if (find_matches(&c, text, len, doc_lang) < 0)
            return -1;
    }
    size_t ss = 0, se = 0; /* the matched span */
    if (qp->n_matches) {
        size_t bi = 0, bj = 0;
        best_window(qp, nw, width, &bi, &bj);
        ss = qp->matches[bi].start;
        se = qp->matches[bj - 1].end;
    }
    size_t s = 0, e = len;
    if (len > width) {
        size_t span = se - ss, want = span > width ? span : width;
        size_t left = (want - span) / 2;
        s = ss > left ? ss - left : 0;
        e = s + want;
        if (e > len) {
            e = len;
            s = len - want;
        }
    }
    /* Snapping never cuts into the matched span. */
    bool matched = qp->n_matches > 0;
    snip->start = snap_start(text, s, matched ? ss : e);
    snip->end = snap_end(text, len, e, matched ? se : snip->start);
    return highlights(qp, text, snip->start, snip->end, snip);
}

/* Appends text[0..n) HTML-escaped, white space runs as one space; *space
 * carries whether the last byte written was one. */
static int escape(urb_buf_t *out, const char *t, size_t n, bool *space)
{
    size_t run = 0; /* bytes to copy verbatim before t[i] */
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        size_t rl = 0;
        switch (t[i]) {
        case '&':
            rep = "&amp;", rl = 5;
            break;
        case '<':
            rep = "&lt;", rl = 4;
            break;
        case '>':
            rep = "&gt;", rl = 4;
            break;
        case '"':
            rep = "&quot;", rl = 6;
            break;
        default:
            if (is_space(t[i]))
                rep = *space ? "" : " ", rl = *space ? 0 : 1;
        }
        if (!rep) {
            run++;
            *space = false;
            continue;
        }
        if (urb_buf_append(out, t + i - run, run) < 0 ||
            urb_buf_append(out, rep, rl) < 0)
            return -1;
        run = 0;
        *space = is_space(t[i]);
    }
    return urb_buf_append(out, t + n - run, run);
}

/* Does text[a..b) hold more than white space? Scanned from b down: the
 * byte before b is nearly always text, so this is short. */
static bool has_text(const char *text, size_t a, size_t b)
{
    for (; a < b; b--)
        if (!is_space(text[b - 1]))
            return true;
    return false;
}

int urb_snippet_html(const char *text, size_t len, const urb_snippet_t *snip,
                     urb_buf_t *out)
{
    static const char ellipsis[] = "\xe2\x80\xa6"; /* … */
    bool space = false;
    size_t p = snip->start;
    if (has_text(text, 0, p) && urb_buf_append(out, ellipsis, 3) < 0)
        return -1;
    for (size_t h = 0; h < snip->n_hl; h++) {
        const urb_range_t *r = &snip->hl[h];
        if (escape(out, text + p, r->start - p, &space) < 0 ||
            urb_buf_append(out, "<b>", 3) < 0 ||
            escape(out, text + r->start, r->end - r->start, &space) < 0 ||
            urb_buf_append(out, "</b>", 4) < 0)
            return -1;
        p = r->end;
    }
    if (escape(out, text + p, snip->end - p, &space) < 0)
        return -1;
    return has_text(text, snip->end, len) ? urb_buf_append(out, ellipsis, 3)
                                          : 0;
}
