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

/* Every language urbis knows, as ISO 639-1 codes sorted, NULL-terminated:
 * those it can stem, and others (zh, ja, ko, th, he, ...) known for
 * identification and display only. */
extern const char *const urb_lang_codes[];

/* True for a two-letter code in urb_lang_codes. */
bool urb_lang_known(const char *code);
/* English name of a code ("es" -> "Spanish"); NULL when unknown. */
const char *urb_lang_name(const char *code);
/* The known code for a language tag as documents and CLD2 write them:
 * case ignored, region and script dropped ("pt-BR", "zh_Hant", "EN"),
 * nb/nn -> no, iw -> he, ji -> yi, in -> id. A static string from
 * urb_lang_codes, or NULL for an unknown language. */
const char *urb_lang_code(const char *tag);

/* A stemmer for one language; not thread-safe, one per thread.
 * Returns NULL for a language without a stemmer (or whose Hunspell
 * dictionary is not installed). Caller frees.
 * Cheap to create: a Hunspell language loads its dictionary, once per
 * process and shared by all its stemmers, on its first urb_stem (bg 0.1 s
 * and 10 MB, pl 0.4 s and 33 MB, uk 0.7 s and 40 MB). */
typedef struct urb_stemmer urb_stemmer_t;
urb_stemmer_t *urb_stemmer_new(const char *code);
void urb_stemmer_free(urb_stemmer_t *st);
/* Stem of the folded word w[0..len); the result is owned by the stemmer,
 * NUL-terminated and valid until its next call. *out_len gets its length.
 * Words longer than URB_TERM_MAX come back unchanged. NULL on OOM. */
const char *urb_stem(urb_stemmer_t *st, const char *w, size_t len,
                     size_t *out_len);

/* Is the folded word a stopword of the language? Only languages with a
 * stemmer have stopwords; the lists are short: function words only. */
bool urb_stopword(const char *code, const char *w, size_t len);
/* The language's stopwords, folded and sorted by bytes (static); *n gets
 * their number. NULL and 0 for a language without. */
const char *const *urb_stopwords(const char *code, size_t *n);

/* Language identification of UTF-8 text (read up to its first invalid
 * byte; the first 32 KB decide): CLD2, and the script for short text.
 * `allowed` is a NULL-terminated list of codes to choose among (NULL: any
 * known language); the answer is always one of them. Returns a static code
 * from urb_lang_codes, or NULL when the text gives none (no letters, or a
 * language not allowed). *confident, if given, says the guess is reliable:
 * CLD2 sure of a sentence or more, or a script only one allowed language
 * writes. Thread-safe. */
const char *urb_lang_detect(const char *text, size_t len,
                            const char *const *allowed, bool *confident);

#endif
