/* text.h — Unicode text for matching: validation, folding, tokenisation.
 *
 * Matching ignores case, normalisation form and diacritics; the original
 * text is kept for display. Every term in the index and every word of a
 * query goes through urb_fold(), so the two sides always agree.
 *
 * Folding, in order: NFKC compatibility forms (fullwidth, ligatures),
 * Unicode case folding (ß -> ss, ς -> σ), default ignorables removed (soft
 * hyphen, ZWJ), then diacritics removed where they only decorate: every
 * mark on a Latin, Greek or Arabic letter (accents, tonos, harakat, hamza:
 * أ -> ا) or on no letter at all, Hebrew niqqud and cantillation, Arabic
 * tatweel. Turkish İ becomes i. Letters with no decomposition fold too
 * (ł->l, ø->o, đ/ð->d, ħ->h, ŧ->t, æ->ae, œ->oe, ı->i, þ->th), and Catalan
 * l·l (any of the dots people type) becomes ll. Marks that carry meaning
 * are kept: Devanagari, Thai, Japanese dakuten, Cyrillic й, ї, ў, ѓ, ќ;
 * on Cyrillic only ё -> е and stress accents (а́) go. The result is NFC,
 * and folding it again changes nothing.
 *
 * No allocation per token: a tokenizer owns one buffer it reuses.
 */
#ifndef URBIS_TEXT_H
#define URBIS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest term kept, in bytes (Xapian's limit is 245 with its prefix). */
#define URB_TERM_MAX 200

typedef enum urb_script {
    URB_SCRIPT_OTHER = 0, URB_SCRIPT_LATIN, URB_SCRIPT_GREEK,
    URB_SCRIPT_CYRILLIC, URB_SCRIPT_ARMENIAN, URB_SCRIPT_HEBREW,
    URB_SCRIPT_ARABIC, URB_SCRIPT_DEVANAGARI, URB_SCRIPT_THAI,
    URB_SCRIPT_HAN, URB_SCRIPT_HIRAGANA, URB_SCRIPT_KATAKANA,
    URB_SCRIPT_HANGUL, URB_SCRIPT_DIGIT
} urb_script_t;

/* Script of one code point (Common/Inherited give URB_SCRIPT_OTHER, except
 * ASCII and fullwidth digits: URB_SCRIPT_DIGIT). By block: the Common
 * punctuation inside a script's block goes with the block. */
urb_script_t urb_script_of(int32_t cp);
/* Scripts written without spaces between words: Han, kana, Hangul, Thai. */
bool urb_script_unspaced(urb_script_t s);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF). *bad, if given, gets the first bad offset. */
bool urb_utf8_valid(const char *s, size_t len, size_t *bad);

/* Windows-1252 to UTF-8; the five undefined bytes become U+FFFD.
 * Returns a malloc'd NUL-terminated string (caller frees), NULL on OOM. */
char *urb_cp1252_to_utf8(const char *s, size_t len, size_t *out_len);

/* A NUL byte, or more than 10% control bytes other than TAB, CR, LF, FF. */
bool urb_looks_binary(const char *s, size_t len);

/* Decode one code point at s (len > 0, valid UTF-8); returns its length.
 * A byte that starts no valid sequence gives U+FFFD and length 1. */
size_t urb_utf8_decode(const char *s, size_t len, int32_t *cp);

/* A growable byte buffer, reused across calls; zero-initialise it. The
 * caller owns it and frees data with urb_buf_free(). reserve makes room
 * for `extra` more bytes and a NUL; append keeps data NUL-terminated, and
 * may append a part of the buffer itself (reserve may move it). */
typedef struct urb_buf {
    char *data;
    size_t len, cap;
} urb_buf_t;
int urb_buf_reserve(urb_buf_t *b, size_t extra); /* 0, or -1 on OOM */
int urb_buf_append(urb_buf_t *b, const char *s, size_t len);
void urb_buf_free(urb_buf_t *b);
/* Appends s[0..len) with each byte that starts no well-formed sequence
 * replaced by U+FFFD, for text from a library that may emit broken UTF-8.
 * 0, or -1 on OOM. */
