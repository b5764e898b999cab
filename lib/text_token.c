/* text_token.c — breaking text into words; the rules are in text.h.
 *
 * One pass over the source. Spaced scripts give maximal runs of letters,
 * marks and digits; Han, kana and Hangul give one token per character
 * (a grapheme cluster, so dakuten and conjoining jamo stay on); Thai runs
 * go to libthai's dictionary. Buffers live in the tokenizer and grow.
 */
#include "text_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <thai/thbrk.h>
#include <thai/thwchar.h>
#include <utf8proc.h>

/* Words longer than this in the source are not folded: their term would
 * be over URB_TERM_MAX unless most of it were marks or ignorables. */
#define WORD_SOURCE_MAX (8 * URB_TERM_MAX)

/* Character classes. */
enum {
    C_SEP,   /* between words: spaces, punctuation, symbols, emoji */
    C_WORD,  /* letters and non-decimal numbers of spaced scripts */
    C_DIGIT, /* decimal digits */
    C_MARK,  /* combining marks: continue a word, never start one */
    C_JOIN,  /* soft hyphen, ZWJ, ZWNJ...: likewise; folding drops them */
    C_NGRAM, /* Han, kana, Hangul: a token each */
    C_THAI,  /* Thai letters and marks: words found by libthai */
    C_UTF8   /* a byte of a multibyte sequence: decode and classify */
};

#define S C_SEP
#define W C_WORD
#define D C_DIGIT
#define U C_UTF8
#define U16 U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U
static const unsigned char byte_class[256] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x00 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x10 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x20 */
    D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S, /* 0x30 */
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x40 */
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S, /* 0x50 */
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x60 */
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S, /* 0x70 */
    U16, U16, U16, U16, U16, U16, U16, U16,          /* 0x80-0xFF */
};
#undef S
#undef W
#undef D
#undef U
#undef U16

struct urb_tokenizer {
    const char *text;
    size_t len, pos;
    urb_buf_t term; /* folded form of the current token */

    /* The Thai run being cut. Thai letters are all three bytes in UTF-8,
     * so libthai's character offsets map to bytes by multiplying. */
    ThBrk *brk;          /* libthai's breaker, loaded on the first run */
    thchar_t *tis;       /* the run in TIS-620, NUL-terminated */
    int *breaks;         /* libthai's word breaks in it */
    size_t thai_cap;     /* entries in tis and in breaks */
    size_t thai_start;   /* byte offsets of the run */
    size_t thai_end;
    size_t thai_at;      /* byte offset of its next word */
    int nbreaks, next_break;
};


void urb_tokenizer_free(urb_tokenizer_t *tz)
{
    if (!tz)
        return;
    if (tz->brk)
        th_brk_delete(tz->brk);
    free(tz->tis);
    free(tz->breaks);
    urb_buf_free(&tz->term);
    free(tz);
}

void urb_tokenizer_reset(urb_tokenizer_t *tz, const char *text, size_t len)
{
    tz->text = text;
    tz->len = len;
    tz->pos = 0;
    tz->thai_at = tz->thai_end = 0;
}

static int classify(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: {
        urb_script_t s = urb_script_of(cp);
        if (s == URB_SCRIPT_THAI)
            return C_THAI;
        return urb_script_unspaced(s) ? C_NGRAM : C_WORD;
    }
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return cp >= 0x0E00 && cp <= 0x0E7F ? C_THAI : C_MARK;
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_CF:
        /* Joiners sit inside words; the zero-width space and the bidi
         * controls sit between them. */
        return cp == 0x00AD || cp == 0x200C || cp == 0x200D ||
                       cp == 0x2060 || cp == 0xFEFF
                   ? C_JOIN
                   : C_SEP;
    default:
        return C_SEP;
    }
}

/* The classes of the two-byte characters (Latin, Greek, Cyrillic, Hebrew,
 * Arabic...), looked up once: utf8proc's property search and the script
 * search were most of tokenizing such text. */
static unsigned char class_2byte[0x800];
static pthread_once_t class_once = PTHREAD_ONCE_INIT;

static void class_init(void)
{
    for (int32_t cp = 0; cp < 0x800; cp++)
        class_2byte[cp] = (unsigned char)classify(cp);
}

urb_tokenizer_t *urb_tokenizer_new(void)
{
    pthread_once(&class_once, class_init);
    return calloc(1, sizeof(urb_tokenizer_t));
}

/* Decodes the character at pos: its class, code point and length. */
static int char_at(const urb_tokenizer_t *tz, size_t pos, int32_t *cp,
                   size_t *n)
{
    unsigned char b = (unsigned char)tz->text[pos];
    int cls = byte_class[b];
    if (cls != C_UTF8) {
        *cp = b;
        *n = 1;
        return cls;
    }
    *n = urb_utf8_decode(tz->text + pos, tz->len - pos, cp);
    return *cp < 0x800 ? class_2byte[*cp] : classify(*cp);
}

