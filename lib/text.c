/* text.c — byte-level text: buffers, UTF-8, Windows-1252, scripts.
 *
 * Folding lives in text_fold.c and word breaking in text_token.c.
 */
#include "urbis/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- Buffers ------------------------------------------------------------ */

int urb_buf_reserve(urb_buf_t *b, size_t extra)
{
    /* One byte more than asked, so the data can always be NUL-terminated. */
    if (extra >= SIZE_MAX - b->len)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int urb_buf_append(urb_buf_t *b, const char *s, size_t len)
{
    /* s may lie inside b: find it again after a realloc moves b. */
    uintptr_t p = (uintptr_t)s, base = (uintptr_t)b->data;
    bool inside = b->data && p >= base && p < base + b->len;
    if (urb_buf_reserve(b, len) < 0)
        return -1;
    if (inside)
        s = b->data + (p - base);
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int urb_buf_append_utf8(urb_buf_t *b, const char *s, size_t len)
{
    size_t bad;
    while (!urb_utf8_valid(s, len, &bad)) {
        if (urb_buf_append(b, s, bad) < 0 ||
            urb_buf_append(b, "\xEF\xBF\xBD", 3) < 0)
            return -1;
        s += bad + 1;
        len -= bad + 1;
    }
    return urb_buf_append(b, s, len);
}

char *urb_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int urb_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;
    return r ? r : (an > bn) - (an < bn);
}

uint64_t urb_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

void urb_buf_free(urb_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Length of the well-formed sequence at p (n > 0 bytes, p[0] >= 0x80), or 0.
 * The second byte's range is what rules out overlongs (E0, F0), surrogates
 * (ED) and code points past U+10FFFF (F4), as in Unicode's table 3-7. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool urb_utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (!n) {
            if (bad)
                *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

size_t urb_utf8_decode(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    /* Callers promise valid text; a stray byte still costs only itself. */
    size_t n = utf8_seq(p, len);
    switch (n) {
    case 2:
        *cp = (int32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    case 3:
        *cp = (int32_t)(p[0] & 0x0F) << 12 | (int32_t)(p[1] & 0x3F) << 6 |
              (p[2] & 0x3F);
        return 3;
    case 4:
        *cp = (int32_t)(p[0] & 0x07) << 18 | (int32_t)(p[1] & 0x3F) << 12 |
              (int32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        return 4;
    default:
        *cp = 0xFFFD;
        return 1;
    }
}

/* ---- Legacy bytes ------------------------------------------------------- */

/* Windows-1252 0x80-0x9F; the rest of the code page is Latin-1. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

char *urb_cp1252_to_utf8(const char *s, size_t len, size_t *out_len)
{
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            out[o++] = (char)c;
        else
            o += (size_t)utf8proc_encode_char(
                c < 0xA0 ? cp1252_high[c - 0x80] : c, (uint8_t *)out + o);
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

bool urb_looks_binary(const char *s, size_t len)
{
    size_t ctl = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return true;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ||
            c == 0x7F)
            ctl++;
    }
    return ctl * 10 > len;
}

/* ---- Scripts ------------------------------------------------------------ */

typedef struct script_range {
    int32_t lo, hi;
    urb_script_t script;
} script_range_t;

/* Sorted, disjoint. Block-level where a block is one script; the Common
 * characters inside (Arabic comma, Devanagari danda) go with their block,
 * which is what word breaking and language guessing want. */
static const script_range_t script_ranges[] = {
    {0x0030, 0x0039, URB_SCRIPT_DIGIT},
    {0x0041, 0x005A, URB_SCRIPT_LATIN},
    {0x0061, 0x007A, URB_SCRIPT_LATIN},
    {0x00AA, 0x00AA, URB_SCRIPT_LATIN},
    {0x00BA, 0x00BA, URB_SCRIPT_LATIN},
    {0x00C0, 0x00D6, URB_SCRIPT_LATIN},
    {0x00D8, 0x00F6, URB_SCRIPT_LATIN},
    {0x00F8, 0x02B8, URB_SCRIPT_LATIN}, /* Latin-1, Extended-A/B, IPA */
    {0x02E0, 0x02E4, URB_SCRIPT_LATIN},
    {0x0370, 0x0373, URB_SCRIPT_GREEK},
    {0x0375, 0x037D, URB_SCRIPT_GREEK},
    {0x037F, 0x0384, URB_SCRIPT_GREEK},
    {0x0386, 0x0386, URB_SCRIPT_GREEK},
    {0x0388, 0x03E1, URB_SCRIPT_GREEK},
    {0x03F0, 0x03FF, URB_SCRIPT_GREEK},
    {0x0400, 0x052F, URB_SCRIPT_CYRILLIC},
    {0x0531, 0x058F, URB_SCRIPT_ARMENIAN},
    {0x0591, 0x05FF, URB_SCRIPT_HEBREW},
    {0x0600, 0x06FF, URB_SCRIPT_ARABIC},
    {0x0750, 0x077F, URB_SCRIPT_ARABIC},
    {0x0870, 0x08FF, URB_SCRIPT_ARABIC},
    {0x0900, 0x097F, URB_SCRIPT_DEVANAGARI},
    {0x0E00, 0x0E7F, URB_SCRIPT_THAI},
    {0x1100, 0x11FF, URB_SCRIPT_HANGUL},
    {0x1C80, 0x1C8F, URB_SCRIPT_CYRILLIC},
    {0x1D00, 0x1D25, URB_SCRIPT_LATIN},
    {0x1D26, 0x1D2A, URB_SCRIPT_GREEK},
    {0x1D2B, 0x1D2B, URB_SCRIPT_CYRILLIC},
    {0x1D2C, 0x1D5C, URB_SCRIPT_LATIN},
    {0x1D62, 0x1D65, URB_SCRIPT_LATIN},
    {0x1D6B, 0x1D77, URB_SCRIPT_LATIN},
    {0x1D79, 0x1DBE, URB_SCRIPT_LATIN},
    {0x1E00, 0x1EFF, URB_SCRIPT_LATIN}, /* Latin Extended Additional */
    {0x1F00, 0x1FFE, URB_SCRIPT_GREEK},
    {0x2071, 0x2071, URB_SCRIPT_LATIN},
    {0x207F, 0x207F, URB_SCRIPT_LATIN},
    {0x2090, 0x209C, URB_SCRIPT_LATIN},
    {0x212A, 0x212B, URB_SCRIPT_LATIN},
    {0x2132, 0x2132, URB_SCRIPT_LATIN},
    {0x214E, 0x214E, URB_SCRIPT_LATIN},
    {0x2160, 0x2188, URB_SCRIPT_LATIN},
    {0x2C60, 0x2C7F, URB_SCRIPT_LATIN},
    {0x2DE0, 0x2DFF, URB_SCRIPT_CYRILLIC},
    {0x2E80, 0x2FDF, URB_SCRIPT_HAN}, /* radicals */
    {0x3005, 0x3005, URB_SCRIPT_HAN},
    {0x3007, 0x3007, URB_SCRIPT_HAN},
    {0x3021, 0x3029, URB_SCRIPT_HAN},
    {0x3038, 0x303B, URB_SCRIPT_HAN},
    {0x3041, 0x309F, URB_SCRIPT_HIRAGANA},
    {0x30A0, 0x30FF, URB_SCRIPT_KATAKANA}, /* with the prolonged mark ー */
    {0x3131, 0x318E, URB_SCRIPT_HANGUL},
    {0x31F0, 0x31FF, URB_SCRIPT_KATAKANA},
    {0x32D0, 0x32FE, URB_SCRIPT_KATAKANA},
    {0x3300, 0x3357, URB_SCRIPT_KATAKANA},
    {0x3400, 0x4DBF, URB_SCRIPT_HAN}, /* Extension A */
    {0x4E00, 0x9FFF, URB_SCRIPT_HAN},
    {0xA640, 0xA69F, URB_SCRIPT_CYRILLIC},
    {0xA722, 0xA7FF, URB_SCRIPT_LATIN},
    {0xA8E0, 0xA8FF, URB_SCRIPT_DEVANAGARI},
    {0xA960, 0xA97F, URB_SCRIPT_HANGUL},
    {0xAB30, 0xAB5A, URB_SCRIPT_LATIN},
    {0xAB5C, 0xAB64, URB_SCRIPT_LATIN},
    {0xAC00, 0xD7FF, URB_SCRIPT_HANGUL}, /* syllables, jamo extended-B */
    {0xF900, 0xFAFF, URB_SCRIPT_HAN},    /* compatibility ideographs */
    {0xFB00, 0xFB06, URB_SCRIPT_LATIN},  /* ligatures */
    {0xFB13, 0xFB17, URB_SCRIPT_ARMENIAN},
    {0xFB1D, 0xFB4F, URB_SCRIPT_HEBREW},
    {0xFB50, 0xFDFF, URB_SCRIPT_ARABIC},
    {0xFE70, 0xFEFE, URB_SCRIPT_ARABIC},
    {0xFF10, 0xFF19, URB_SCRIPT_DIGIT},
    {0xFF21, 0xFF3A, URB_SCRIPT_LATIN}, /* fullwidth */
    {0xFF41, 0xFF5A, URB_SCRIPT_LATIN},
    {0xFF66, 0xFF9F, URB_SCRIPT_KATAKANA}, /* halfwidth */
    {0xFFA0, 0xFFDC, URB_SCRIPT_HANGUL},
    {0x1B000, 0x1B000, URB_SCRIPT_KATAKANA},
    {0x1B001, 0x1B11F, URB_SCRIPT_HIRAGANA},
    {0x20000, 0x3134F, URB_SCRIPT_HAN}, /* Extensions B-G, supplement */
};

urb_script_t urb_script_of(int32_t cp)
{
    size_t lo = 0, hi = sizeof script_ranges / sizeof script_ranges[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < script_ranges[mid].lo)
            hi = mid;
        else if (cp > script_ranges[mid].hi)
            lo = mid + 1;
        else
            return script_ranges[mid].script;
    }
    return URB_SCRIPT_OTHER;
}

bool urb_script_unspaced(urb_script_t s)
{
    return s == URB_SCRIPT_HAN || s == URB_SCRIPT_HIRAGANA ||
           s == URB_SCRIPT_KATAKANA || s == URB_SCRIPT_HANGUL ||
           s == URB_SCRIPT_THAI;
}
