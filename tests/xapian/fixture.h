/* fixture.h — a small real glass database of city reports for the Xapian
 * wrapper's tests, and helpers that print results as short strings so a
 * test can compare them with CHECK_STR. */
#ifndef URBIS_TESTS_XAPIAN_FIXTURE_H
#define URBIS_TESTS_XAPIAN_FIXTURE_H

#include "urbis/xapian.h"

/* The layout of the fixture's documents. */
enum {
    FX_SLOT_YEAR = 0,   /* urb_xsortable(year) */
    FX_SLOT_LANG = 1,   /* "de", "fr", ... */
    FX_SLOT_TOPICS = 2, /* topics joined by ',' */
};

/* The six cities, docids 1 to 6 in this order:
 *   1 berlin  de 2016 "housing,integration"
 *   2 paris   fr 2018 "housing"
 *   3 berlin  de 2019 "education,integration,education"
 *   4 madrid  es 2017 "integration"
 *   5 vienna  de 2020 "education,housing"   ("housing" twice: wdf 2)
 *   6 lisbon  pt 2015 (no topics)
 * Each body word is a posting; the first word is also "S"+word (title);
 * "refugees" also gives the stem term "Zrefuge"; boolean terms are
 * "Q"+id (unique), "L"+lang; the data is "doc:"+id. Every body word goes
 * into the spelling table, and "migrants" has the synonym "refugees". */
#define FX_NDOCS 6
extern const char *const fx_bodies[FX_NDOCS];

/* Creates the fixture at `path` and returns the writer, committed; the
 * test fails and exits when that is impossible. */
urb_xdb_t *fx_build(const char *path);
/* Adds (or replaces) one document with unique term "Q"+id. */
void fx_add(urb_xdb_t *db, const char *id, const char *body, const char *lang,
            int year, const char *topics);
urb_xdb_t *fx_open(const char *path, unsigned flags);

/* The docids a query matches, in rank order, as "1 4 2" (at most 32). */
const char *fx_hits(urb_xenq_t *enq);
const char *fx_search(urb_xdb_t *db, const urb_xquery_t *q);
/* Terms from a urb_xterm_cb as "term:freq term:freq". */
typedef struct fx_terms {
    char buf[1024];
    size_t len;
    int stop_after; /* stop the iteration after this many (0: never) */
    int seen;
} fx_terms_t;
int fx_term_cb(void *ctx, const char *term, size_t len, uint32_t freq);
/* The facet `idx` of enq as "value:count ...". */
const char *fx_facet(urb_xenq_t *enq, unsigned idx);

#endif
