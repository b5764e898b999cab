#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "urbis/doc.h"
#include "urbis/indexdir.h"
#include "urbis/json.h"
#include "urbis/proto.h"
#include "urbis/schema.h"

#define SNIPPET_WIDTH 200
#define MAX_RETRIES 3

static const struct {
    const char *name;
    const char *prefix;
    unsigned slot;
    char sep;
} fields[URB_F_COUNT] = {
    [URB_F_LANG] = {"lang", URB_PFX_LANG, URB_SLOT_LANG, 0},
    [URB_F_COUNTRY] = {"country", URB_PFX_COUNTRY, URB_SLOT_COUNTRY, 0},
    [URB_F_CITY] = {"city", URB_PFX_CITY, URB_SLOT_CITY, 0},
    [URB_F_NETWORK] = {"network", URB_PFX_NETWORK, URB_SLOT_NETWORKS,
                       URB_LIST_SEP},
    [URB_F_YEAR] = {"year", URB_PFX_YEAR, URB_SLOT_YEARSTR, 0},
};

int urb_field_parse(const char *name, size_t len)
{
    for (int f = 0; f < URB_F_COUNT; f++)
        if (strlen(fields[f].name) == len && memcmp(fields[f].name, name, len) == 0)
            return f;
    return -1;
}

/* ---- Worker state -------------------------------------------------------- */

static bool worker_sync(urb_worker_t *w, bool force, urb_buf_t *out);

void *urb_worker_new(void *engine)
{
    urb_worker_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->engine = engine;
    /* Open and warm up now, on the worker's thread, so the first query
     * does not pay for it; a failure here is retried by that query. */
    worker_sync(w, false, &w->scratch);
    return w;
}

static void spell_clear(urb_worker_t *w)
{
    for (size_t i = 0; w->spell && i < URB_SPELL_SLOTS; i++) {
        free(w->spell[i].text);
        free(w->spell[i].corrected);
        w->spell[i] = (urb_spell_slot_t){0};
    }
}

void urb_worker_free(void *p)
{
    urb_worker_t *w = p;
    if (!w)
        return;
    spell_clear(w);
    free(w->spell);
    urb_xdb_free(w->db);
    urb_qparser_free(w->qp);
    urb_buf_free(&w->scratch);
    free(w);
}

/* Opens the generation the engine serves, unless already on it (force:
 * reopen anyway, after an error that a fresh handle may cure). */
static bool worker_sync(urb_worker_t *w, bool force, urb_buf_t *out)
{
    unsigned gen = atomic_load(&w->engine->generation);
    if (w->db && w->generation == gen && !force)
        return true;
    urb_engine_view_t v;
    if (urb_engine_view(w->engine, &v) < 0) {
        urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
        return false;
    }
    urb_xdb_t *db = NULL;
    char *msg = NULL;
    urb_xstatus_t st = urb_shardmap_open(v.path, w->engine->remote_timeout_ms,
                                         NULL, NULL, &db, NULL, &msg);
    if (st != URB_X_OK) {
        urb_warn("worker cannot open %s: %s", v.path, msg ? msg : "");
        urb_proto_err(out, URB_ERR_UNAVAILABLE, "index unavailable: %s",
                      msg ? msg : urb_xstatus_str(st));
        free(msg);
        urb_engine_view_free(&v);
        return false;
    }
    if (!w->qp || strcmp(w->langs, v.langs) != 0) {
        urb_qparser_t *qp = urb_qparser_new(v.langs);
        if (!qp) {
            urb_xdb_free(db);
            urb_engine_view_free(&v);
            urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
            return false;
        }
        urb_qparser_free(w->qp);
        w->qp = qp;
        memcpy(w->langs, v.langs, sizeof w->langs);
        /* A parse stems in every indexed language, which loads the
         * Hunspell dictionaries (~0.7 s), and with xl the thesaurus of
         * these languages (~35 ms), now rather than in a query: at start
         * this is no query's job; after the languages changed it is the
         * job that would have paid anyway. */
        static const urb_qopts_t warm_opts = {.xl = true};
        urb_xquery_t *warm = NULL;
        if (urb_qparser_parse(qp, "urbis", 5, &warm_opts, &warm, NULL) ==
            URB_X_OK)
            urb_xquery_free(warm);
    }
    urb_xdb_free(w->db);
    w->db = db;
    w->generation = v.generation;
    spell_clear(w); /* corrections come from the spelling table */
    urb_qparser_forget(w->qp);
    urb_engine_view_free(&v);
    return true;
}

