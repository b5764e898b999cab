/* xapian.h — a C API over Xapian 1.4.
 *
 * Only lib/xapian*.cc see Xapian's C++ headers. Every function here catches
 * every exception (Xapian::Error, std::exception, anything else) and turns
 * it into a urb_xstatus_t; nothing is thrown across this boundary.
 *
 * Handles are opaque. A failing call on a handle keeps Xapian's message on
 * that handle: urb_x*_errmsg() returns it, owned by the handle and valid
 * until the next call on it. Calls that have no handle yet (open, new) hand
 * the message back through an optional `char **msg` (malloc'd, caller frees).
 *
 * Ownership, said once: every urb_x*_t a function returns through an out
 * parameter belongs to the caller, who releases it with the matching
 * urb_x*_free(). Strings returned through `char **` are malloc'd and the
 * caller frees them. Pointers returned through `const char **` point into
 * the handle named and stay valid until the next call on that handle.
 * A handle is used by one thread at a time; distinct handles, even on the
 * same database, may be used from different threads at once. Handles made
 * from a urb_xdb_t (its documents, enquires, query parsers and their
 * MSets) share its Xapian state: use them on the thread that uses it.
 */
#ifndef URBIS_XAPIAN_H
#define URBIS_XAPIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URB_API __attribute__((visibility("default")))
/* The definitions are noexcept; C++ wants the declarations to say so too. */
#ifdef __cplusplus
#define URB_XNOEXCEPT noexcept
#else
#define URB_XNOEXCEPT
#endif

typedef enum urb_xstatus {
    URB_X_OK = 0,
    URB_X_NOT_FOUND,     /* no such document, term or database */
    URB_X_MODIFIED,      /* DatabaseModifiedError: reopen, then retry */
    URB_X_LOCKED,        /* DatabaseLockError: another writer holds it */
    URB_X_CORRUPT,       /* DatabaseCorruptError, DatabaseVersionError */
    URB_X_OPENING,       /* DatabaseOpeningError: not a database */
    URB_X_QUERY,         /* QueryParserError: malformed query text */
    URB_X_INVALID,       /* InvalidArgument/Operation, closed handle */
    URB_X_NETWORK,       /* NetworkError, remote backend unreachable */
    URB_X_NOMEM,         /* std::bad_alloc */
    URB_X_ERROR,         /* any other Xapian::Error or exception */
    URB_X_LAST_STATUS
} urb_xstatus_t;

URB_API const char *urb_xstatus_str(urb_xstatus_t st) URB_XNOEXCEPT;

typedef struct urb_xdb urb_xdb_t;       /* Database or WritableDatabase */
typedef struct urb_xdoc urb_xdoc_t;     /* Document */
typedef struct urb_xquery urb_xquery_t; /* Query (immutable) */
typedef struct urb_xqp urb_xqp_t;       /* QueryParser */
typedef struct urb_xenq urb_xenq_t;     /* Enquire */
typedef struct urb_xmset urb_xmset_t;   /* MSet */

/* ---- Databases ---------------------------------------------------------- */

enum {
    URB_XDB_READ = 0,            /* read-only (path: glass dir or stub file) */
    URB_XDB_CREATE_OR_OPEN = 1,  /* writable, created when missing */
    URB_XDB_CREATE_OR_OVERWRITE = 2,
    URB_XDB_NO_SYNC = 0x100,     /* writable: no fsync (we sync at publish) */
};

URB_API urb_xstatus_t urb_xdb_open(const char *path, unsigned flags,
                                   urb_xdb_t **db, char **msg) URB_XNOEXCEPT;
/* A read-only database served by xapian-tcpsrv at host:port; a reply
 * slower than timeout_ms (and a connection) fails with URB_X_NETWORK. */
URB_API urb_xstatus_t urb_xdb_open_remote(const char *host, unsigned port,
                                          unsigned timeout_ms, urb_xdb_t **db,
                                          char **msg) URB_XNOEXCEPT;
/* A string that changes when the database's content does (UUIDs of every
 * shard and the counts), to notice a remote or replicated shard moved on.
 * *out is malloc'd. */
