/* query_xl.c — the thesaurus at query time (xl): a run of plain query
 * words that is a concept's form (thesaurus.h) brings in the concept's
 * forms in every indexed language, as one synonym weighted below the
 * words as typed, so reports in the query's own language keep the lead.
 *
 * A query word matches a form's word when their folded terms are equal
 * or when their stems in the form's language are: "refugees" meets the
 * English form "refugee", "Flüchtlingen" the German "Flüchtling". */
#include "query_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/schema.h"

/* The translations' weight against the words as typed (measured with
 * tools/relevance.c on tests/relevance, docs/quality.md). */
#define XL_WEIGHT 0.5
#define XL_CONCEPTS_MAX 8 /* concepts one run of words may match */

/* The thesauri read so far, one per set of indexed languages: read-only,
 * shared by the parsers of the process and kept until it ends, as
 * Hunspell's dictionaries are (lang.h). Reading one stems every form,
 * tens of milliseconds: too much for each worker at each new index
 * generation, and for the first query of each. */
#define SHARED_MAX 8
static struct {
    char *langs;
    urb_thes_t *thes;
} shared[SHARED_MAX];
static size_t n_shared;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

int urb_qp_xl_init(urb_qparser_t *qp, const char *langs)
{
    qp->xl_langs = strdup(langs ? langs : "");
    return qp->xl_langs ? 0 : -1;
}

/* Gives qp the thesaurus of its languages, read on first use. */
static int attach(urb_qparser_t *qp)
{
    char err[200];
    pthread_mutex_lock(&shared_lock);
    for (size_t i = 0; i < n_shared && !qp->thes; i++)
        if (strcmp(shared[i].langs, qp->xl_langs) == 0)
            qp->thes = shared[i].thes;
    if (!qp->thes) {
        qp->thes = urb_thes_new(urb_thesaurus_text, urb_thesaurus_text_len,
                                qp->xl_langs, err, sizeof err);
        char *key = n_shared < SHARED_MAX ? strdup(qp->xl_langs) : NULL;
        if (qp->thes && key) {
            shared[n_shared].langs = key;
            shared[n_shared++].thes = qp->thes;
        } else {
            free(key);
        }
        qp->thes_owned = qp->thes && !key; /* the table is full */
    }
    pthread_mutex_unlock(&shared_lock);
    if (!qp->thes)
        return -1;
    qp->thes_lang = calloc(qp->thes->n_langs, sizeof *qp->thes_lang);
    if (!qp->thes_lang)
        return -1;
    for (size_t i = 0; i < qp->thes->n_langs; i++)
        qp->thes_lang[i] =
            urb_qp_lang(qp, qp->thes->langs[i], strlen(qp->thes->langs[i]));
    return 0;
}

void urb_qp_xl_free(urb_qparser_t *qp)
{
    if (qp->thes_owned)
        urb_thes_free(qp->thes);
    free(qp->xl_langs);
    free(qp->thes_lang);
    free(qp->xl_subs);
    free(qp->syns);
}

/* The stemmer of the thesaurus language tl, or NULL. */
static urb_stemmer_t *stemmer_of(const urb_qparser_t *qp, uint32_t tl)
{
    int l = qp->thes_lang[tl];
    return l >= 0 ? qp->langs[l].stemmer : NULL;
}

/* Does the folded query word w[0..n) match the form's word tk, of
 * thesaurus language tl? -1 on OOM. */
static int word_matches(urb_qparser_t *qp, const char *w, size_t n,
                        const urb_thes_tok_t *tk, uint32_t tl)
{
    if (n == tk->len && memcmp(w, tk->term, n) == 0)
        return 1;
    urb_stemmer_t *st = stemmer_of(qp, tl);
    if (!tk->stem || !st)
        return 0;
    size_t sl;
    const char *s = urb_stem(st, w, n, &sl);
    if (!s)
        return -1;
    return sl == tk->stem_len && memcmp(s, tk->stem, sl) == 0;
}

/* Words of terms[0..n) the form covers from the first: its length, or 0
 * when it does not match or ends inside a typed word; -1 on OOM. */