/* A Xapian failure as a reply; true when a reopen and retry may help. */
static bool xapian_failed(urb_xstatus_t st, const char *msg, urb_buf_t *out)
{
    out->len = 0;
    /* URB_X_NETWORK: a remote shard down or too slow; a new connection
     * may find it back. */
    if (st == URB_X_MODIFIED || st == URB_X_NOT_FOUND || st == URB_X_OPENING ||
        st == URB_X_CORRUPT || st == URB_X_ERROR || st == URB_X_NETWORK) {
        urb_proto_err(out, URB_ERR_UNAVAILABLE, "index unavailable: %s", msg);
        return true;
    }
    if (st == URB_X_QUERY)
        urb_proto_err(out, URB_ERR_SYNTAX, "%s", msg);
    else
        urb_proto_err(out, URB_ERR_INTERNAL, "%s: %s", urb_xstatus_str(st),
                      msg);
    return false;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Runs one attempt of a command, again on a fresh handle when the index
 * changed or broke under it (DatabaseModifiedError and the like). */
typedef bool (*attempt_fn)(urb_worker_t *w, const void *args, urb_buf_t *out,
                           bool *retry);

static bool with_retries(urb_worker_t *w, attempt_fn once, const void *args,
                         urb_buf_t *out)
{
    bool retry = false;
    if (!w) { /* the pool could not make this worker's state */
        out->len = 0;
        urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
        return false;
    }
    for (int i = 0; i < MAX_RETRIES; i++) {
        out->len = 0;
        if (!worker_sync(w, retry, out))
            return false;
        if (once(w, args, out, &retry))
            return true;
        if (!retry)
            return false;
    }
    return false;
}

/* ---- SEARCH -------------------------------------------------------------- */

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;
    *oom = s && !d;
    return d;
}

/* urb_query_correct through the worker's cache. A busy server sees the
 * same queries again and again, and correcting a word the index lacks is
 * Xapian's edit-distance search over the spelling table: up to 10 ms a
 * query, most of what a query in a language with few reports cost. */
static urb_xstatus_t correct(urb_worker_t *w, const char *text, size_t len,
                             const char *lang, char **corrected)
{
    bool oom;
    if (!w->spell && !(w->spell = calloc(URB_SPELL_SLOTS, sizeof *w->spell)))
        return urb_query_correct(w->qp, w->db, text, len, lang, corrected);
    urb_spell_slot_t *e =
        &w->spell[urb_fnv1a(URB_FNV_SEED, text, len) & (URB_SPELL_SLOTS - 1)];
    if (e->text && e->len == len && memcmp(e->text, text, len) == 0 &&
        strcmp(e->lang, lang) == 0) {
        *corrected = dup_or_null(e->corrected, &oom);
        if (!oom)
            return URB_X_OK; /* else the parser says it, with its message */
    }
    urb_xstatus_t st =
        urb_query_correct(w->qp, w->db, text, len, lang, corrected);
    if (st != URB_X_OK)
        return st;
    char *t = malloc(len + 1), *c = dup_or_null(*corrected, &oom);
    if (!t || oom) { /* not kept; the answer stands */
        free(t);
        free(c);
        return URB_X_OK;
    }
    memcpy(t, text, len);
    t[len] = '\0';
    free(e->text);
    free(e->corrected);
    *e = (urb_spell_slot_t){.text = t, .len = len, .corrected = c};
    snprintf(e->lang, sizeof e->lang, "%s", lang);
    return URB_X_OK;
}

/* The filters as one query: OR within a field, AND across fields.
 * *q is NULL when there are none. */
