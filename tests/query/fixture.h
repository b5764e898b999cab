/* fixture.h — a small real index for the query tests, laid out by
 * schema.h the way the indexer does, and a search helper. */
#ifndef URBIS_TEST_QUERY_FIXTURE_H
#define URBIS_TEST_QUERY_FIXTURE_H

#include "urbis/query.h"
#include "urbis/xapian.h"

/* The fixture's languages, as URB_META_LANGS holds them. */
#define FX_LANGS "de,en,es,pt,zh"

typedef struct fx {
    char *dir;
    urb_xdb_t *db;     /* read-only */
    urb_qparser_t *qp; /* over FX_LANGS */
    char out[2048];    /* fx_search's answer */
} fx_t;

/* Builds the index in a fresh directory and opens it; exits on failure. */
void fx_setup(fx_t *fx);
void fx_teardown(fx_t *fx);

/* The ids of the documents q matches, sorted and comma-separated ("" for
 * none); "ERR <message>" when it does not parse; "BLANK" for no query.
 * Points into fx. opts may be NULL (lang=auto, op=and, xl). */
const char *fx_search(fx_t *fx, const char *q, const urb_qopts_t *opts);

/* Runs an already parsed query the same way. */
const char *fx_run(fx_t *fx, urb_xquery_t *q);

#endif