int urb_buf_append_utf8(urb_buf_t *b, const char *s, size_t len);

/* s[0..n) as a malloc'd NUL-terminated string (caller frees), NULL on
 * OOM; unlike strndup, a NUL inside is copied too. */
char *urb_strndup(const char *s, size_t n);

/* a[0..an) against b[0..bn) in byte order, as Xapian sorts terms: <0, 0
 * or >0; a string sorts before the longer ones it starts. */
int urb_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);

/* 64-bit FNV-1a of p[0..n), continuing from h (URB_FNV_SEED to start):
 * for hash tables and tags, not against an adversary. */
#define URB_FNV_SEED 0xcbf29ce484222325ull
uint64_t urb_fnv1a(uint64_t h, const void *p, size_t n);

/* Folds s[0..len) (valid UTF-8) for matching into `out`, replacing its
 * contents; NUL-terminated. Returns 0, or -1 on OOM. Works on whole text
 * too (spaces and punctuation pass through folded by NFKC/casefold). */
int urb_fold(const char *s, size_t len, urb_buf_t *out);

/* Case folding and NFKC only, diacritics kept: the exact form. */
int urb_fold_case(const char *s, size_t len, urb_buf_t *out);

/* ---- Tokenizer ---------------------------------------------------------- */

enum {
    URB_TOK_NGRAM = 1, /* one character of an unspaced script (Han, kana,
                          Hangul): consecutive positions form the word */
    URB_TOK_THAI = 2,  /* a Thai word found by libthai's dictionary */
    URB_TOK_NUMBER = 4 /* digits only */
};

typedef struct urb_token {
    size_t start, end;     /* byte offsets of the word in the source */
    const char *term;      /* folded form, NUL-terminated; owned by the
                              tokenizer, valid until its next call */
    size_t term_len;
    urb_script_t script;
    unsigned flags;
} urb_token_t;

/* Words are maximal runs of letters, marks and digits; apostrophes and
 * hyphens split words (l'intégration -> l, integration), Catalan l·l does
 * not. A run also ends where the script changes between Han/kana/Hangul/
 * Thai and any other. Each character of Han/kana/Hangul is a token of its
 * own, with its dakuten, conjoining jamo or prolonged mark ー; Thai runs
 * are cut into words by libthai (a run is one word if libthai has no
 * dictionary). Symbols, emoji and punctuation are not words. Terms longer
 * than URB_TERM_MAX bytes are skipped, and so are words longer than
 * 8 * URB_TERM_MAX bytes in the source, unfolded.
 *
 * A tokenizer is for one thread at a time; keep one per thread and reuse
 * it: its buffers grow and stay, and it loads libthai's dictionary on the
 * first Thai word it meets. */
typedef struct urb_tokenizer urb_tokenizer_t;

urb_tokenizer_t *urb_tokenizer_new(void); /* NULL on OOM; caller frees */
void urb_tokenizer_free(urb_tokenizer_t *tz);
/* Starts on text[0..len) (valid UTF-8), which must outlive the walk. */
void urb_tokenizer_reset(urb_tokenizer_t *tz, const char *text, size_t len);
/* 1 with *tok filled, 0 at the end, -1 on OOM. */
int urb_tokenizer_next(urb_tokenizer_t *tz, urb_token_t *tok);
/* The same words unfolded: term is the source text[start..end), not
 * NUL-terminated, and a word whose folded form is empty or too long is
 * not skipped (fold it to know). For callers that look words up by their
 * spelling and fold only the new ones: folding is most of tokenizing. */
int urb_tokenizer_next_raw(urb_tokenizer_t *tz, urb_token_t *tok);

#endif