static int covers(urb_qparser_t *qp, const urb_thes_form_t *f,
                  const char *const *terms, const size_t *lens, size_t n,
                  uint32_t ends)
{
    if (f->n_tok > n || !(ends >> f->n_tok & 1))
        return 0;
    for (uint32_t i = 1; i < f->n_tok; i++) {
        int r = word_matches(qp, terms[i], lens[i], &qp->thes->toks[f->tok + i],
                             f->lang);
        if (r <= 0)
            return r;
    }
    return (int)f->n_tok;
}

/* Keeps form f's concept when it covers more words than the best so far
 * (forgetting those), or as many. */
static int consider(urb_qparser_t *qp, uint32_t f, const char *const *terms,
                    const size_t *lens, size_t n, uint32_t ends, size_t *best,
                    uint32_t *concepts, size_t *n_concepts)
{
    const urb_thes_form_t *form = &qp->thes->forms[f];
    int m = covers(qp, form, terms, lens, n, ends);
    if (m <= 0 || (size_t)m < *best)
        return m < 0 ? -1 : 0;
    if ((size_t)m > *best) {
        *best = (size_t)m;
        *n_concepts = 0;
    }
    for (size_t i = 0; i < *n_concepts; i++)
        if (concepts[i] == form->concept)
            return 0;
    if (*n_concepts == XL_CONCEPTS_MAX)
        return 0;
    concepts[*n_concepts] = form->concept;
    ++*n_concepts;
    return 0;
}

/* Looks up key and considers every form it names. */
static int lookup(urb_qparser_t *qp, const char *key, size_t len,
                  const char *const *terms, const size_t *lens, size_t n,
                  uint32_t ends, size_t *best, uint32_t *concepts,
                  size_t *n_concepts)
{
    const uint32_t *forms;
    size_t nf = urb_thes_find(qp->thes, key, len, &forms);
    for (size_t i = 0; i < nf; i++)
        if (consider(qp, forms[i], terms, lens, n, ends, best, concepts,
                     n_concepts) < 0)
            return -1;
    return 0;
}

/* Records form word tk as a synonym of query word `word` for snippets. */
static int add_syn(urb_qparser_t *qp, const urb_thes_tok_t *tk, uint32_t tl,
                   size_t word)
{
    if (URB_QGROW(qp->syns, qp->cap_syns, qp->n_syns + 1) < 0)
        return -1;
    qp->syns[qp->n_syns++] =
        (urb_qsyn_t){tk->term, tk->len,      qp->langs[qp->thes_lang[tl]].code,
                     tk->stem, tk->stem_len, word};
    return 0;
}

/* The term pfx + s[0..n). */
static urb_xquery_t *pfx_term(urb_qparser_t *qp, const char *pfx, const char *s,
                              size_t n, uint32_t pos)
{
    urb_buf_t *b = &qp->term;
    b->len = 0;
    if (urb_buf_append(b, pfx, strlen(pfx)) < 0 || urb_buf_append(b, s, n) < 0)
        return NULL;
    return urb_xquery_term(b->data, b->len, 1, pos);
}

/* The query for form f, matching reports of its language only (a word of
 * one language is often another word in another: German "UMA", Portuguese
 * "uma"): a word's stem term, which only reports of the language have;
 * else its word, or the phrase of its words, filtered by language. */
static urb_xquery_t *form_query(urb_qparser_t *qp, const urb_thes_form_t *f,
                                uint32_t pos, size_t word)
{
    const urb_thes_tok_t *tk = &qp->thes->toks[f->tok];
    const urb_qlang_t *ql = &qp->langs[qp->thes_lang[f->lang]];
    for (uint32_t i = 0; i < f->n_tok; i++)
        if (add_syn(qp, &tk[i], f->lang, word) < 0)
            return NULL;
    if (f->n_tok == 1 && tk->stem)
        return pfx_term(qp, ql->zpfx, tk->stem, tk->stem_len, pos);
    urb_xquery_t *subs[URB_XL_WORDS_MAX], *q = NULL, *lang = NULL;
    uint32_t n = f->n_tok < URB_XL_WORDS_MAX ? f->n_tok : URB_XL_WORDS_MAX, k;
    for (k = 0; k < n; k++)
        if (!(subs[k] = urb_xquery_term(tk[k].term, tk[k].len, 1, pos + k)))
            break;
    if (k == n &&
        (q = n == 1 ? subs[0]
                    : urb_xquery_combine(URB_XOP_PHRASE, subs, n, 0)) &&
        (lang = pfx_term(qp, URB_PFX_LANG, ql->code, strlen(ql->code), 0))) {
        urb_xquery_t *both[2] = {q, lang};
        urb_xquery_t *r = urb_xquery_combine(URB_XOP_FILTER, both, 2, 0);
        urb_xquery_free(lang);
        if (q != subs[0])
            urb_xquery_free(q);
        q = r;
    } else {
        if (q && q != subs[0])
            urb_xquery_free(q);
        q = NULL;
    }
    for (uint32_t i = 0; i < k; i++)
        urb_xquery_free(subs[i]);
    return q;
}

