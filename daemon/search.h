/* search.h — the commands that read the index, run on query workers:
 * SEARCH, SUGGEST and GET. Each worker keeps its own Xapian handle and
 * query parser on the generation the engine serves, and reopens both
 * before its next query when the engine moves on. */
#ifndef URBISD_SEARCH_H
#define URBISD_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "urbis/query.h"
#include "urbis/xapian.h"

/* A query text and its spelling correction (NULL: none), as found on the
 * worker's generation. */
typedef struct urb_spell_slot {
    char *text;
    size_t len;
    char lang[8];           /* the request's lang=, "" for auto */
    char *corrected;
} urb_spell_slot_t;

typedef struct urb_worker {
    urb_engine_t *engine;
    unsigned generation;
    urb_xdb_t *db;
    urb_qparser_t *qp;
    char langs[URB_LANGS_MAX];
    urb_buf_t scratch;
    urb_spell_slot_t *spell; /* URB_SPELL_SLOTS, allocated on first use */
} urb_worker_t;

#define URB_SPELL_SLOTS 512 /* a power of two */

/* For the pool: state_new (NULL on OOM) and state_free. */
void *urb_worker_new(void *engine);
void urb_worker_free(void *worker);

enum urb_field {
    URB_F_LANG, URB_F_COUNTRY, URB_F_CITY, URB_F_NETWORK, URB_F_YEAR,
    URB_F_COUNT
};
/* "lang" -> URB_F_LANG ...; -1 when not a field name. */
int urb_field_parse(const char *name, size_t len);

#define URB_MAX_FILTERS 32
#define URB_OFFSET_MAX 10000 /* protocol.md */
/* sort=index: every match in index order, unranked, so that pages stay
 * put within a generation and offset may go on to every match (an
 * export); a page costs a walk over the matches before it. */
#define URB_SORT_INDEX 2
#define URB_OFFSET_MAX_INDEX 2000000000u

typedef struct urb_filter {
    int field;
    char *value;       /* as given: the query side folds it */
} urb_filter_t;

typedef struct urb_search_args {
    unsigned limit, offset;
    char lang[8];      /* "" for auto */
    bool op_or, snippets, xl;
    int sort;          /* 0 relevance, 1 oldest first, -1 newest first,
                          URB_SORT_INDEX index order */
    bool sort_given;
    unsigned facets;   /* bit per enum urb_field */
    size_t n_filters;
    urb_filter_t filters[URB_MAX_FILTERS];
    char *text;        /* the query text, NUL-terminated */
    size_t text_len;
} urb_search_args_t;

typedef struct urb_suggest_args {
    unsigned limit;
    char lang[8];
    char *text;
    size_t text_len;
} urb_suggest_args_t;

typedef struct urb_get_args {
    char *id;
    size_t id_len;
} urb_get_args_t;

/* Each writes the whole reply line ("OK {...}\n" or "ERR ...\n") to out
 * and returns whether it is OK. w may be NULL (the pool could not make
 * it): ERR internal. */
bool urb_search_run(urb_worker_t *w, const urb_search_args_t *a,
                    urb_buf_t *out);
bool urb_suggest_run(urb_worker_t *w, const urb_suggest_args_t *a,
                     urb_buf_t *out);
bool urb_get_run(urb_worker_t *w, const urb_get_args_t *a, urb_buf_t *out);

#endif
