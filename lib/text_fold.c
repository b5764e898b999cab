/* text_fold.c — folding text for matching; the rules are in text.h.
 *
 * Each code point is decomposed on its own (NFKD with case folding, by
 * utf8proc_decompose_char), marks are dropped or kept by looking at the
 * letter they sit on, and what is left is put in canonical order and
 * recomposed to NFC. The code points waiting for composition live in the
 * output buffer itself, past the UTF-8 already written, so a reused buffer
 * means no allocation at all. ASCII is lowercased bytewise: nothing
 * composes onto an ASCII character, so a run of them ends composition.
 */
#include "text_internal.h"

#include <string.h>
#include <utf8proc.h>

#define DECOMPOSE_OPTS \
    (UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE)
/* The longest decomposition in Unicode is 18 code points (U+FDFA). */
#define DECOMPOSE_MAX 32

#define L8(c) c, c + 1, c + 2, c + 3, c + 4, c + 5, c + 6, c + 7
static const unsigned char ascii_lower[128] = {
    L8(0x00), L8(0x08), L8(0x10), L8(0x18), L8(0x20), L8(0x28), L8(0x30),
    L8(0x38), 0x40,     L8(0x61), L8(0x69), L8(0x71), 0x79,     0x7A,
    0x5B,     0x5C,     0x5D,     0x5E,     0x5F,     L8(0x60), L8(0x68),
    L8(0x70), L8(0x78),
};
#undef L8

/* What a mark's base letter says about keeping the mark. */
enum {
    BASE_UNKNOWN = -1, /* not looked up yet */
    BASE_STRIP,        /* Latin, Greek, Arabic, or no letter at all */
    BASE_CYRILLIC,     /* see mark_dropped() */
    BASE_KEEP          /* marks are spelling: Devanagari, Thai, kana... */
};

typedef struct fold {
    urb_buf_t *out;
    size_t pend;    /* offset in out->data of the code points pending
                       composition, 4-aligned, at or past out->len */
    size_t npend;   /* how many are pending */
    int32_t base;   /* the last starter, which marks attach to */
    int base_kind;  /* BASE_*, looked up when a mark needs it */
    bool strip;     /* urb_fold, not urb_fold_case */
    bool ela_dot;   /* the last pending code point is a dot after an l,
                       to drop if an l follows (text_internal.h) */
} fold_t;

static int32_t *pending(fold_t *f)
{
    return (int32_t *)(void *)(f->out->data + f->pend);
}

/* Room for n more pending code points, and the NUL utf8proc_reencode()
 * writes after them. */
static int pend_reserve(fold_t *f, size_t n)
{
    if (!f->npend)
        f->pend = (f->out->len + 3) & ~(size_t)3;
    return urb_buf_reserve(f->out, f->pend - f->out->len + (f->npend + n) * 4);
}

/* Appends in canonical order: a mark goes before marks of higher class. */
static void pend_push(fold_t *f, int32_t c, int ccc)
{
    int32_t *p = pending(f);
    size_t i = f->npend++;
    while (ccc && i > 0 &&
           utf8proc_get_property(p[i - 1])->combining_class > ccc) {
        p[i] = p[i - 1];
        i--;
    }
    p[i] = c;
}

/* Composes the pending code points and appends them as UTF-8. */
static void pend_flush(fold_t *f)
{
    if (!f->npend)
        return;
    urb_buf_t *out = f->out;
    char *p = out->data + f->pend;
    /* Composition only shortens, and the UTF-8 fits in the UTF-32 space. */
    utf8proc_ssize_t n = utf8proc_reencode(
        (int32_t *)(void *)p, (utf8proc_ssize_t)f->npend, UTF8PROC_COMPOSE);
    memmove(out->data + out->len, p, (size_t)n);
    out->len += (size_t)n;
    f->npend = 0;
}

/* Records the starter c, just pushed: marks now attach to it. */
static void set_base(fold_t *f, int32_t c)
{
    f->base = c;
    f->base_kind = BASE_UNKNOWN;
    f->ela_dot = false;
}

/* Before the starter c is pushed: l·l loses its dot. Decided on the
 * output, so that folding is idempotent whatever spelled each l (ŀ). */
static void ela_geminada(fold_t *f, int32_t c)
{
    if (f->ela_dot && c == 'l')
        f->npend--;
    f->ela_dot = false;
}

static int base_kind(int32_t base)
{
    utf8proc_category_t cat = utf8proc_category(base);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO)
        return BASE_STRIP; /* a mark on a digit or symbol decorates it */
    switch (urb_script_of(base)) {
    case URB_SCRIPT_LATIN:
    case URB_SCRIPT_GREEK:
    case URB_SCRIPT_ARABIC:
        return BASE_STRIP;
    case URB_SCRIPT_CYRILLIC:
        return BASE_CYRILLIC;
    default:
        return BASE_KEEP;
    }
}