static urb_xstatus_t build_filters(urb_worker_t *w, const urb_search_args_t *a,
                                   urb_xquery_t **q)
{
    urb_xquery_t *per_field[URB_F_COUNT];
    size_t n_fields = 0;
    urb_xstatus_t st = URB_X_OK;
    *q = NULL;
    for (int f = 0; f < URB_F_COUNT && st == URB_X_OK; f++) {
        urb_xquery_t *alts[URB_MAX_FILTERS];
        size_t n = 0;
        for (size_t i = 0; i < a->n_filters && st == URB_X_OK; i++) {
            const urb_filter_t *flt = &a->filters[i];
            if (flt->field == f &&
                (st = urb_query_filter(w->qp, fields[f].name, flt->value,
                                       strlen(flt->value), &alts[n])) == URB_X_OK)
                n++;
        }
        if (st == URB_X_OK && n) {
            per_field[n_fields] = urb_xquery_combine(URB_XOP_OR, alts, n, 0);
            if (per_field[n_fields])
                n_fields++;
            else
                st = URB_X_NOMEM;
        }
        for (size_t i = 0; i < n; i++)
            urb_xquery_free(alts[i]);
    }
    if (st == URB_X_OK && n_fields && !(*q = urb_xquery_combine(URB_XOP_AND, per_field, n_fields, 0)))
        st = URB_X_NOMEM;
    for (size_t i = 0; i < n_fields; i++)
        urb_xquery_free(per_field[i]);
    return st;
}

static int facet_item(void *ctx, const char *term, size_t len, uint32_t count)
{
    urb_json_t *j = ctx;
    if (len == 0)
        return 0;
    urb_json_keyn(j, term, len);
    urb_json_uint(j, count);
    return 0;
}

static void json_str_field(urb_json_t *j, const char *key, urb_str_t s)
{
    if (!s.p)
        return;
    urb_json_key(j, key);
    urb_json_str(j, s.p, s.n);
}

/* One attempt at a search; false with a reply in out when it failed
 * (*retry says a fresh handle may help). */
