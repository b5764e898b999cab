#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "urbis/doc.h"
#include "urbis/schema.h"
#include "urbis/terms.h"

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

static urb_str_t str(const char *s)
{
    return (urb_str_t){s, s ? strlen(s) : 0};
}

/* d as a report: its heading starts the only section, before the body. */
static void index_doc(urb_xdb_t *db, urb_terms_t *t, const fx_doc_t *d)
{
    urb_report_t r = {.id = str(d->id), .lang = str(d->lang),
                      .title = str(d->title), .text = str(d->body),
                      .city = str(d->city), .country = str(d->country),
                      .year = d->year};
    if (d->heading)
        r.sections[r.n_sections++] = (urb_section_t){str(d->heading), 0};
    for (const char *p = d->networks; p && *p;) {
        size_t n = strcspn(p, ",");
        r.networks[r.n_networks++] = (urb_str_t){p, n};
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    urb_xdoc_t *doc = urb_xdoc_new();
    if (!doc || urb_terms_index(&r, t, doc) < 0) {
        fprintf(stderr, "fixture: %s: %s\n", d->id,
                doc ? urb_terms_errmsg(t) : "out of memory");
        exit(2);
    }
    must(urb_terms_add_spelling(db, doc), "spelling");
    char q[64];
    snprintf(q, sizeof q, "%s%s", URB_PFX_ID, d->id);
    must(urb_xdb_replace_by_term(db, q, strlen(q), doc, NULL), "replace");
    urb_xdoc_free(doc);
}

void fx_setup_docs(fx_t *fx, const fx_doc_t *d, size_t n, const char *langs)
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
    urb_terms_t *t = urb_terms_new();
    if (!t)
        exit(2);
    for (size_t i = 0; i < n; i++)
        index_doc(w, t, &d[i]);
    must(urb_xdb_set_metadata(w, URB_META_LANGS, langs, strlen(langs)),
         "metadata");
    must(urb_xdb_commit(w), "commit");
    urb_xdb_free(w);
    urb_terms_free(t);
    must(urb_xdb_open(fx->dir, URB_XDB_READ, &fx->db, &msg), "open");
    if (!(fx->qp = urb_qparser_new(langs)))
        exit(2);
}

void fx_setup(fx_t *fx)
{
    fx_setup_docs(fx, docs, sizeof docs / sizeof docs[0], FX_LANGS);
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
        urb_report_t r;
        must(urb_xmset_document(ms, i, &doc), "document");
        must(urb_xdoc_get_data(doc, &data, &len), "data");
        if (urb_report_decode(data, len, &r) < 0) {
            fprintf(stderr, "fixture: a stored report does not decode\n");
            exit(2);
        }
        ids[n++] = strndup(r.id.p, r.id.n);
        urb_xdoc_free(doc);
    }
    urb_xmset_free(ms);
    urb_xenq_free(enq);
    if (!fx->ranked)
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