URB_API urb_xstatus_t urb_xdb_fingerprint(urb_xdb_t *db,
                                          char **out) URB_XNOEXCEPT;
/* A read-only database with no shards, to which urb_xdb_add() adds some. */
URB_API urb_xstatus_t urb_xdb_new_empty(urb_xdb_t **db) URB_XNOEXCEPT;
/* Searches `other` too (sharding). `db` must be read-only. */
URB_API urb_xstatus_t urb_xdb_add(urb_xdb_t *db,
                                  const urb_xdb_t *other) URB_XNOEXCEPT;
/* Closes the database; later calls on the handle give URB_X_INVALID.
 * A writer commits its pending changes first (an open transaction is
 * cancelled), as Xapian does. */
URB_API urb_xstatus_t urb_xdb_close(urb_xdb_t *db) URB_XNOEXCEPT;
URB_API void urb_xdb_free(urb_xdb_t *db) URB_XNOEXCEPT;
/* Whether a shard of db is remote: each lookup is then a round trip. */
URB_API bool urb_xdb_is_remote(const urb_xdb_t *db) URB_XNOEXCEPT;
URB_API const char *urb_xdb_errmsg(const urb_xdb_t *db) URB_XNOEXCEPT;

/* Reopen at the latest revision; *changed says whether it moved. */
URB_API urb_xstatus_t urb_xdb_reopen(urb_xdb_t *db,
                                     bool *changed) URB_XNOEXCEPT;

typedef struct urb_xdb_stats {
    uint32_t doccount;
    uint32_t lastdocid;
    double avlength;
    uint64_t total_length;
    bool has_positions;
} urb_xdb_stats_t;
URB_API urb_xstatus_t urb_xdb_stats(urb_xdb_t *db,
                                    urb_xdb_stats_t *st) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_termfreq(urb_xdb_t *db, const char *term,
                                       size_t len,
                                       uint32_t *freq) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_collection_freq(urb_xdb_t *db, const char *term,
                                              size_t len,
                                              uint64_t *freq) URB_XNOEXCEPT;

