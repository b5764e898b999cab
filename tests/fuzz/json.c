/* Fuzz target: the JSON writer (json.h).
 *
 * The input is a little program of writer calls, with strings, numbers
 * and marks taken from the input. Alongside, the value the program means
 * is built with jansson, following json.h's rules for misuse. After every
 * call the writer must have failed exactly when the rules say; when it
 * reports success, its output must be one line of valid UTF-8 that
 * jansson reads back as that value, strings repaired as json.h says
 * (each maximal invalid subpart one U+FFFD). */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "urbis/json.h"

#define DECODE_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

/* The program's value as jansson holds it, and whether it is still a
 * correct use of the writer. */
typedef struct model {
    bool valid, done;
    json_t *root;
    json_t *stack[URB_JSON_MAX_DEPTH];
    unsigned depth;
    urb_buf_t key; /* the key written, whose value is due */
    bool has_key;
    bool nul_key;  /* a key holds U+0000, which jansson cannot read back */
} model_t;

/* s[0..n) made valid UTF-8 (and, for HTML, < > & " made entities) as
 * json.h promises, appended to out. */
static void repair(urb_buf_t *out, const char *s, size_t n, bool html)
{
    const uint8_t *p = (const uint8_t *)s;
    int32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = fz_utf8_seq(p + i, n - i, &cp);
        const char *put = s + i;
        size_t len = k;
        if (!k) {
            put = "\xEF\xBF\xBD";
            len = 3;
            k = fz_utf8_subpart(p + i, n - i);
        } else if (html && cp == '<') {
            put = "&lt;", len = 4;
        } else if (html && cp == '>') {
            put = "&gt;", len = 4;
        } else if (html && cp == '&') {
            put = "&amp;", len = 5;
        } else if (html && cp == '"') {
            put = "&quot;", len = 6;
        }
        FZ_CHECK(urb_buf_append(out, put, len) == 0);
        i += k;
    }
}

static json_t *string_of(const urb_buf_t *b)
{
    json_t *v = json_stringn(b->data ? b->data : "", b->len);
    FZ_CHECK(v);
    return v;
}

/* A value may come now: top level once, in an array, or after a key. */
static bool value_ok(model_t *m)
{
    if (m->depth == 0)
        return !m->done;
    return json_is_array(m->stack[m->depth - 1]) || m->has_key;
}

/* Puts v (a new reference) where the program writes it; v may be NULL
 * when the call is misuse. Containers are also pushed. */
static void add_value(model_t *m, json_t *v, bool container)
{
    if (!m->valid || !value_ok(m) ||
        (container && m->depth == URB_JSON_MAX_DEPTH)) {
        m->valid = false;
        json_decref(v);
        return;
    }
    FZ_CHECK(v);
    if (m->depth == 0) {
        m->root = v;
    } else if (json_is_array(m->stack[m->depth - 1])) {
        FZ_CHECK(json_array_append_new(m->stack[m->depth - 1], v) == 0);
    } else {
        FZ_CHECK(json_object_setn_new(m->stack[m->depth - 1],
                                      m->key.data ? m->key.data : "",
                                      m->key.len, v) == 0);
        m->has_key = false;
    }
    if (container)
        m->stack[m->depth++] = v;
    else if (m->depth == 0)
        m->done = true;
}

static void add_key(model_t *m, const char *s, size_t n)
{
    if (!m->valid || m->depth == 0 ||
        !json_is_object(m->stack[m->depth - 1]) || m->has_key) {
        m->valid = false;
        return;
    }
    m->key.len = 0;
    repair(&m->key, s, n, false);
    m->has_key = true;
    if (m->key.len && memchr(m->key.data, '\0', m->key.len))
        m->nul_key = true;
}

static void close_container(model_t *m, bool object)
{
    if (!m->valid || m->depth == 0 || m->has_key ||
        json_is_object(m->stack[m->depth - 1]) != object) {
        m->valid = false;
        return;
    }
    if (--m->depth == 0)
        m->done = true;
}

/* The number json.h writes for v with `digits`, as read back. A finite
 * double must stay finite: one that %.*g would round past DBL_MAX
 * ("2e+308", which jansson refuses and JavaScript reads as Infinity) is
 * expected in full. */
static json_t *double_of(double v, int digits)
{
    if (!isfinite(v))
        return json_null();
    if (digits <= 0)
        return json_real(v);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*g", digits < 17 ? digits : 17, v);
    double back = strtod(tmp, NULL);
    return json_real(isfinite(back) ? back : v);
}