/* Is form f one word whose stem term an earlier form of its concept,
 * from `first`, already is? ("Flüchtling | Flüchtlinge": one posting list
 * to read, not two.) */
static bool same_stem_before(const urb_thes_t *t, uint32_t f, uint32_t first)
{
    const urb_thes_form_t *x = &t->forms[f];
    const urb_thes_tok_t *xt = &t->toks[x->tok];
    if (x->n_tok != 1 || !xt->stem)
        return false;
    for (uint32_t g = first; g < f; g++) {
        const urb_thes_form_t *y = &t->forms[g];
        const urb_thes_tok_t *yt = &t->toks[y->tok];
        if (y->n_tok == 1 && y->lang == x->lang && yt->stem &&
            yt->stem_len == xt->stem_len &&
            memcmp(yt->stem, xt->stem, xt->stem_len) == 0)
            return true;
    }
    return false;
}

int urb_qp_concepts(urb_qparser_t *qp, const char *const *terms,
                    const size_t *lens, size_t n, uint32_t ends, size_t word,
                    uint32_t pos, size_t *covered, urb_xquery_t **tr)
{
    uint32_t concepts[XL_CONCEPTS_MAX];
    size_t n_concepts = 0, best = 0;
    *covered = 1;
    *tr = NULL;
    if (!n)
        return 0;
    if (!qp->thes_lang && attach(qp) < 0)
        return -1;
    /* The first word's keys: its term, and its stem in each language. */
    if (lookup(qp, terms[0], lens[0], terms, lens, n, ends, &best, concepts,
               &n_concepts) < 0)
        return -1;
    for (uint32_t tl = 0; tl < qp->thes->n_langs; tl++) {
        urb_stemmer_t *st = stemmer_of(qp, tl);
        if (!st)
            continue;
        size_t sl;
        const char *s = urb_stem(st, terms[0], lens[0], &sl);
        const urb_qlang_t *ql = &qp->langs[qp->thes_lang[tl]];
        urb_buf_t *b = &qp->term;
        b->len = 0;
        if (!s || urb_buf_append(b, ql->zpfx, strlen(ql->zpfx)) < 0 ||
            urb_buf_append(b, s, sl) < 0 ||
            lookup(qp, b->data, b->len, terms, lens, n, ends, &best, concepts,
                   &n_concepts) < 0)
            return -1;
    }
    if (!n_concepts)
        return 0;
    size_t k = 0;
    for (size_t c = 0; c < n_concepts; c++) {
        uint32_t a = qp->thes->first[concepts[c]];
        uint32_t b = qp->thes->first[concepts[c] + 1];
        if (URB_QGROW(qp->xl_subs, qp->cap_xl_subs, k + (b - a)) < 0)
            goto fail;
        for (uint32_t f = a; f < b; f++) {
            if (same_stem_before(qp->thes, f, a))
                continue;
            if (!(qp->xl_subs[k] =
                      form_query(qp, &qp->thes->forms[f], pos, word)))
                goto fail;
            k++;
        }
    }
    urb_xquery_t *syn = urb_xquery_combine(URB_XOP_SYNONYM, qp->xl_subs, k, 0);
    if (syn) {
        *tr = urb_xquery_scale(syn, XL_WEIGHT);
        urb_xquery_free(syn);
    }
    for (size_t i = 0; i < k; i++)
        urb_xquery_free(qp->xl_subs[i]);
    *covered = best;
    return *tr ? 0 : -1;
fail:
    for (size_t i = 0; i < k; i++)
        urb_xquery_free(qp->xl_subs[i]);
    return -1;
}
