/* lang.h — the languages urbis knows: stemming, stopwords, identification.
 *
 * Stemmers: Snowball 2.2 through libstemmer (Debian's, which has Greek that
 * Xapian 1.4 lacks) for every language it covers; Hunspell dictionaries'
 * stemming for Polish, Ukrainian and Bulgarian, which Snowball lacks.
 * Stemmers take and give folded words (see text.h): the index and queries
 * stem the same folded form, so a query typed without diacritics still
 * meets inflected forms written with them.
 */
#ifndef URBIS_LANG_H
#define URBIS_LANG_H

#include <stdbool.h>
#include <stddef.h>

/* Every language urbis can stem, as ISO 639-1 codes, NULL-terminated. */
extern const char *const urb_lang_codes[];

/* True for a two-letter code in urb_lang_codes. */
bool urb_lang_known(const char *code);
/* English name of a code ("es" -> "Spanish"); NULL when unknown. */
const char *urb_lang_name(const char *code);

/* A stemmer for one language; not thread-safe, one per thread.
 * Returns NULL for a language without a stemmer. Caller frees. */
typedef struct urb_stemmer urb_stemmer_t;
urb_stemmer_t *urb_stemmer_new(const char *code);
void urb_stemmer_free(urb_stemmer_t *st);
/* Stem of the folded word w[0..len); the result is owned by the stemmer and
 * valid until its next call. *out_len gets its length. NULL on OOM. */
const char *urb_stem(urb_stemmer_t *st, const char *w, size_t len,
                     size_t *out_len);

/* Is the folded word a stopword of the language? */
bool urb_stopword(const char *code, const char *w, size_t len);

/* Language identification (CLD2, with a script fallback). `allowed` is a
 * NULL-terminated list of codes to choose among (NULL: any); short texts
 * are only ever given one of those. Returns a static code, or NULL when
 * the text gives no language. *confident says the guess is reliable. */
const char *urb_lang_detect(const char *text, size_t len,
                            const char *const *allowed, bool *confident);

#endif
