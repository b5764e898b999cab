#include "args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fail(urb_arg_err_t *e, urb_errcode_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(urb_arg_err_t *e, urb_errcode_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

static bool bad_value(const urb_option_t *o, const char *want,
                      urb_arg_err_t *e)
{
    return fail(e, URB_ERR_BAD_ARGUMENT, "%.*s=%.*s: want %s", (int)o->name.n,
                o->name.p, (int)o->value.n, o->value.p, want);
}

static bool opt_is(const urb_option_t *o, const char *name)
{
    return o->name.n == strlen(name) && memcmp(o->name.p, name, o->name.n) == 0;
}

bool urb_arg_uint(const urb_option_t *o, unsigned min, unsigned max,
                  unsigned *out, urb_arg_err_t *e)
{
    uint64_t v;
    if (urb_proto_parse_uint(o->value, min, max, &v) < 0) {
        char want[64];
        snprintf(want, sizeof want, "a whole number from %u to %u", min, max);
        return bad_value(o, want, e);
    }
    *out = (unsigned)v;
    return true;
}

bool urb_arg_bool(const urb_option_t *o, bool *out, urb_arg_err_t *e)
{
    return urb_proto_parse_bool(o->value, out) == 0 || bad_value(o, "0 or 1", e);
}

bool urb_arg_lang(const urb_option_t *o, char out[8], urb_arg_err_t *e)
{
    urb_str_t v = o->value;
    if (urb_str_ieq(v, "auto")) {
        out[0] = '\0';
        return true;
    }
    if (v.n == 2 && v.p[0] >= 'a' && v.p[0] <= 'z' && v.p[1] >= 'a' &&
        v.p[1] <= 'z') {
        memcpy(out, v.p, 2);
        out[2] = '\0';
        return true;
    }
    return bad_value(o, "an ISO 639-1 code or auto", e);
}

/* year:2015, year:2015..2020, year:2015.., year:..2020 */
static bool parse_years(const char *s, size_t n, int *lo, int *hi)
{
    const char *dots = memchr(s, '.', n);
    char a[8] = "", b[8] = "";
    size_t an = dots ? (size_t)(dots - s) : n;
    if (dots && (dots + 1 >= s + n || dots[1] != '.'))
        return false;
    size_t bn = dots ? n - an - 2 : 0;
    if (an >= sizeof a || bn >= sizeof b || (an == 0 && bn == 0))
        return false;
    memcpy(a, s, an);
    memcpy(b, dots ? dots + 2 : "", bn);
    uint64_t v;
    *lo = *hi = 0;
    if (an) {
        if (urb_proto_parse_uint((urb_str_t){a, an}, 1, 9999, &v) < 0)
            return false;
        *lo = (int)v;
    }
    if (bn) {
        if (urb_proto_parse_uint((urb_str_t){b, bn}, 1, 9999, &v) < 0)
            return false;
        *hi = (int)v;
    }
    if (!dots)
        *hi = *lo;
    return !(*lo && *hi && *lo > *hi);
}

static bool parse_filter(const urb_option_t *o, urb_search_args_t *a,
                         urb_arg_err_t *e)
{
    const char *colon = memchr(o->value.p, ':', o->value.n);
    if (!colon)
        return bad_value(o, "field:value", e);
    size_t flen = (size_t)(colon - o->value.p);
    int field = urb_field_parse(o->value.p, flen);
    const char *v = colon + 1;
    size_t vn = o->value.n - flen - 1;
    if (field < 0)
        return bad_value(o, "a field of lang, country, city, network, year", e);
    if (vn == 0)
        return bad_value(o, "a value after the field", e);
    if (a->n_filters == URB_MAX_FILTERS)
        return fail(e, URB_ERR_BAD_ARGUMENT, "more than %d filters",
                    URB_MAX_FILTERS);
    urb_filter_t *f = &a->filters[a->n_filters];
    int lo, hi;
    if (field == URB_F_YEAR && !parse_years(v, vn, &lo, &hi))
        return bad_value(o, "year:YYYY or year:YYYY..YYYY", e);
    f->field = field;
    if (!(f->value = urb_strndup(v, vn)))
        return fail(e, URB_ERR_INTERNAL, "out of memory");
    a->n_filters++;
    return true;
}

static bool parse_facets(const urb_option_t *o, unsigned *mask,
                         urb_arg_err_t *e)
{
    const char *p = o->value.p, *end = p + o->value.n;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        int f = urb_field_parse(p, (size_t)(stop - p));
        if (f < 0)
            return bad_value(o, "fields among lang, country, city, network, year", e);
        *mask |= 1u << f;
        p = stop + (comma != NULL);
    }
    return true;
}

bool urb_search_args_parse(const urb_request_t *rq, urb_search_args_t *a,
                           urb_arg_err_t *e)
{
    static const char *const ops[] = {"and", "or", NULL};
    static const char *const sorts[] = {"relevance", "year", "-year", "index",
                                        NULL};
    const urb_option_t *offset = NULL;
    memset(a, 0, sizeof *a);
    a->limit = 10;
    a->snippets = true;
    bool xl_given = false;
    for (size_t i = 0; i < rq->n_options; i++) {
        const urb_option_t *o = &rq->options[i];
        int k;
        bool ok = true;
        if (opt_is(o, "limit"))
            ok = urb_arg_uint(o, 0, 100, &a->limit, e);
        else if (opt_is(o, "offset")) {
            ok = urb_arg_uint(o, 0, URB_OFFSET_MAX_INDEX, &a->offset, e);
            offset = o;
        }
        else if (opt_is(o, "lang"))
            ok = urb_arg_lang(o, a->lang, e);
        else if (opt_is(o, "filter"))
            ok = parse_filter(o, a, e);
        else if (opt_is(o, "facets"))
            ok = parse_facets(o, &a->facets, e);
        else if (opt_is(o, "op")) {
            ok = urb_proto_parse_choice(o->value, ops, &k) == 0 ||
                 bad_value(o, "and or or", e);
            a->op_or = ok && k == 1;
        } else if (opt_is(o, "sort")) {
            static const int sort_of[] = {0, 1, -1, URB_SORT_INDEX};
            ok = urb_proto_parse_choice(o->value, sorts, &k) == 0 ||
                 bad_value(o, "relevance, year, -year or index", e);
            a->sort = ok ? sort_of[k] : 0;
            a->sort_given = true;
        } else if (opt_is(o, "snippets"))
            ok = urb_arg_bool(o, &a->snippets, e);
        else if (opt_is(o, "xl")) {
            ok = urb_arg_bool(o, &a->xl, e);
            xl_given = true;
        }
        if (!ok)
            return false;
    }
    if (a->offset > URB_OFFSET_MAX && a->sort != URB_SORT_INDEX)
        return bad_value(offset, "a whole number from 0 to 10000 (further with "
                                 "sort=index)", e);
    if (!xl_given)
        a->xl = a->lang[0] == '\0';
    if (rq->text.n == 0 && a->n_filters == 0)
        return fail(e, URB_ERR_SYNTAX, "empty query: give words or a filter");
    if (!(a->text = urb_strndup(rq->text.p, rq->text.n)))
        return fail(e, URB_ERR_INTERNAL, "out of memory");
    a->text_len = rq->text.n;
    return true;
}

void urb_search_args_clear(urb_search_args_t *a)
{
    for (size_t i = 0; i < a->n_filters; i++)
        free(a->filters[i].value);
    free(a->text);
    a->n_filters = 0;
    a->text = NULL;
}
