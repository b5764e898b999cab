/* terms.h — a report to a Xapian document, laid out as schema.h says.
 *
 * The document gets, in order of the text, every word with its position
 * (title, then each heading before its body), title and heading words
 * again under their prefixes, the stem of each word in the report's
 * language, the written forms, the boolean filter terms, the value slots
 * and the stored report (doc.h) as its data.
 */
#ifndef URBIS_TERMS_H
#define URBIS_TERMS_H

#include "urbis/doc.h"
#include "urbis/xapian.h"

/* A context holding a tokenizer, a stemmer per language met and scratch
 * buffers, all reused from report to report. Not thread-safe: one per
 * thread. Created by urb_terms_new() (NULL on OOM), freed by
 * urb_terms_free(), which accepts NULL. */
typedef struct urb_terms urb_terms_t;

urb_terms_t *urb_terms_new(void);
void urb_terms_free(urb_terms_t *ctx);

/* Adds r's terms, values and data to doc, which should be new and empty.
 * r->lang, when set, is an ISO 639-1 code; it picks the stemmer. 0, or -1
 * with the reason in urb_terms_errmsg() (OOM, a Xapian failure, a report
 * that breaks doc.h's limits). */
int urb_terms_index(const urb_report_t *r, urb_terms_t *ctx, urb_xdoc_t *doc);

/* The reason for the last failure; owned by ctx, valid until its next
 * call. */
const char *urb_terms_errmsg(const urb_terms_t *ctx);

/* Spelling data gathered over many documents: each plain word of at least
 * three characters (numbers aside) with the number of documents holding
 * it. A writer adds each word once with its count (urb_spell_write)
 * instead of once per document: Xapian's add_spelling per word and
 * document took half of a full run's CPU (docs/indexing.md). Created by
 * urb_spell_new() (NULL on OOM), freed by urb_spell_free(), which accepts
 * NULL; not thread-safe: one per thread, merged at the end. */
typedef struct urb_spell urb_spell_t;

urb_spell_t *urb_spell_new(void);
void urb_spell_free(urb_spell_t *sp);
/* Counts the words of doc (built by urb_terms_index) once. 0, or -1 on
 * OOM or a Xapian failure. */
int urb_spell_collect(urb_spell_t *sp, urb_xdoc_t *doc);
/* Adds from's counts to into. 0, or -1 on OOM. */
int urb_spell_merge(urb_spell_t *into, const urb_spell_t *from);
/* Adds every word with its count to the spelling table of the writable
 * db; only the thread writing db may call it. */
urb_xstatus_t urb_spell_write(const urb_spell_t *sp, urb_xdb_t *db);

/* One document's words at once (tests, small indexes): collect and write.
 * URB_X_NOMEM when they could not be collected. */
urb_xstatus_t urb_terms_add_spelling(urb_xdb_t *db, urb_xdoc_t *doc);

#endif
