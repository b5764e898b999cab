/* fuzz.h — what the fuzz targets share: a check that aborts, the input
 * read as a stream of choices, and a reference UTF-8 decoder written
 * apart from lib/ so the two can be compared.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput (and, when it
 * needs setup, LLVMFuzzerInitialize). libFuzzer drives it with
 * URBIS_FUZZ=ON; otherwise replay.c runs its seeds and regressions. */
#ifndef URBIS_FUZZ_H
#define URBIS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken property is a crash: libFuzzer saves the input, replay fails. */
#define FZ_CHECK(cond)                                                      \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* The input consumed front to back; past its end every read gives 0s and
 * empty slices, so a program read from it always ends. */
typedef struct fz {
    const uint8_t *p;
    size_t n;
} fz_t;

static inline uint8_t fz_u8(fz_t *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint32_t fz_u32(fz_t *f)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | fz_u8(f);
    return v;
}

static inline uint64_t fz_u64(fz_t *f)
{
    uint64_t hi = fz_u32(f);
    return hi << 32 | fz_u32(f);
}

/* Up to max bytes (a length byte, then the bytes), as a slice of the
 * input: no copy, so ASan sees any read past it. */
static inline const char *fz_bytes(fz_t *f, size_t max, size_t *len)
{
    size_t n = fz_u8(f);
    if (n > max)
        n %= max + 1;
    if (n > f->n)
        n = f->n;
    const char *s = (const char *)f->p;
    f->p += n;
    f->n -= n;
    *len = n;
    return s;
}

/* A deterministic stream of numbers seeded from the input, for choices
 * (chunk sizes) that should not eat input bytes. */
static inline uint64_t fz_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static inline uint64_t fz_next(uint64_t *state)
{
    uint64_t x = *state += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* ---- Reference UTF-8 ------------------------------------------------------ */

/* The well-formed sequence at s[0..n): its length with *cp set, or 0.
 * Decodes by the bit patterns first and checks the ranges after (shortest
 * form, no surrogates, at most U+10FFFF): the other way round from lib/. */
static inline size_t fz_utf8_seq(const uint8_t *s, size_t n, int32_t *cp)
{
    size_t need;
    uint32_t c = s[0], min;
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        need = 2, c &= 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        need = 3, c &= 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        need = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = (int32_t)c;
    return need;
}

/* Whether s[0..n) is well-formed; *bad gets the first bad offset. */
static inline bool fz_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const uint8_t *p = (const uint8_t *)s;
    int32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = fz_utf8_seq(p + i, n - i, &cp);
        if (!k) {
            if (bad)
                *bad = i;
            return false;
        }
        i += k;
    }
    return true;
}

/* Whether s[0..k) is a proper prefix of some well-formed sequence: tries
 * every second byte, the others padded with 0x80 (only the second byte
 * has a range of its own). */
static inline bool fz_utf8_prefix(const uint8_t *s, size_t k)
{
    size_t need = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (k >= need)
        return false;
    for (unsigned b = 0x80; b <= 0xBF; b++) {
        uint8_t t[4] = {s[0], 0x80, 0x80, 0x80};
        int32_t cp;
        if (k > 1)
            memcpy(t, s, k);
        else
            t[1] = (uint8_t)b;
        if (fz_utf8_seq(t, need, &cp) == need)
            return true;
        if (k > 1)
            break;
    }
    return false;
}

/* The length of the maximal subpart of an ill-formed sequence at
 * s[0..n) (n > 0): the longest proper prefix of a well-formed sequence,
 * at least 1. Unicode's recommended practice replaces each with U+FFFD. */
static inline size_t fz_utf8_subpart(const uint8_t *s, size_t n)
{
    size_t best = 1;
    for (size_t k = 2; k <= 3 && k <= n; k++)
        if (fz_utf8_prefix(s, k))
            best = k;
    return best;
}

#endif
