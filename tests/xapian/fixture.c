#include "fixture.h"

#include "test.h"

#include <stdarg.h>

const char *const fx_bodies[FX_NDOCS] = {
    "berlin welcomes refugees with housing",
    "paris housing policy for migrants",
    "berlin language courses for migrants",
    "madrid integration of refugees",
    "vienna housing and language courses housing",
    "lisbon welcomes migrants",
};

static const struct {
    const char *lang;
    int year;
    const char *topics;
} fx_meta[FX_NDOCS] = {
    {"de", 2016, "housing,integration"},
    {"fr", 2018, "housing"},
    {"de", 2019, "education,integration,education"},
    {"es", 2017, "integration"},
    {"de", 2020, "education,housing"},
    {"pt", 2015, ""},
};

/* The fixture cannot be built: nothing after this could mean anything. */
static void fx_die(const char *what, urb_xstatus_t st, const char *msg)
{
    fprintf(stderr, "fixture: %s: %s: %s\n", what, urb_xstatus_str(st),
            msg ? msg : "");
    exit(2);
}

static void fx_must(const char *what, urb_xstatus_t st, const urb_xdb_t *db)
{
    if (st != URB_X_OK)
        fx_die(what, st, urb_xdb_errmsg(db));
}

static void fx_doc_must(const char *what, urb_xstatus_t st,
                        const urb_xdoc_t *doc)
{
    if (st != URB_X_OK)
        fx_die(what, st, urb_xdoc_errmsg(doc));
}

urb_xdb_t *fx_open(const char *path, unsigned flags)
{
    urb_xdb_t *db;
    char *msg;
    urb_xstatus_t st = urb_xdb_open(path, flags, &db, &msg);
    if (st != URB_X_OK)
        fx_die(path, st, msg);
    return db;
}

void fx_add(urb_xdb_t *db, const char *id, const char *body, const char *lang,
            int year, const char *topics)
{
    urb_xdoc_t *doc = urb_xdoc_new();
    if (!doc)
        fx_die("urb_xdoc_new", URB_X_NOMEM, NULL);
    char term[64], sortable[9];
    uint32_t pos = 1;
    for (const char *w = body; *w;) {
        size_t n = strcspn(w, " ");
        fx_doc_must("posting", urb_xdoc_add_posting(doc, w, n, pos, 1), doc);
        if (pos == 1) {
            snprintf(term, sizeof term, "S%.*s", (int)n, w);
            fx_doc_must("title", urb_xdoc_add_term(doc, term, strlen(term), 1),
                        doc);
        }
        if (n == 8 && memcmp(w, "refugees", 8) == 0)
            fx_doc_must("stem", urb_xdoc_add_term(doc, "Zrefuge", 7, 1), doc);
        pos++;
        w += n;
        w += *w == ' ';
    }
    snprintf(term, sizeof term, "Q%s", id);
    fx_doc_must("id", urb_xdoc_add_boolean_term(doc, term, strlen(term)), doc);
    snprintf(term, sizeof term, "L%s", lang);
    fx_doc_must("lang", urb_xdoc_add_boolean_term(doc, term, strlen(term)),
                doc);
    size_t n = urb_xsortable(year, sortable);
    fx_doc_must("year", urb_xdoc_set_value(doc, FX_SLOT_YEAR, sortable, n),
                doc);
    fx_doc_must("lang value",
                urb_xdoc_set_value(doc, FX_SLOT_LANG, lang, strlen(lang)), doc);
    fx_doc_must("topics",
                urb_xdoc_set_value(doc, FX_SLOT_TOPICS, topics, strlen(topics)),
                doc);
    snprintf(term, sizeof term, "doc:%s", id);
    fx_doc_must("data", urb_xdoc_set_data(doc, term, strlen(term)), doc);
    snprintf(term, sizeof term, "Q%s", id);
    fx_must("replace",
            urb_xdb_replace_by_term(db, term, strlen(term), doc, NULL), db);
    urb_xdoc_free(doc);
}

urb_xdb_t *fx_build(const char *path)
{
    urb_xdb_t *db = fx_open(path, URB_XDB_CREATE_OR_OVERWRITE);
    for (int i = 0; i < FX_NDOCS; i++) {
        char id[8];
        snprintf(id, sizeof id, "%d", i + 1);
        fx_add(db, id, fx_bodies[i], fx_meta[i].lang, fx_meta[i].year,
               fx_meta[i].topics);
        char word[64];
        for (const char *w = fx_bodies[i]; *w;) {
            size_t n = strcspn(w, " ");
            snprintf(word, sizeof word, "%.*s", (int)n, w);
            fx_must("spelling", urb_xdb_add_spelling(db, word, 1), db);
            w += n;
            w += *w == ' ';
        }
    }
    fx_must("synonym", urb_xdb_add_synonym(db, "migrants", "refugees"), db);
    fx_must("commit", urb_xdb_commit(db), db);
    return db;
}

static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

const char *fx_hits(urb_xenq_t *enq)
{
    static char buf[256];
    size_t len = 0;
    urb_xmset_t *ms;
    urb_xstatus_t st = urb_xenq_mset(enq, 0, 32, 32, &ms);
    if (st != URB_X_OK) {
        snprintf(buf, sizeof buf, "error: %s", urb_xenq_errmsg(enq));
        return buf;
    }
    buf[0] = '\0';
    for (uint32_t i = 0; i < urb_xmset_size(ms); i++) {
        uint32_t docid = 0;
        CHECK(urb_xmset_item(ms, i, &docid, NULL) == URB_X_OK);
        appendf(buf, sizeof buf, &len, "%s%u", i ? " " : "", docid);
    }
    urb_xmset_free(ms);
    return buf;
}

const char *fx_search(urb_xdb_t *db, const urb_xquery_t *q)
{
    static char buf[256];
    urb_xenq_t *enq;
    if (!q || urb_xenq_new(db, &enq) != URB_X_OK)
        return "error: no query or no enquire";
    CHECK(urb_xenq_set_query(enq, q) == URB_X_OK);
    snprintf(buf, sizeof buf, "%s", fx_hits(enq));
    urb_xenq_free(enq);
    return buf;
}

int fx_term_cb(void *ctx, const char *term, size_t len, uint32_t freq)
{
    fx_terms_t *t = ctx;
    if (t->len)
        appendf(t->buf, sizeof t->buf, &t->len, " ");
    /* Copied, not printed: a term may hold a NUL byte. */
    if (len < sizeof t->buf - t->len) {
        memcpy(t->buf + t->len, term, len);
        t->len += len;
    }
    appendf(t->buf, sizeof t->buf, &t->len, ":%u", freq);
    return ++t->seen == t->stop_after;
}

const char *fx_facet(urb_xenq_t *enq, unsigned idx)
{
    static fx_terms_t t;
    memset(&t, 0, sizeof t);
    urb_xstatus_t st = urb_xenq_facet(enq, idx, fx_term_cb, &t);
    if (st != URB_X_OK)
        snprintf(t.buf, sizeof t.buf, "error: %s", urb_xstatus_str(st));
    return t.buf;
}
