#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "urbis/lang.h"
#include "urbis/schema.h"
#include "urbis/text.h"

typedef struct fx_doc {
    const char *id, *lang, *title, *heading, *body, *city, *country;
    const char *networks; /* comma-separated */
    int year;             /* 0: none */
} fx_doc_t;

/* Written forms: "València" is written in two reports, "Valencia" in one,
 * so completion must offer the accented form. Only en-cardiff says
 * "refugee"; only en-oslo lacks "the"; zh-other has 民 and 难 apart. */
static const fx_doc_t docs[] = {
    {"en-valencia", "en", "Refugee housing in Valencia", "Integration",
     "The city of València offers housing to refugees. Local associations "
     "support the integration of newcomers.",
     "Valencia", "ES", "Eurocities, Intercultural Cities", 2023},
    {"en-cardiff", "en", "Cardiff, a city of sanctuary", NULL,
     "Cardiff welcomes asylum seekers. The council runs a housing "
     "programme for every refugee family.",
     "Cardiff", "GB", "City of Sanctuary", 2016},
    {"en-oslo", "en", "Housing first", NULL,
     "Housing first for newcomers in Oslo.", "Oslo", "NO", NULL, 2021},
    {"es-donostia", "es", "Acogida en San Sebastián", NULL,
     "El ayuntamiento ofrece vivienda a cada refugiado. Colabora con "
     "València y con las asociaciones de vecinos.",
     "San Sebastián", "ES", "Intercultural Cities", 2019},
    {"pt-lisboa", "pt", "Integração em Lisboa", NULL,
     "As associações de imigrantes em Lisboa apoiam a integração.", "Lisboa",
     "PT", NULL, 2015},
    {"de-berlin", "de", "Ankommen in Berlin", NULL,
     "Die Stadt Berlin unterstützt Flüchtlinge bei der Wohnungssuche.",
     "Berlin", "DE", "Eurocities", 2018},
    {"zh-shanghai", "zh", "上海", NULL, "难民住房政策。", "上海", "CN", NULL,
     0},
    {"zh-other", "zh", "其他", NULL, "民众困难。", "北京", "CN", NULL, 0},
};

static void must(urb_xstatus_t st, const char *what)
{
    if (st != URB_X_OK) {
        fprintf(stderr, "fixture: %s: %s\n", what, urb_xstatus_str(st));
        exit(2);
    }
}

static void add(urb_xdoc_t *doc, const char *pfx, const char *s, size_t n,
                uint32_t pos, bool boolean)
{
    urb_buf_t t = {0};
    if (urb_buf_append(&t, pfx, strlen(pfx)) < 0 ||
        urb_buf_append(&t, s, n) < 0)
        exit(2);
    if (boolean)
        must(urb_xdoc_add_boolean_term(doc, t.data, t.len), "boolean term");
    else if (pos)
        must(urb_xdoc_add_posting(doc, t.data, t.len, pos, 1), "posting");
    else
        must(urb_xdoc_add_term(doc, t.data, t.len, 1), "term");
    urb_buf_free(&t);
}

/* Words of text as the indexer writes them: the folded word with its
 * position, the field's term, the pair with the word before in a field,
 * the stem term, the written form when it is not the folded word, and the
 * spelling table entry. */
static void index_text(urb_xdb_t *db, urb_xdoc_t *doc, urb_tokenizer_t *tz,
                       const char *lang, urb_stemmer_t *st, const char *zpfx,
                       const char *text, const char *field, uint32_t *pos)
{
    urb_token_t tk;
    urb_buf_t form = {0}, w = {0}, prev = {0};
    urb_tokenizer_reset(tz, text, strlen(text));
    while (urb_tokenizer_next(tz, &tk) > 0) {
        ++*pos;
        add(doc, "", tk.term, tk.term_len, *pos, false);
        if (field)
            add(doc, field, tk.term, tk.term_len, *pos, false);
        /* Title and heading pairs without stopwords, for phrases. */
        bool pairs = field && !(tk.flags & URB_TOK_NGRAM) &&
                     !urb_stopword(lang, tk.term, tk.term_len);
        if (pairs && prev.len) {
            if (urb_buf_append(&prev, " ", 1) < 0 ||
                urb_buf_append(&prev, tk.term, tk.term_len) < 0)
                exit(2);
            add(doc, URB_PFX_PAIR, prev.data, prev.len, 0, false);
        }
        prev.len = 0;
        if (pairs && urb_buf_append(&prev, tk.term, tk.term_len) < 0)
            exit(2);
        must(urb_xdb_add_spelling(db, tk.term, 1), "spelling");
        w.len = 0;
        if (urb_fold_case(text + tk.start, tk.end - tk.start, &form) < 0 ||
            urb_buf_append(&w, tk.term, tk.term_len) < 0 ||
            urb_buf_append(&w, "\x1f", 1) < 0 ||
            urb_buf_append(&w, form.data, form.len) < 0)
            exit(2);
        if (form.len != tk.term_len ||
            memcmp(form.data, tk.term, tk.term_len) != 0)
            add(doc, URB_PFX_FORM, w.data, w.len, 0, false);
        if (st && !(tk.flags & (URB_TOK_NGRAM | URB_TOK_NUMBER))) {
            size_t sl;
            const char *s = urb_stem(st, tk.term, tk.term_len, &sl);
            if (!s)
                exit(2);
            add(doc, zpfx, s, sl, 0, false);
        }
    }
    urb_buf_free(&form);
    urb_buf_free(&w);
    urb_buf_free(&prev);
}