/* User metadata (key/value). A missing key gives an empty string. */
URB_API urb_xstatus_t urb_xdb_get_metadata(urb_xdb_t *db, const char *key,
                                           char **value,
                                           size_t *len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_set_metadata(urb_xdb_t *db, const char *key,
                                           const char *value,
                                           size_t len) URB_XNOEXCEPT;

URB_API urb_xstatus_t urb_xdb_get_document(urb_xdb_t *db, uint32_t docid,
                                           urb_xdoc_t **doc) URB_XNOEXCEPT;
/* The first document indexed by `term` (a unique id term). */
URB_API urb_xstatus_t urb_xdb_find_by_term(urb_xdb_t *db, const char *term,
                                           size_t len,
                                           uint32_t *docid) URB_XNOEXCEPT;

/* Iteration by callback; a non-zero return from the callback stops it. */
typedef int (*urb_xterm_cb)(void *ctx, const char *term, size_t len,
                            uint32_t termfreq);
typedef int (*urb_xdocid_cb)(void *ctx, uint32_t docid);
/* Every term starting with `prefix`, in byte order. */
URB_API urb_xstatus_t urb_xdb_allterms(urb_xdb_t *db, const char *prefix,
                                       urb_xterm_cb cb,
                                       void *ctx) URB_XNOEXCEPT;
/* Every user metadata key starting with `prefix`, in byte order (the
 * callback's termfreq is 0). */
URB_API urb_xstatus_t urb_xdb_metadata_keys(urb_xdb_t *db, const char *prefix,
                                            urb_xterm_cb cb,
                                            void *ctx) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_postlist(urb_xdb_t *db, const char *term,
                                       size_t len, urb_xdocid_cb cb,
                                       void *ctx) URB_XNOEXCEPT;
/* Sets hit[i] (never clears it) for each of docids[0..n), ascending, that
 * `term` indexes: skips along the posting list instead of walking it. */
URB_API urb_xstatus_t urb_xdb_mark_docs(urb_xdb_t *db, const char *term,
                                        size_t len, const uint32_t *docids,
                                        size_t n, bool *hit) URB_XNOEXCEPT;
/* termfreq is 0 in a synonym callback. */
URB_API urb_xstatus_t urb_xdb_synonyms(urb_xdb_t *db, const char *term,
                                       urb_xterm_cb cb,
                                       void *ctx) URB_XNOEXCEPT;
/* Spelling suggestion for one word, or *out = NULL when there is none. */
URB_API urb_xstatus_t urb_xdb_spelling(urb_xdb_t *db, const char *word,
                                       unsigned max_edit,
                                       char **out) URB_XNOEXCEPT;

/* Writing (database opened writable). */
URB_API urb_xstatus_t urb_xdb_replace_by_term(urb_xdb_t *db, const char *term,
                                              size_t len, const urb_xdoc_t *doc,
                                              uint32_t *docid) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_delete_by_term(urb_xdb_t *db, const char *term,
                                             size_t len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_commit(urb_xdb_t *db) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_begin_tx(urb_xdb_t *db,
                                       bool flushed) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_commit_tx(urb_xdb_t *db) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_cancel_tx(urb_xdb_t *db) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_add_spelling(urb_xdb_t *db, const char *word,
                                           unsigned freqinc) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_add_synonym(urb_xdb_t *db, const char *term,
                                          const char *synonym) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdb_clear_synonyms(urb_xdb_t *db,
                                             const char *term) URB_XNOEXCEPT;
/* Merge the databases at `src` into a new compact database at `dest`. */
URB_API urb_xstatus_t urb_xdb_compact(const char *const *src, size_t n,
                                      const char *dest,
                                      char **msg) URB_XNOEXCEPT;

/* ---- Documents ---------------------------------------------------------- */

/* NULL when out of memory. */
URB_API urb_xdoc_t *urb_xdoc_new(void) URB_XNOEXCEPT;
URB_API void urb_xdoc_free(urb_xdoc_t *doc) URB_XNOEXCEPT;
URB_API const char *urb_xdoc_errmsg(const urb_xdoc_t *doc) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_add_posting(urb_xdoc_t *doc, const char *term,
                                           size_t len, uint32_t pos,
                                           uint32_t wdfinc) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_add_term(urb_xdoc_t *doc, const char *term,
                                        size_t len,
                                        uint32_t wdfinc) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_add_boolean_term(urb_xdoc_t *doc,
                                                const char *term,
                                                size_t len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_set_value(urb_xdoc_t *doc, unsigned slot,
                                         const char *val,
                                         size_t len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_get_value(urb_xdoc_t *doc, unsigned slot,
                                         const char **val,
                                         size_t *len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_set_data(urb_xdoc_t *doc, const char *data,
                                        size_t len) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xdoc_get_data(urb_xdoc_t *doc, const char **data,
                                        size_t *len) URB_XNOEXCEPT;
/* termfreq in the callback is the term's wdf in the document. */
URB_API urb_xstatus_t urb_xdoc_termlist(urb_xdoc_t *doc, urb_xterm_cb cb,
                                        void *ctx) URB_XNOEXCEPT;
/* 0 when the document is not from a database. */
URB_API uint32_t urb_xdoc_docid(const urb_xdoc_t *doc) URB_XNOEXCEPT;

/* Sortable encoding of a number for values (Xapian::sortable_serialise);
 * writes at most 9 bytes to buf and returns the length. */
URB_API size_t urb_xsortable(double v, char buf[9]) URB_XNOEXCEPT;

/* ---- Queries ------------------------------------------------------------ */
/* Constructors return NULL only when out of memory or given an invalid
 * argument. Combining copies the subqueries' references: the caller still
 * frees each subquery it made. */

typedef enum urb_xop {
    URB_XOP_AND, URB_XOP_OR, URB_XOP_AND_NOT, URB_XOP_XOR, URB_XOP_AND_MAYBE,
    URB_XOP_FILTER, URB_XOP_NEAR, URB_XOP_PHRASE, URB_XOP_ELITE_SET,
    URB_XOP_SYNONYM, URB_XOP_MAX
} urb_xop_t;

URB_API urb_xquery_t *urb_xquery_term(const char *term, size_t len,
                                      uint32_t wqf, uint32_t pos) URB_XNOEXCEPT;
/* `window` is for NEAR and PHRASE (0: the number of subqueries) and is the
 * set size for ELITE_SET; ignored otherwise. */
URB_API urb_xquery_t *urb_xquery_combine(urb_xop_t op,
                                         urb_xquery_t *const *subs, size_t n,
                                         uint32_t window) URB_XNOEXCEPT;
/* Terms starting with `prefix`, expanding to at most `max_expansion` terms
 * (0: unlimited); past the limit, the most frequent ones are kept. */
URB_API urb_xquery_t *urb_xquery_wildcard(const char *prefix,
                                          uint32_t max_expansion) URB_XNOEXCEPT;
/* Documents whose value in `slot` lies in [lo, hi] (NULL: unbounded; both
 * NULL: every document with a value in `slot`). */
URB_API urb_xquery_t *urb_xquery_value_range(unsigned slot, const char *lo,
                                             size_t lo_len, const char *hi,
                                             size_t hi_len) URB_XNOEXCEPT;
URB_API urb_xquery_t *urb_xquery_scale(const urb_xquery_t *q,
                                       double factor) URB_XNOEXCEPT;
URB_API urb_xquery_t *urb_xquery_match_all(void) URB_XNOEXCEPT;
URB_API urb_xquery_t *urb_xquery_match_nothing(void) URB_XNOEXCEPT;
URB_API bool urb_xquery_empty(const urb_xquery_t *q) URB_XNOEXCEPT;
/* Xapian's description, for tests and logs; caller frees. */
URB_API char *urb_xquery_describe(const urb_xquery_t *q) URB_XNOEXCEPT;
URB_API void urb_xquery_free(urb_xquery_t *q) URB_XNOEXCEPT;

/* ---- QueryParser -------------------------------------------------------- */

enum { /* Xapian::QueryParser::feature_flag, same values */
    URB_XQP_BOOLEAN = 1, URB_XQP_PHRASE = 2, URB_XQP_LOVEHATE = 4,
    URB_XQP_BOOLEAN_ANY_CASE = 8, URB_XQP_WILDCARD = 16, URB_XQP_PURE_NOT = 32,
    URB_XQP_PARTIAL = 64, URB_XQP_SPELLING_CORRECTION = 128,
    URB_XQP_SYNONYM = 256, URB_XQP_AUTO_SYNONYMS = 512,
    URB_XQP_CJK_NGRAM = 2048, URB_XQP_DEFAULT = 7,
};
typedef enum urb_xstem_strategy {
    URB_XSTEM_NONE, URB_XSTEM_SOME, URB_XSTEM_ALL, URB_XSTEM_ALL_Z,
    URB_XSTEM_SOME_FULL_POS
} urb_xstem_strategy_t;

URB_API urb_xstatus_t urb_xqp_new(urb_xqp_t **qp) URB_XNOEXCEPT;
URB_API void urb_xqp_free(urb_xqp_t *qp) URB_XNOEXCEPT;
URB_API const char *urb_xqp_errmsg(const urb_xqp_t *qp) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_set_database(urb_xqp_t *qp,
                                           urb_xdb_t *db) URB_XNOEXCEPT;
/* Xapian's own stemmer for `lang` (a Snowball name or ISO code). */
URB_API urb_xstatus_t urb_xqp_set_stemmer(urb_xqp_t *qp,
                                          const char *lang) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_set_stemming_strategy(
    urb_xqp_t *qp, urb_xstem_strategy_t s) URB_XNOEXCEPT;
/* A stopper over `n` words (copied). */
URB_API urb_xstatus_t urb_xqp_set_stopwords(urb_xqp_t *qp,
                                            const char *const *words,
                                            size_t n) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_set_default_op(urb_xqp_t *qp,
                                             urb_xop_t op) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_add_prefix(urb_xqp_t *qp, const char *field,
                                         const char *prefix) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_add_boolean_prefix(
    urb_xqp_t *qp, const char *field, const char *prefix) URB_XNOEXCEPT;
/* `field:lo..hi` over a numeric value slot (sortable-encoded); an empty
 * `field` takes a bare `lo..hi`. */
URB_API urb_xstatus_t urb_xqp_add_number_range(urb_xqp_t *qp, unsigned slot,
                                               const char *field) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xqp_parse(urb_xqp_t *qp, const char *text,
                                    unsigned flags,
                                    urb_xquery_t **q) URB_XNOEXCEPT;
/* After a parse with SPELLING_CORRECTION: the corrected text, or "". */
URB_API urb_xstatus_t urb_xqp_corrected(urb_xqp_t *qp,
                                        const char **text) URB_XNOEXCEPT;

/* ---- Enquire and MSet --------------------------------------------------- */

URB_API urb_xstatus_t urb_xenq_new(urb_xdb_t *db,
                                   urb_xenq_t **enq) URB_XNOEXCEPT;
URB_API void urb_xenq_free(urb_xenq_t *enq) URB_XNOEXCEPT;
URB_API const char *urb_xenq_errmsg(const urb_xenq_t *enq) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xenq_set_query(urb_xenq_t *enq,
                                         const urb_xquery_t *q) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xenq_set_bm25(urb_xenq_t *enq, double k1, double k2,
                                        double k3, double b,
                                        double min_normlen) URB_XNOEXCEPT;
/* Order by value `slot` (reverse: descending), ties by relevance. */
URB_API urb_xstatus_t urb_xenq_sort_by_value(urb_xenq_t *enq, unsigned slot,
                                             bool reverse) URB_XNOEXCEPT;
/* Order by relevance, ties by value `slot`. */
URB_API urb_xstatus_t urb_xenq_sort_by_relevance_then_value(
    urb_xenq_t *enq, unsigned slot, bool reverse) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xenq_set_time_limit(urb_xenq_t *enq,
                                              double secs) URB_XNOEXCEPT;
/* Count the values of `slot` over every match. With a non-zero `sep`, a
 * value is a list split on that byte and each item counted. Returns the
 * facet's index through *idx. Add before urb_xenq_mset(). */
URB_API urb_xstatus_t urb_xenq_add_facet(urb_xenq_t *enq, unsigned slot,
                                         char sep, unsigned *idx) URB_XNOEXCEPT;
/* checkatleast: examine at least that many matches (exact totals and
 * facets want the doccount). */
URB_API urb_xstatus_t urb_xenq_mset(urb_xenq_t *enq, uint32_t first,
                                    uint32_t maxitems, uint32_t checkatleast,
                                    urb_xmset_t **mset) URB_XNOEXCEPT;
/* The counts of facet `idx` from the last urb_xenq_mset(), most frequent
 * first, ties in byte order of the value; termfreq in the callback is the
 * count. URB_X_INVALID before a successful urb_xenq_mset(). */
URB_API urb_xstatus_t urb_xenq_facet(urb_xenq_t *enq, unsigned idx,
                                     urb_xterm_cb cb, void *ctx) URB_XNOEXCEPT;

URB_API void urb_xmset_free(urb_xmset_t *ms) URB_XNOEXCEPT;
URB_API const char *urb_xmset_errmsg(const urb_xmset_t *ms) URB_XNOEXCEPT;
URB_API uint32_t urb_xmset_size(const urb_xmset_t *ms) URB_XNOEXCEPT;
typedef struct urb_xmatches {
    uint32_t lower, estimated, upper;
} urb_xmatches_t;
URB_API void urb_xmset_matches(const urb_xmset_t *ms,
                               urb_xmatches_t *m) URB_XNOEXCEPT;
/* The i-th hit (0-based within the MSet). */
URB_API urb_xstatus_t urb_xmset_item(urb_xmset_t *ms, uint32_t i,
                                     uint32_t *docid,
                                     double *weight) URB_XNOEXCEPT;
URB_API urb_xstatus_t urb_xmset_document(urb_xmset_t *ms, uint32_t i,
                                         urb_xdoc_t **doc) URB_XNOEXCEPT;
/* Xapian's MSet::snippet over `text` with Xapian's stemmer for `lang`
 * (NULL: none), at most `length` bytes; HTML-escaped, matches between <b>
 * and </b>, cut text marked with "…". */
URB_API urb_xstatus_t urb_xmset_snippet(urb_xmset_t *ms, const char *text,
                                        size_t len, size_t length,
                                        const char *lang,
                                        char **out) URB_XNOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