static bool search_once(urb_worker_t *w, const void *args, urb_buf_t *out,
                        bool *retry)
{
    const urb_search_args_t *a = args;
    uint64_t t0 = now_us();
    /* Pruning looks terms up one by one: over a remote shard, a round
     * trip each. */
    urb_qopts_t qo = {.lang = a->lang[0] ? a->lang : NULL, .op_or = a->op_or,
                      .xl = a->xl,
                      .prune = urb_xdb_is_remote(w->db) ? NULL : w->db};
    urb_xquery_t *text_q = NULL, *filter_q = NULL, *final_q = NULL;
    const urb_qinfo_t *info = NULL;
    char *corrected = NULL;
    urb_xenq_t *enq = NULL;
    urb_xmset_t *ms = NULL;
    bool ok = false;
    urb_xstatus_t st;
    *retry = false;

    /* Corrected first: a correction reuses the parser, and the parse's
     * info must live on to the snippets. */
    if (a->text_len) {
        st = correct(w, a->text, a->text_len, a->lang, &corrected);
        if (st != URB_X_OK) {
            *retry = xapian_failed(st, urb_qparser_errmsg(w->qp), out);
            goto done;
        }
    }
    st = urb_qparser_parse(w->qp, a->text, a->text_len, &qo, &text_q, &info);
    if (st != URB_X_OK) {
        urb_proto_err(out, st == URB_X_QUERY ? URB_ERR_SYNTAX : URB_ERR_INTERNAL,
                      "%s", urb_qparser_errmsg(w->qp));
        goto done;
    }
    if (!text_q && a->n_filters == 0) {
        urb_proto_err(out, URB_ERR_SYNTAX, "empty query: give words or a filter");
        goto done;
    }
    st = build_filters(w, a, &filter_q);
    if (st != URB_X_OK) {
        urb_proto_err(out, st == URB_X_QUERY ? URB_ERR_BAD_ARGUMENT : URB_ERR_INTERNAL,
                      "filter: %s", urb_qparser_errmsg(w->qp));
        goto done;
    }

    uint32_t doccount = atomic_load(&w->engine->documents);
    unsigned facet_idx[URB_F_COUNT];
    urb_xmatches_t m;
    /* Twice at most: as typed, then corrected when that matched nothing. */
    for (int pass = 0; pass < 2; pass++) {
        urb_xquery_t *base = text_q;
        if (!base)
            base = final_q = urb_xquery_match_all();
        if (!base)
            goto oom;
        if (filter_q) {
            urb_xquery_t *pair[2] = {base, filter_q};
            urb_xquery_t *fq = urb_xquery_combine(URB_XOP_FILTER, pair, 2, 0);
            urb_xquery_free(final_q);
            final_q = fq;
            if (!fq)
                goto oom;
        }
        if (a->sort == URB_SORT_INDEX) {
            /* Weightless: every match ties, and ties go in index order. */
            urb_xquery_t *flat = urb_xquery_scale(final_q ? final_q : base, 0);
            urb_xquery_free(final_q);
            final_q = flat;
            if (!flat)
                goto oom;
        }
        urb_xenq_free(enq);
        enq = NULL;
        st = urb_xenq_new(w->db, &enq);
        if (st == URB_X_OK)
            st = urb_xenq_set_query(enq, final_q ? final_q : base);
        if (st == URB_X_OK && a->sort != URB_SORT_INDEX) {
            if (a->sort == 1)
                st = urb_xenq_sort_by_value(enq, URB_SLOT_YEAR_NEG, true);
            else if (a->sort == -1 || (!text_q && !a->sort_given))
                st = urb_xenq_sort_by_value(enq, URB_SLOT_YEAR, true);
            else
                st = urb_xenq_sort_by_relevance_then_value(enq, URB_SLOT_YEAR,
                                                           true);
        }
        for (int f = 0; f < URB_F_COUNT && st == URB_X_OK; f++)
            if (a->facets & (1u << f))
                st = urb_xenq_add_facet(enq, fields[f].slot, fields[f].sep,
                                        &facet_idx[f]);
        if (st != URB_X_OK) {
            *retry = xapian_failed(st, enq ? urb_xenq_errmsg(enq) : "", out);
            goto done;
        }
        uint32_t check = a->facets ? doccount : a->offset + a->limit;
        urb_xmset_free(ms);
        ms = NULL;
        st = urb_xenq_mset(enq, a->offset, a->limit, check, &ms);
        if (st != URB_X_OK) {
            *retry = xapian_failed(st, urb_xenq_errmsg(enq), out);
            goto done;
        }
        urb_xmset_matches(ms, &m);
        if (pass == 1 || !text_q || !corrected || m.estimated > 0)
            break;
        /* Nothing matched as typed: the hits are the corrected query's. */
        urb_xquery_free(text_q);
        text_q = NULL;
        urb_xquery_free(final_q);
        final_q = NULL;
        st = urb_qparser_parse(w->qp, corrected, strlen(corrected), &qo,
                               &text_q, &info);
        if (st != URB_X_OK || !text_q) {
            /* The correction must parse as the original did; if it does
             * not, answer for the original. */
            free(corrected);
            corrected = NULL;
            st = urb_qparser_parse(w->qp, a->text, a->text_len, &qo, &text_q,
                                   &info);
            if (st != URB_X_OK)
                goto oom;
            break;
        }
    }

    urb_json_t j;
    out->len = 0;
    if (urb_buf_append(out, "OK ", 3) < 0)
        goto oom;
    urb_json_init(&j, out);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "query");
    urb_json_str(&j, a->text, a->text_len);
    urb_json_key(&j, "total");
    urb_json_uint(&j, m.estimated);
    urb_json_key(&j, "exact");
    urb_json_bool(&j, m.lower == m.upper);
    urb_json_key(&j, "offset");
    urb_json_uint(&j, a->offset);
    urb_json_key(&j, "hits");
    urb_json_arr_begin(&j);
    uint32_t size = urb_xmset_size(ms);
    for (uint32_t i = 0; i < size; i++) {
        uint32_t docid;
        double weight;
        urb_xdoc_t *doc = NULL;
        const char *data;
        size_t data_len;
        urb_report_t r;
        st = urb_xmset_item(ms, i, &docid, &weight);
        if (st == URB_X_OK)
            st = urb_xmset_document(ms, i, &doc);
        if (st == URB_X_OK)
            st = urb_xdoc_get_data(doc, &data, &data_len);
        if (st != URB_X_OK) {
            *retry = xapian_failed(st, urb_xmset_errmsg(ms), out);
            urb_xdoc_free(doc);
            goto done;
        }
        if (urb_report_decode(data, data_len, &r) < 0) {
            urb_xdoc_free(doc);
            urb_proto_err(out, URB_ERR_INTERNAL, "document %u is not a report",
                          docid);
            goto done;
        }
        urb_json_obj_begin(&j);
        json_str_field(&j, "id", r.id);
        urb_json_key(&j, "rank");
        urb_json_uint(&j, a->offset + i + 1);
        urb_json_key(&j, "score");
        urb_json_double(&j, weight, 4);
        json_str_field(&j, "title", r.title);
        json_str_field(&j, "city", r.city);
        json_str_field(&j, "country", r.country);
        json_str_field(&j, "lang", r.lang);
        if (r.year) {
            urb_json_key(&j, "year");
            urb_json_int(&j, r.year);
        }
        if (a->snippets && r.text.p) {
            urb_snippet_t snip;
            char lang[8] = "";
            if (r.lang.p && r.lang.n < sizeof lang) {
                memcpy(lang, r.lang.p, r.lang.n);
                lang[r.lang.n] = '\0';
            }
            w->scratch.len = 0;
            if (info && urb_snippet_find(w->qp, info, r.text.p, r.text.n, lang,
                                         SNIPPET_WIDTH, &snip) == 0 &&
                urb_snippet_html(r.text.p, r.text.n, &snip, &w->scratch) == 0) {
                urb_json_key(&j, "snippet");
                urb_json_str(&j, w->scratch.data, w->scratch.len);
            }
        }
        urb_json_obj_end(&j);
        urb_xdoc_free(doc);
    }
    urb_json_arr_end(&j);
    if (a->facets) {
        urb_json_key(&j, "facets");
        urb_json_obj_begin(&j);
        for (int f = 0; f < URB_F_COUNT; f++) {
            if (!(a->facets & (1u << f)))
                continue;
            urb_json_key(&j, fields[f].name);
            urb_json_obj_begin(&j);
            st = urb_xenq_facet(enq, facet_idx[f], facet_item, &j);
            urb_json_obj_end(&j);
            if (st != URB_X_OK) {
                *retry = xapian_failed(st, urb_xenq_errmsg(enq), out);
                goto done;
            }
        }
        urb_json_obj_end(&j);
    }
    if (corrected) {
        urb_json_key(&j, "corrected");
        urb_json_str(&j, corrected, strlen(corrected));
    }
    urb_json_key(&j, "took_us");
    urb_json_uint(&j, now_us() - t0);
    urb_json_obj_end(&j);
    if (urb_json_finish(&j) < 0 || urb_buf_append(out, "\n", 1) < 0)
        goto oom;
    ok = true;
    goto done;
