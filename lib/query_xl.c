/* query_xl.c — the thesaurus at query time (xl): a run of plain query
 * words that is a concept's form (thesaurus.h) brings in the concept's
 * term, which the indexer gave every report holding one of its forms in
 * the report's language (schema.h: XT), weighted below the words as
 * typed, so reports in the query's own language keep the lead. One
 * posting list per concept, where expanding into every language's forms
 * read forty, phrases among them (docs/quality.md).
 *
 * A query word matches a form's word when their folded terms are equal
 * or when their stems in the form's language are: "refugees" meets the
 * English form "refugee", "Flüchtlingen" the German "Flüchtling". */
#include "query_int.h"

#include <stdlib.h>
#include <string.h>

#include "urbis/schema.h"

/* The translations' weight against the words as typed (measured with
 * tools/relevance.c on tests/relevance, docs/quality.md). */
#define XL_WEIGHT 0.5
#define XL_CONCEPTS_MAX 8 /* concepts one run of words may match */

int urb_qp_xl_init(urb_qparser_t *qp, const char *langs)
{
    qp->xl_langs = strdup(langs ? langs : "");
    return qp->xl_langs ? 0 : -1;
}

/* Gives qp the thesaurus of its languages, read on first use. */
static int attach(urb_qparser_t *qp)
{
    char err[200];
    if (!(qp->thes = urb_thes_builtin(qp->xl_langs, err, sizeof err)))
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
    free(qp->xl_langs);
    free(qp->thes_lang);
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

/* Notes the words of concept c's forms as synonyms of query word `word`,
 * for the snippets to highlight. */
static int add_syns(urb_qparser_t *qp, uint32_t c, size_t word)
{
    const urb_thes_t *t = qp->thes;
    for (uint32_t f = t->first[c]; f < t->first[c + 1]; f++)
        for (uint32_t i = 0; i < t->forms[f].n_tok; i++)
            if (add_syn(qp, &t->toks[t->forms[f].tok + i], t->forms[f].lang,
                        word) < 0)
                return -1;
    return 0;
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
    urb_xquery_t *subs[XL_CONCEPTS_MAX];
    size_t k = 0;
    urb_buf_t *b = &qp->term;
    for (; k < n_concepts; k++) {
        const char *name = qp->thes->concepts[concepts[k]];
        b->len = 0;
        if (add_syns(qp, concepts[k], word) < 0 ||
            urb_buf_append(b, URB_PFX_CONCEPT, strlen(URB_PFX_CONCEPT)) < 0 ||
            urb_buf_append(b, name, strlen(name)) < 0 ||
            !(subs[k] = urb_xquery_term(b->data, b->len, 1, pos)))
            break;
    }
    urb_xquery_t *syn =
        k < n_concepts ? NULL : urb_xquery_combine(URB_XOP_SYNONYM, subs, k, 0);
    if (syn) {
        *tr = urb_xquery_scale(syn, XL_WEIGHT);
        urb_xquery_free(syn);
    }
    for (size_t i = 0; i < k; i++)
        urb_xquery_free(subs[i]);
    *covered = best;
    return *tr ? 0 : -1;
}
