/* thesaurus.h — the cross-language thesaurus: concepts of migration and
 * inclusion (refugee, reception, housing, ...) with their words in every
 * corpus language, read from data/thesaurus.txt (built into the library
 * as urb_thesaurus_text) and looked up by the query parser.
 *
 * The file, UTF-8, one item a line; blank lines and lines starting with
 * '#' are ignored:
 *
 *   @langs ar bg ca de ...      once, before any concept: the languages
 *                               every concept must give
 *   refugee                     a concept: its name, [a-z0-9-], unique
 *   de<TAB>Flüchtling | Geflüchtete
 *                               the concept's forms in one language: words
 *                               or short phrases written as the reports
 *                               write them, separated by '|'
 *
 * Every concept gives every @langs language once; a form is not empty.
 * A malformed file is refused with the line it fails at ("line 12: ...").
 *
 * Forms are normalised as the indexer normalises text (text.h): each is
 * tokenised and folded, and each word's stem in the form's language is
 * kept, so a looked-up form is written in index terms.
 *
 * Ownership: urb_thes_new returns a thesaurus the caller frees with
 * urb_thes_free; it is read-only afterwards, so threads may share it.
 * urb_thes_builtin's are the process's, kept until it exits. Every
 * pointer a thesaurus hands out lives as long as it does.
 */
#ifndef URBIS_THESAURUS_H
#define URBIS_THESAURUS_H

#include <stddef.h>
#include <stdint.h>

/* data/thesaurus.txt, as compiled into urbis_query. */
extern const char urb_thesaurus_text[];
extern const size_t urb_thesaurus_text_len;

/* A word of a form: its folded term and its stem in the form's language
 * (NULL for a language without a stemmer, numbers and Han characters). */
typedef struct urb_thes_tok {
    const char *term;
    size_t len;
    const char *stem;
    size_t stem_len;
    unsigned tflags; /* the token's URB_TOK_* flags */
} urb_thes_tok_t;

typedef struct urb_thes_form {
    uint32_t concept;
    uint32_t lang;  /* index into urb_thes_t.langs */
    uint32_t tok;   /* its first word in urb_thes_t.toks */
    uint32_t n_tok; /* several: a phrase */
} urb_thes_form_t;

typedef struct urb_thes {
    const char *const *langs; /* the @langs codes kept */
    size_t n_langs;
    const char *const *concepts; /* names, in file order */
    const uint32_t *first;       /* concept c's forms: [first[c], first[c+1]) */
    size_t n_concepts;
    const urb_thes_form_t *forms;
    size_t n_forms;
    const urb_thes_tok_t *toks;
    /* private: the lookup keys and storage */
    struct urb_thes_priv *priv;
} urb_thes_t;

/* Reads text[0..len). `keep` is a comma-separated list of language codes
 * ("en,de"): forms in other languages are dropped, checked only for being
 * there and not empty; NULL keeps (and fully checks) every language. NULL on
 * failure, with "line N: why" (or "out of memory") in err[0..errlen). */
urb_thes_t *urb_thes_new(const char *text, size_t len, const char *keep,
                         char *err, size_t errlen);
void urb_thes_free(urb_thes_t *t);

/* The built-in thesaurus (urb_thesaurus_text) with the languages `keep`
 * (as urb_thes_new takes it), read on the first call for each `keep` and
 * shared by every later call, from any thread: reading one stems every
 * form, tens of milliseconds, too much for each indexing worker and each
 * query parser. NULL on failure, with the reason in err[0..errlen). */
const urb_thes_t *urb_thes_builtin(const char *keep, char *err, size_t errlen);

/* The forms whose first word has the index term `key`: a folded word
 * ("refugee") or a stem term as schema.h writes it ("ZDEfluchtling").
 * *forms gets indices into t->forms; returns their number. */
size_t urb_thes_find(const urb_thes_t *t, const char *key, size_t len,
                     const uint32_t **forms);

#endif