static bool mark_dropped(fold_t *f, int32_t mark)
{
    if (mark >= 0x0591 && mark <= 0x05C7)
        return true; /* Hebrew niqqud and cantillation */
    if (f->base_kind == BASE_UNKNOWN)
        f->base_kind = base_kind(f->base);
    switch (f->base_kind) {
    case BASE_STRIP:
        return true;
    case BASE_CYRILLIC:
        /* ё is written е most of the time; acute and grave are stress
         * marks, except on г and к where they make Macedonian ѓ and ќ.
         * Every other mark is a letter of its own: й, ї, ў. */
        if (mark == 0x0308)
            return f->base == 0x0435;
        if (mark == 0x0300 || mark == 0x0301)
            return f->base != 0x0433 && f->base != 0x043A;
        return false;
    default:
        return false;
    }
}

/* Letters with a stroke or ligature that Unicode does not decompose, as
 * folded case: what a reader who cannot type them writes instead. */
static const char *letter_fold(int32_t c)
{
    switch (c) {
    case 0x00E6: return "ae"; /* æ */
    case 0x00F0: return "d";  /* ð */
    case 0x00F8: return "o";  /* ø */
    case 0x00FE: return "th"; /* þ */
    case 0x0111: return "d";  /* đ */
    case 0x0127: return "h";  /* ħ */
    case 0x0131: return "i";  /* dotless ı */
    case 0x0142: return "l";  /* ł */
    case 0x0153: return "oe"; /* œ */
    case 0x0167: return "t";  /* ŧ */
    case 0x0237: return "j";  /* dotless ȷ */
    default: return NULL;
    }
}

/* Folds one non-ASCII code point. */
static int fold_char(fold_t *f, int32_t cp)
{
    int32_t d[DECOMPOSE_MAX];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, DECOMPOSE_MAX,
                                                 DECOMPOSE_OPTS, &boundclass);
    if (n < 0 || n > DECOMPOSE_MAX) { /* not a code point: keep it as is */
        d[0] = cp;
        n = 1;
    }
    /* letter_fold() may double a code point. */
    if (pend_reserve(f, 2 * (size_t)n) < 0)
        return -1;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int32_t c = d[i];
        /* Arabic tatweel only stretches the line; it also comes out of the
         * presentation forms' decomposition (U+FE7F is tatweel + sukun). */
        if (f->strip && c == 0x0640)
            continue;
        const utf8proc_property_t *prop = utf8proc_get_property(c);
        if (prop->category >= UTF8PROC_CATEGORY_MN &&
            prop->category <= UTF8PROC_CATEGORY_ME) {
            if (!f->strip || !mark_dropped(f, c))
                pend_push(f, c, prop->combining_class);
            continue;
        }
        if (f->strip) {
            const char *m = c < 0x0300 ? letter_fold(c) : NULL;
            if (m) {
                ela_geminada(f, *m);
                for (; *m; m++)
                    pend_push(f, *m, 0);
                set_base(f, m[-1]);
                continue;
            }
            ela_geminada(f, c);
        }
        bool dot = f->strip && f->base == 'l' && urb__ela_dot(c);
        pend_push(f, c, prop->combining_class);
        set_base(f, c);
        f->ela_dot = dot;
    }
    return 0;
}

static int fold(const char *s, size_t len, urb_buf_t *out, bool strip)
{
    fold_t f = {.out = out, .strip = strip, .base_kind = BASE_UNKNOWN};
    const char *end = s + len;
    out->len = 0;
    if (urb_buf_reserve(out, len) < 0)
        return -1;
    while (s < end) {
        if (!(*s & 0x80)) {
            const char *run = s;
            while (s < end && !(*s & 0x80))
                s++;
            ela_geminada(&f, ascii_lower[(unsigned char)*run]);
            pend_flush(&f);
            /* The run's last byte stays pending: marks may follow it. */
            size_t direct = (size_t)(s - run) - (s < end);
            if (urb_buf_reserve(out, direct) < 0)
                return -1;
            for (size_t i = 0; i < direct; i++)
                out->data[out->len++] = (char)ascii_lower[(unsigned char)run[i]];
            if (s < end) {
                int32_t c = ascii_lower[(unsigned char)run[direct]];
                if (pend_reserve(&f, 1) < 0)
                    return -1;
                pend_push(&f, c, 0);
                set_base(&f, c);
            }
            continue;
        }
        int32_t cp;
        s += urb_utf8_decode(s, (size_t)(end - s), &cp);
        if (fold_char(&f, cp) < 0)
            return -1;
    }
    pend_flush(&f);
    out->data[out->len] = '\0';
    return 0;
}

int urb_fold(const char *s, size_t len, urb_buf_t *out)
{
    return fold(s, len, out, true);
}

int urb_fold_case(const char *s, size_t len, urb_buf_t *out)
{
    return fold(s, len, out, false);
}