static void add_filter(urb_xdoc_t *doc, const char *pfx, const char *v,
                       size_t n)
{
    urb_buf_t f = {0};
    if (urb_fold(v, n, &f) < 0)
        exit(2);
    add(doc, pfx, f.data, f.len, 0, true);
    urb_buf_free(&f);
}

static void index_doc(urb_xdb_t *db, urb_tokenizer_t *tz, const fx_doc_t *d)
{
    urb_xdoc_t *doc = urb_xdoc_new();
    urb_stemmer_t *st = urb_stemmer_new(d->lang);
    char zpfx[8] = "Z";
    uint32_t pos = 0;
    if (!doc)
        exit(2);
    for (size_t i = 0; d->lang[i] && i < 4; i++)
        zpfx[i + 1] = (char)(d->lang[i] - 32);
    index_text(db, doc, tz, d->lang, st, zpfx, d->title, URB_PFX_TITLE, &pos);
    if (d->heading)
        index_text(db, doc, tz, d->lang, st, zpfx, d->heading, URB_PFX_HEADING,
                   &pos);
    index_text(db, doc, tz, d->lang, st, zpfx, d->body, NULL, &pos);
    add(doc, URB_PFX_ID, d->id, strlen(d->id), 0, true);
    add_filter(doc, URB_PFX_LANG, d->lang, strlen(d->lang));
    add_filter(doc, URB_PFX_COUNTRY, d->country, strlen(d->country));
    add_filter(doc, URB_PFX_CITY, d->city, strlen(d->city));
    for (const char *p = d->networks; p && *p;) {
        size_t n = strcspn(p, ",");
        add_filter(doc, URB_PFX_NETWORK, p, n);
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (d->year) {
        char buf[9], y[8];
        size_t n = urb_xsortable(d->year, buf);
        must(urb_xdoc_set_value(doc, URB_SLOT_YEAR, buf, n), "value");
        snprintf(y, sizeof y, "%d", d->year);
        add(doc, URB_PFX_YEAR, y, strlen(y), 0, true);
    }
    must(urb_xdoc_set_data(doc, d->id, strlen(d->id)), "data");
    char q[64];
    snprintf(q, sizeof q, "%s%s", URB_PFX_ID, d->id);
    must(urb_xdb_replace_by_term(db, q, strlen(q), doc, NULL), "replace");
    urb_stemmer_free(st);
    urb_xdoc_free(doc);
}

void fx_setup(fx_t *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->dir = urb_test_tmpdir();
    urb_xdb_t *w;
    char *msg = NULL;
    if (urb_xdb_open(fx->dir, URB_XDB_CREATE_OR_OVERWRITE, &w, &msg) !=
        URB_X_OK) {
        fprintf(stderr, "fixture: %s\n", msg ? msg : "open");
        exit(2);
    }
    urb_tokenizer_t *tz = urb_tokenizer_new();
    if (!tz)
        exit(2);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        index_doc(w, tz, &docs[i]);
    must(urb_xdb_set_metadata(w, URB_META_LANGS, FX_LANGS, strlen(FX_LANGS)),
         "metadata");
    must(urb_xdb_commit(w), "commit");
    urb_xdb_free(w);
    urb_tokenizer_free(tz);
    must(urb_xdb_open(fx->dir, URB_XDB_READ, &fx->db, &msg), "open");
    if (!(fx->qp = urb_qparser_new(FX_LANGS)))
        exit(2);
}

void fx_teardown(fx_t *fx)
{
    urb_qparser_free(fx->qp);
    urb_xdb_free(fx->db);
    urb_test_rmtree(fx->dir);
    free(fx->dir);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *fx_run(fx_t *fx, urb_xquery_t *q)
{
    urb_xenq_t *enq;
    urb_xmset_t *ms;
    char *ids[64];
    size_t n = 0;
    must(urb_xenq_new(fx->db, &enq), "enquire");
    must(urb_xenq_set_query(enq, q), "set_query");
    must(urb_xenq_mset(enq, 0, 64, 64, &ms), "mset");
    for (uint32_t i = 0; i < urb_xmset_size(ms); i++) {
        urb_xdoc_t *doc;
        const char *data;
        size_t len;
        must(urb_xmset_document(ms, i, &doc), "document");
        must(urb_xdoc_get_data(doc, &data, &len), "data");
        ids[n++] = strndup(data, len);
        urb_xdoc_free(doc);
    }
    urb_xmset_free(ms);
    urb_xenq_free(enq);
    qsort(ids, n, sizeof ids[0], by_str);
    fx->out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(fx->out, ",");
        strcat(fx->out, ids[i]);
        free(ids[i]);
    }
    return fx->out;
}

const char *fx_search(fx_t *fx, const char *text, const urb_qopts_t *opts)
{
    urb_xquery_t *q;
    urb_xstatus_t st =
        urb_qparser_parse(fx->qp, text, strlen(text), opts, &q, NULL);
    if (st != URB_X_OK) {
        snprintf(fx->out, sizeof fx->out, "ERR %s", urb_qparser_errmsg(fx->qp));
        return fx->out;
    }
    if (!q)
        return "BLANK";
    fx_run(fx, q);
    urb_xquery_free(q);
    return fx->out;
}
