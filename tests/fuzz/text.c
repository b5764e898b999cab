/* Fuzz target: Unicode text (text.h).
 *
 * On the raw input: urb_utf8_valid and urb_utf8_decode agree with the
 * reference decoder of fuzz.h, urb_cp1252_to_utf8 with the code page's
 * table (so its output is always valid UTF-8), urb_looks_binary with its
 * definition. On the input when it is valid UTF-8, else on its
 * Windows-1252 reading (as the readers do): folding gives valid UTF-8
 * that folds to itself, and the tokenizer's words lie in order inside the
 * text on character boundaries, with terms as text.h bounds them. */
#include "fuzz.h"
#include "urbis/text.h"

/* Windows-1252 0x80..0x9F; 0 for the five bytes it leaves undefined. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static void put_cp(urb_buf_t *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80)
        u[0] = (char)c, n = 1;
    else if (c < 0x800)
        u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    else
        u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    FZ_CHECK(urb_buf_append(b, u, n) == 0);
}

static void check_bytes(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t bad = SIZE_MAX, ref_bad = SIZE_MAX;
    bool valid = urb_utf8_valid(s, n, &bad);
    FZ_CHECK(valid == fz_utf8_valid(s, n, &ref_bad));
    FZ_CHECK(valid || bad == ref_bad);
    FZ_CHECK(urb_utf8_valid(s, n, NULL) == valid);

    /* Decoding at every offset, valid or not. */
    for (size_t i = 0; i < n; i++) {
        int32_t cp = -1, want = 0xFFFD;
        size_t k = urb_utf8_decode(s + i, n - i, &cp);
        size_t ref = fz_utf8_seq(p + i, n - i, &want);
        FZ_CHECK(k == (ref ? ref : 1) && cp == want);
    }

    size_t out_len = SIZE_MAX;
    char *u = urb_cp1252_to_utf8(s, n, &out_len);
    FZ_CHECK(u);
    urb_buf_t want = {0};
    FZ_CHECK(urb_buf_reserve(&want, 1) == 0);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = p[i];
        if (c >= 0x80 && c <= 0x9F)
            c = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
        put_cp(&want, c);
    }
    FZ_CHECK(out_len == want.len && memcmp(u, want.data, out_len) == 0);
    FZ_CHECK(u[out_len] == '\0' && fz_utf8_valid(u, out_len, NULL));
    urb_buf_free(&want);
    free(u);

    size_t ctl = 0;
    bool nul = false;
    for (size_t i = 0; i < n; i++) {
        nul |= p[i] == 0;
        ctl += (p[i] < 0x20 && !strchr("\t\n\r\f", p[i])) || p[i] == 0x7F;
    }
    FZ_CHECK(urb_looks_binary(s, n) == (nul || ctl * 10 > n));
}

/* fold or fold_case: valid UTF-8, NUL-terminated, replacing what the
 * buffer held, and a fixed point. */
static void check_fold(int (*fold)(const char *, size_t, urb_buf_t *),
                       const char *s, size_t n)
{
    urb_buf_t a = {0}, b = {0};
    FZ_CHECK(urb_buf_append(&a, "stale", 5) == 0);
    FZ_CHECK(fold(s, n, &a) == 0);
    FZ_CHECK(a.data && a.data[a.len] == '\0');
    FZ_CHECK(fz_utf8_valid(a.data, a.len, NULL));
    FZ_CHECK(fold(a.data, a.len, &b) == 0);
    if (b.len != a.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
        fprintf(stderr, "fold not idempotent: \"%s\" -> \"%s\"\n", a.data,
                b.data);
        abort();
    }
    urb_buf_free(&a);
    urb_buf_free(&b);
}

static bool boundary(const char *s, size_t n, size_t off)
{
    return off == n || ((unsigned char)s[off] & 0xC0) != 0x80;
}

static void check_tokens(urb_tokenizer_t *tz, const char *s, size_t n)
{
    urb_token_t tk;
    size_t prev_end = 0;
    int r;
    urb_tokenizer_reset(tz, s, n);
    while ((r = urb_tokenizer_next(tz, &tk)) > 0) {
        FZ_CHECK(tk.start < tk.end && tk.end <= n && tk.start >= prev_end);
        FZ_CHECK(boundary(s, n, tk.start) && boundary(s, n, tk.end));
        FZ_CHECK(tk.end - tk.start <= 8 * URB_TERM_MAX);
        FZ_CHECK(tk.term && tk.term_len > 0 && tk.term_len <= URB_TERM_MAX);
        FZ_CHECK(strlen(tk.term) == tk.term_len);
        FZ_CHECK(fz_utf8_valid(tk.term, tk.term_len, NULL));
        FZ_CHECK((unsigned)tk.script <= URB_SCRIPT_DIGIT);
        FZ_CHECK(!(tk.flags & ~(unsigned)(URB_TOK_NGRAM | URB_TOK_THAI |
                                          URB_TOK_NUMBER)));
        prev_end = tk.end;
    }
    FZ_CHECK(r == 0);
    /* At the end it stays at the end. */
    FZ_CHECK(urb_tokenizer_next(tz, &tk) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Reused as a thread reuses its own: buffers grow and stay. */
    static urb_tokenizer_t *tz;
    if (!tz)
        FZ_CHECK((tz = urb_tokenizer_new()));
    const char *s = (const char *)data;
    check_bytes(s, size);

    char *decoded = NULL;
    size_t n = size;
    if (!fz_utf8_valid(s, size, NULL)) {
        FZ_CHECK((decoded = urb_cp1252_to_utf8(s, size, &n)));
        s = decoded;
    }
    int32_t cp;
    for (size_t i = 0; i < n;) {
        i += urb_utf8_decode(s + i, n - i, &cp);
        FZ_CHECK((unsigned)urb_script_of(cp) <= URB_SCRIPT_DIGIT);
    }
    check_fold(urb_fold, s, n);
    check_fold(urb_fold_case, s, n);
    check_tokens(tz, s, n);
    free(decoded);
    return 0;
}