oom:
    out->len = 0;
    urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
done:
    urb_xmset_free(ms);
    urb_xenq_free(enq);
    urb_xquery_free(final_q);
    urb_xquery_free(filter_q);
    urb_xquery_free(text_q);
    free(corrected);
    return ok;
}

bool urb_search_run(urb_worker_t *w, const urb_search_args_t *a, urb_buf_t *out)
{
    return with_retries(w, search_once, a, out);
}

/* ---- SUGGEST ------------------------------------------------------------- */

#define SUGGEST_MAX 50

static bool suggest_once(urb_worker_t *w, const void *args, urb_buf_t *out,
                         bool *retry)
{
    const urb_suggest_args_t *a = args;
    urb_suggestion_t sugg[SUGGEST_MAX];
    size_t n = 0;
    *retry = false;
    urb_xstatus_t st = urb_suggest(w->qp, w->db, a->text, a->text_len,
                                   a->lang[0] ? a->lang : NULL, a->limit, sugg,
                                   &n);
    if (st != URB_X_OK) {
        *retry = xapian_failed(st, urb_qparser_errmsg(w->qp), out);
        return false;
    }
    urb_json_t j;
    out->len = 0;
    if (urb_buf_append(out, "OK ", 3) < 0)
        goto oom;
    urb_json_init(&j, out);
    urb_json_obj_begin(&j);
    urb_json_key(&j, "text");
    urb_json_str(&j, a->text, a->text_len);
    urb_json_key(&j, "suggestions");
    urb_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        urb_json_obj_begin(&j);
        urb_json_key(&j, "text");
        urb_json_str(&j, sugg[i].text, sugg[i].len);
        urb_json_key(&j, "count");
        urb_json_uint(&j, sugg[i].count);
        urb_json_obj_end(&j);
    }
    urb_json_arr_end(&j);
    urb_json_obj_end(&j);
    if (urb_json_finish(&j) == 0 && urb_buf_append(out, "\n", 1) == 0)
        return true;