/* A spaced word from tz->pos, whose first character is a letter or digit. */
static void scan_word(urb_tokenizer_t *tz, urb_token_t *t)
{
    bool letters = false;
    int32_t prev = 0;
    t->start = tz->pos;
    t->script = URB_SCRIPT_DIGIT;
    while (tz->pos < tz->len) {
        int32_t cp;
        size_t n;
        int cls = char_at(tz, tz->pos, &cp, &n);
        if (cls == C_WORD && !letters) {
            letters = true;
            t->script = urb_script_of(cp);
        } else if (cls == C_SEP) {
            /* Catalan l·l: the dot stays inside the word. */
            int32_t next = 0;
            size_t nn;
            if (!urb__ela_dot(cp) || (prev | 0x20) != 'l')
                break;
            if (tz->pos + n < tz->len)
                char_at(tz, tz->pos + n, &next, &nn);
            if ((next | 0x20) != 'l')
                break;
        } else if (cls != C_WORD && cls != C_DIGIT && cls != C_MARK &&
                   cls != C_JOIN) {
            break;
        }
        prev = cp;
        tz->pos += n;
    }
    t->end = tz->pos;
    t->flags = letters ? 0 : URB_TOK_NUMBER;
}

/* One character of Han, kana or Hangul, with what clings to it: combining
 * marks, conjoining jamo, and the prolonged sound mark ー. */
static void scan_ngram(urb_tokenizer_t *tz, urb_token_t *t, int32_t cp,
                       size_t n)
{
    int32_t state = 0;
    t->start = tz->pos;
    t->script = urb_script_of(cp);
    t->flags = URB_TOK_NGRAM;
    tz->pos += n;
    while (tz->pos < tz->len && (tz->text[tz->pos] & 0x80)) {
        int32_t next;
        n = urb_utf8_decode(tz->text + tz->pos, tz->len - tz->pos, &next);
        if (next != 0x30FC && next != 0xFF70 &&
            utf8proc_grapheme_break_stateful(cp, next, &state))
            break;
        cp = next;
        tz->pos += n;
    }
    t->end = tz->pos;
}

static int thai_reserve(urb_tokenizer_t *tz, size_t n)
{
    if (n <= tz->thai_cap)
        return 0;
    size_t cap = tz->thai_cap ? tz->thai_cap : 64;
    while (cap < n)
        cap *= 2;
    thchar_t *tis = realloc(tz->tis, cap * sizeof *tis);
    if (!tis)
        return -1;
    tz->tis = tis;
    int *breaks = realloc(tz->breaks, cap * sizeof *breaks);
    if (!breaks)
        return -1;
    tz->breaks = breaks;
    tz->thai_cap = cap;
    return 0;
}

/* Takes the Thai run at tz->pos and asks libthai where its words break.
 * Without libthai's dictionary the whole run is one word. */
static int thai_run(urb_tokenizer_t *tz)
{
    size_t start = tz->pos, nchars = 0;
    while (tz->pos < tz->len) {
        int32_t cp;
        size_t n;
        if (char_at(tz, tz->pos, &cp, &n) != C_THAI)
            break;
        if (thai_reserve(tz, nchars + 2) < 0)
            return -1;
        tz->tis[nchars++] = th_uni2tis(cp);
        tz->pos += n;
    }
    tz->tis[nchars] = 0;
    if (!tz->brk)
        tz->brk = th_brk_new(NULL);
    tz->nbreaks = tz->brk ? th_brk_find_breaks(tz->brk, tz->tis, tz->breaks,
                                                nchars)
                          : 0;
    tz->next_break = 0;
    tz->thai_start = tz->thai_at = start;
    tz->thai_end = tz->pos;
    return 0;
}

/* The next word of the current Thai run. */
static void thai_word(urb_tokenizer_t *tz, urb_token_t *t)
{
    size_t end = tz->thai_end;
    while (tz->next_break < tz->nbreaks) {
        size_t b = tz->thai_start + 3 * (size_t)tz->breaks[tz->next_break++];
        if (b > tz->thai_at && b < tz->thai_end) {
            end = b;
            break;
        }
    }
    t->start = tz->thai_at;
    t->end = end;
    t->script = URB_SCRIPT_THAI;
    t->flags = URB_TOK_THAI;
    tz->thai_at = end;
}

/* The next candidate token: 1, 0 at the end, -1 on OOM. */
static int scan(urb_tokenizer_t *tz, urb_token_t *t)
{
    if (tz->thai_at < tz->thai_end) {
        thai_word(tz, t);
        return 1;
    }
    while (tz->pos < tz->len) {
        int32_t cp;
        size_t n;
        switch (char_at(tz, tz->pos, &cp, &n)) {
        case C_WORD:
        case C_DIGIT:
            scan_word(tz, t);
            return 1;
        case C_NGRAM:
            scan_ngram(tz, t, cp, n);
            return 1;
        case C_THAI:
            if (thai_run(tz) < 0)
                return -1;
            thai_word(tz, t);
            return 1;
        default:
            tz->pos += n;
        }
    }
    return 0;
}

int urb_tokenizer_next_raw(urb_tokenizer_t *tz, urb_token_t *tok)
{
    int r;
    while ((r = scan(tz, tok)) > 0 && tok->end - tok->start > WORD_SOURCE_MAX)
        ;
    if (r > 0) {
        tok->term = tz->text + tok->start;
        tok->term_len = tok->end - tok->start;
    }
    return r;
}

int urb_tokenizer_next(urb_tokenizer_t *tz, urb_token_t *tok)
{
    for (;;) {
        int r = urb_tokenizer_next_raw(tz, tok);
        if (r <= 0)
            return r;
        if (urb_fold(tok->term, tok->term_len, &tz->term) < 0)
            return -1;
        if (tz->term.len == 0 || tz->term.len > URB_TERM_MAX)
            continue;
        tok->term = tz->term.data;
        tok->term_len = tz->term.len;
        return 1;
    }
}
