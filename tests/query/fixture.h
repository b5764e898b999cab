/* fixture.h — a small real index for the query tests, built by the
 * indexer's own urb_terms_index, and a search helper. */
#ifndef URBIS_TEST_QUERY_FIXTURE_H
#define URBIS_TEST_QUERY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "urbis/query.h"
#include "urbis/xapian.h"

/* The fixture's languages, as URB_META_LANGS holds them. */
#define FX_LANGS "de,en,es,pt,zh"

typedef struct fx {
    char *dir;
    urb_xdb_t *db;     /* read-only */
    urb_qparser_t *qp; /* over the index's languages */
    bool ranked;       /* fx_run lists ids in rank order, not sorted */
    char out[2048];    /* fx_search's answer */
} fx_t;

/* A report of a test index: a heading, when given, starts its only
 * section, before the body. */
typedef struct fx_doc {
    const char *id, *lang, *title, *heading, *body, *city, *country;
    const char *networks; /* comma-separated */
    int year;             /* 0: none */
} fx_doc_t;

/* Builds the fixture's reports (over FX_LANGS) in a fresh directory and
 * opens it; exits on failure. */
void fx_setup(fx_t *fx);
/* The same with the reports d[0..n), over the languages `langs`. */
void fx_setup_docs(fx_t *fx, const fx_doc_t *d, size_t n, const char *langs);
void fx_teardown(fx_t *fx);

/* The ids of the documents q matches, sorted (fx->ranked: in rank order)
 * and comma-separated ("" for
 * none); "ERR <message>" when it does not parse; "BLANK" for no query.
 * Points into fx. opts may be NULL (lang=auto, op=and, xl). */
const char *fx_search(fx_t *fx, const char *q, const urb_qopts_t *opts);

/* Runs an already parsed query the same way. */
const char *fx_run(fx_t *fx, urb_xquery_t *q);

#endif