static void html_value(urb_json_t *j, model_t *m, fz_t *f)
{
    size_t n;
    const char *s = fz_bytes(f, 255, &n);
    urb_mark_t marks[8];
    size_t n_marks = fz_u8(f) % 8;
    for (size_t i = 0; i < n_marks; i++) {
        marks[i].start = fz_u8(f);
        uint8_t e = fz_u8(f);
        marks[i].end = e == 255 ? SIZE_MAX : e;
    }
    urb_json_html(j, s, n, marks, n_marks);

    urb_buf_t b = {0};
    size_t at = 0;
    for (size_t i = 0; i < n_marks; i++) {
        size_t start = marks[i].start;
        size_t stop = marks[i].end < n ? marks[i].end : n;
        if (start < at || start >= stop)
            continue;
        repair(&b, s + at, start - at, true);
        FZ_CHECK(urb_buf_append(&b, "<b>", 3) == 0);
        repair(&b, s + start, stop - start, true);
        FZ_CHECK(urb_buf_append(&b, "</b>", 4) == 0);
        at = stop;
    }
    repair(&b, s + at, n - at, true);
    add_value(m, string_of(&b), false);
    urb_buf_free(&b);
}

/* One call of the program. */
static void step(urb_json_t *j, model_t *m, fz_t *f)
{
    size_t n;
    const char *s;
    urb_buf_t b = {0};
    switch (fz_u8(f) % 15) {
    case 0:
        urb_json_obj_begin(j);
        add_value(m, json_object(), true);
        break;
    case 1:
        urb_json_obj_end(j);
        close_container(m, true);
        break;
    case 2:
        urb_json_arr_begin(j);
        add_value(m, json_array(), true);
        break;
    case 3:
        urb_json_arr_end(j);
        close_container(m, false);
        break;
    case 4: { /* NUL-terminated key */
        s = fz_bytes(f, 64, &n);
        char key[65];
        memcpy(key, s, n);
        key[n] = '\0';
        urb_json_key(j, key);
        add_key(m, key, strlen(key));
        break;
    }
    case 5:
        s = fz_bytes(f, 255, &n);
        urb_json_keyn(j, s, n);
        add_key(m, s, n);
        break;
    case 6:
        s = fz_bytes(f, 255, &n);
        urb_json_str(j, s, n);
        repair(&b, s, n, false);
        add_value(m, string_of(&b), false);
        break;
    case 7: {
        int64_t v = (int64_t)fz_u64(f);
        urb_json_int(j, v);
        add_value(m, json_real((double)v), false);
        break;
    }
    case 8: {
        uint64_t v = fz_u64(f);
        urb_json_uint(j, v);
        add_value(m, json_real((double)v), false);
        break;
    }
    case 9: { /* any bit pattern: NaN, infinities, subnormals */
        uint64_t bits = fz_u64(f);
        double v;
        memcpy(&v, &bits, sizeof v);
        int digits = (int8_t)fz_u8(f);
        urb_json_double(j, v, digits);
        add_value(m, double_of(v, digits), false);
        break;
    }
    case 10: { /* the numbers people write: small ratios */
        double v = (double)(int32_t)fz_u32(f) / (double)(fz_u8(f) + 1);
        urb_json_double(j, v, 0);
        add_value(m, double_of(v, 0), false);
        break;
    }
    case 11: {
        bool v = fz_u8(f) & 1;
        urb_json_bool(j, v);
        add_value(m, json_boolean(v), false);
        break;
    }
    case 12:
        urb_json_null(j);
        add_value(m, json_null(), false);
        break;
    case 13: { /* only JSON on one line may be spliced */
        s = fz_bytes(f, 255, &n);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20)
                return;
        json_t *v = json_loadb(s, n, DECODE_FLAGS, NULL);
        if (!v)
            return;
        urb_json_verbatim(j, s, n);
        add_value(m, v, false);
        break;
    }
    case 14:
        html_value(j, m, f);
        break;
    }
    urb_buf_free(&b);
}

/* The output: one line of valid UTF-8 without raw U+2028/U+2029, which
 * jansson reads as the model's value. */
static void check_output(const char *s, size_t n, const json_t *want, bool nul_key)
{
    const uint8_t *p = (const uint8_t *)s;
    int32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = fz_utf8_seq(p + i, n - i, &cp);
        FZ_CHECK(k > 0 && cp >= 0x20 && cp != 0x2028 && cp != 0x2029);
        i += k;
    }
    /* "\u0000" in a key is valid JSON that jansson refuses to decode
     * (its keys are C strings): the byte checks above are all we can do. */
    if (nul_key)
        return;
    json_error_t err;
    json_t *got = json_loadb(s, n, DECODE_FLAGS, &err);
    if (!got)
        fprintf(stderr, "jansson: %s at %d: %.*s\n", err.text, err.position,
                (int)n, s);
    FZ_CHECK(got);
    FZ_CHECK(json_equal(got, want));
    json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    urb_buf_t out = {0};
    FZ_CHECK(urb_buf_append(&out, "OK ", 3) == 0);
    urb_json_t j;
    urb_json_init(&j, &out);
    model_t m = {.valid = true};
    while (f.n) {
        step(&j, &m, &f);
        FZ_CHECK(j.failed == !m.valid);
    }
    bool ok = m.valid && m.done;
    FZ_CHECK((urb_json_finish(&j) == 0) == ok);
    FZ_CHECK(memcmp(out.data, "OK ", 3) == 0);
    if (ok)
        check_output(out.data + 3, out.len - 3, m.root, m.nul_key);
    json_decref(m.root);
    urb_buf_free(&m.key);
    urb_buf_free(&out);
    return 0;
}