oom:
    out->len = 0;
    urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
    return false;
}

bool urb_suggest_run(urb_worker_t *w, const urb_suggest_args_t *a, urb_buf_t *out)
{
    return with_retries(w, suggest_once, a, out);
}

/* ---- GET ----------------------------------------------------------------- */

static void write_report(urb_json_t *j, const urb_report_t *r)
{
    urb_json_obj_begin(j);
    json_str_field(j, "id", r->id);
    json_str_field(j, "title", r->title);
    json_str_field(j, "city", r->city);
    json_str_field(j, "country", r->country);
    json_str_field(j, "lang", r->lang);
    if (r->year) {
        urb_json_key(j, "year");
        urb_json_int(j, r->year);
    }
    if (r->n_networks) {
        urb_json_key(j, "networks");
        urb_json_arr_begin(j);
        for (size_t i = 0; i < r->n_networks; i++)
            urb_json_str(j, r->networks[i].p, r->networks[i].n);
        urb_json_arr_end(j);
    }
    json_str_field(j, "source", r->source);
    if (r->n_fields) {
        urb_json_key(j, "fields");
        urb_json_obj_begin(j);
        for (size_t i = 0; i < r->n_fields; i++) {
            urb_json_keyn(j, r->field_keys[i].p, r->field_keys[i].n);
            urb_json_str(j, r->field_values[i].p, r->field_values[i].n);
        }
        urb_json_obj_end(j);
    }
    json_str_field(j, "text", r->text);
    urb_json_obj_end(j);
}

static bool get_once(urb_worker_t *w, const void *args, urb_buf_t *out,
                     bool *retry)
{
    const urb_get_args_t *a = args;
    uint32_t docid = 0;
    urb_xdoc_t *doc = NULL;
    const char *data;
    size_t len;
    urb_report_t r;
    *retry = false;
    w->scratch.len = 0;
    if (urb_buf_append(&w->scratch, URB_PFX_ID, strlen(URB_PFX_ID)) < 0 ||
        urb_buf_append(&w->scratch, a->id, a->id_len) < 0)
        goto oom;
    urb_xstatus_t st = urb_xdb_find_by_term(w->db, w->scratch.data,
                                            w->scratch.len, &docid);
    if (st == URB_X_NOT_FOUND) {
        urb_proto_err(out, URB_ERR_NOT_FOUND, "no report with that id");
        return false;
    }
    if (st == URB_X_OK)
        st = urb_xdb_get_document(w->db, docid, &doc);
    if (st == URB_X_OK)
        st = urb_xdoc_get_data(doc, &data, &len);
    if (st != URB_X_OK) {
        *retry = xapian_failed(st, urb_xdb_errmsg(w->db), out);
        urb_xdoc_free(doc);
        return false;
    }
    bool ok = false;
    if (urb_report_decode(data, len, &r) < 0) {
        urb_proto_err(out, URB_ERR_INTERNAL, "document %u is not a report",
                      docid);
    } else {
        urb_json_t j;
        out->len = 0;
        if (urb_buf_append(out, "OK ", 3) == 0) {
            urb_json_init(&j, out);
            write_report(&j, &r);
            ok = urb_json_finish(&j) == 0 && urb_buf_append(out, "\n", 1) == 0;
        }
        if (!ok) {
            out->len = 0;
            urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
        }
    }
    urb_xdoc_free(doc);
    return ok;
oom:
    urb_proto_err(out, URB_ERR_INTERNAL, "out of memory");
    return false;
}

bool urb_get_run(urb_worker_t *w, const urb_get_args_t *a, urb_buf_t *out)
{
    return with_retries(w, get_once, a, out);
}
