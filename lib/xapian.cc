/* xapian.cc — the C API of xapian.h over Xapian 1.4.
 *
 * Each exported function is noexcept and runs its body inside try/catch;
 * the catch hands the exception to caught(), which rethrows it to map its
 * type to a status and keeps the message on the handle (notmuch does the
 * same in lib/database.cc). Nothing but the urb_x* functions is exported:
 * CMake builds this file with -fvisibility=hidden.
 */
#include "urbis/xapian.h"

#include <xapian.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct urb_xdb {
    std::unique_ptr<Xapian::Database> db; /* a WritableDatabase if writable */
    bool writable = false;
    bool remote = false; /* a shard is remote: see urb_xenq_mset */
    bool closed = false;
    std::string err;
};

struct urb_xdoc {
    Xapian::Document doc;
    std::string buf; /* what get_value and get_data hand out */
    std::string err;
};

struct urb_xquery {
    Xapian::Query q;
};

struct urb_xqp {
    Xapian::QueryParser qp;
    std::string corrected;
    std::string err;
};

namespace
{
struct facet {
    Xapian::valueno slot;
    char sep; /* 0: the whole value is the item */
};
} // namespace

struct urb_xenq {
    urb_xenq(const Xapian::Database &db, bool remote) : remote(remote), enq(db)
    {
    }
    bool remote;
    std::vector<facet> facets;
    /* One spy per facet, made afresh by each urb_xenq_mset() because the
     * spies accumulate. Declared before `enq`, which points to them, so
     * that `enq` is destroyed first. */
    std::vector<std::unique_ptr<Xapian::MatchSpy>> spies;
    bool counted = false; /* the spies hold a whole successful match */
    Xapian::Enquire enq;
    std::string err;
};

struct urb_xmset {
    Xapian::MSet ms;
    std::string err;
};

/* ---- Errors ------------------------------------------------------------- */

static urb_xstatus_t keep(std::string &msg, const char *text,
                          urb_xstatus_t st) noexcept
{
    try {
        msg = text;
    } catch (...) {
        msg.clear();
    }
    return st;
}

static urb_xstatus_t keep(std::string &msg, const Xapian::Error &e,
                          urb_xstatus_t st) noexcept
{
    try {
        msg = e.get_description();
    } catch (...) {
        msg.clear();
    }
    return st;
}

/* Maps the exception being handled to a status, its message to `msg`.
 * Call it only from a catch block: it rethrows that exception. Derived
 * classes come before their bases (DatabaseVersionError and
 * DatabaseNotFoundError are DatabaseOpeningErrors). */
static urb_xstatus_t caught(std::string &msg) noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseModifiedError &e) {
        return keep(msg, e, URB_X_MODIFIED);
    } catch (const Xapian::DatabaseLockError &e) {
        return keep(msg, e, URB_X_LOCKED);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return keep(msg, e, URB_X_CORRUPT);
    } catch (const Xapian::DatabaseVersionError &e) {
        return keep(msg, e, URB_X_CORRUPT);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return keep(msg, e, URB_X_NOT_FOUND);
    } catch (const Xapian::DocNotFoundError &e) {
        return keep(msg, e, URB_X_NOT_FOUND);
    } catch (const Xapian::DatabaseOpeningError &e) {
        return keep(msg, e, URB_X_OPENING);
    } catch (const Xapian::DatabaseClosedError &e) {
        /* A handle sharing a database that urb_xdb_close() closed. */
        return keep(msg, e, URB_X_INVALID);
    } catch (const Xapian::QueryParserError &e) {
        return keep(msg, e, URB_X_QUERY);
    } catch (const Xapian::InvalidArgumentError &e) {
        return keep(msg, e, URB_X_INVALID);
    } catch (const Xapian::InvalidOperationError &e) {
        return keep(msg, e, URB_X_INVALID);
    } catch (const Xapian::NetworkError &e) {
        return keep(msg, e, URB_X_NETWORK);
    } catch (const Xapian::Error &e) {
        return keep(msg, e, URB_X_ERROR);
    } catch (const std::bad_alloc &) {
        return keep(msg, "out of memory", URB_X_NOMEM);
    } catch (const std::exception &e) {
        return keep(msg, e.what(), URB_X_ERROR);
    } catch (...) {
        return keep(msg, "unknown exception", URB_X_ERROR);
    }
}

/* caught() for calls that have no handle: the message goes to *msg. */
static urb_xstatus_t caught_to(char **msg) noexcept
{
    std::string err;
    urb_xstatus_t st = caught(err);
    if (msg)
        *msg = strdup(err.c_str());
    return st;
}

URB_API const char *urb_xstatus_str(urb_xstatus_t st) noexcept
{
    static const char *const names[URB_X_LAST_STATUS] = {
        "ok",
        "not found",
        "database modified",
        "database locked",
        "database corrupt",
        "cannot open database",
        "malformed query",
        "invalid argument or operation",
        "network error",
        "out of memory",
        "xapian error",
    };
    return (unsigned)st < URB_X_LAST_STATUS ? names[st] : "unknown status";
}

/* ---- Helpers ------------------------------------------------------------ */

/* A malloc'd, NUL-terminated copy of `s`. */
static char *dup(const std::string &s)
{
    char *p = static_cast<char *>(malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

static Xapian::Database &reader(const urb_xdb_t *db)
{
    if (db->closed)
        throw Xapian::InvalidOperationError("the database is closed");
    return *db->db;
}

static Xapian::WritableDatabase &writer(urb_xdb_t *db)
{
    Xapian::Database &d = reader(db);
    if (!db->writable)
        throw Xapian::InvalidOperationError("the database is read-only");
    return static_cast<Xapian::WritableDatabase &>(d);
}

static Xapian::Query::op xop(urb_xop_t op)
{
    static const Xapian::Query::op ops[] = {
        Xapian::Query::OP_AND,       Xapian::Query::OP_OR,
        Xapian::Query::OP_AND_NOT,   Xapian::Query::OP_XOR,
        Xapian::Query::OP_AND_MAYBE, Xapian::Query::OP_FILTER,
        Xapian::Query::OP_NEAR,      Xapian::Query::OP_PHRASE,
        Xapian::Query::OP_ELITE_SET, Xapian::Query::OP_SYNONYM,
        Xapian::Query::OP_MAX,
    };
    static_assert(sizeof ops / sizeof ops[0] == URB_XOP_MAX + 1,
                  "one Xapian operator per urb_xop_t");
    if ((unsigned)op > URB_XOP_MAX)
        throw Xapian::InvalidArgumentError("unknown query operator");
    return ops[op];
}

/* ---- Databases ---------------------------------------------------------- */

static std::unique_ptr<Xapian::Database> open_db(const char *path,
                                                 unsigned flags)
{
    int sync = flags & URB_XDB_NO_SYNC ? Xapian::DB_NO_SYNC : 0;
    switch (flags & ~URB_XDB_NO_SYNC) {
    case URB_XDB_READ:
        return std::make_unique<Xapian::Database>(path);
    case URB_XDB_CREATE_OR_OPEN:
        return std::make_unique<Xapian::WritableDatabase>(
            path, Xapian::DB_CREATE_OR_OPEN | sync);
    case URB_XDB_CREATE_OR_OVERWRITE:
        return std::make_unique<Xapian::WritableDatabase>(
            path, Xapian::DB_CREATE_OR_OVERWRITE | sync);
    }
    throw Xapian::InvalidArgumentError("unknown urb_xdb_open mode");
}

URB_API urb_xstatus_t urb_xdb_open(const char *path, unsigned flags,
                                   urb_xdb_t **db, char **msg) noexcept
{
    *db = nullptr;
    if (msg)
        *msg = nullptr;
    try {
        auto h = std::make_unique<urb_xdb>();
        h->db = open_db(path, flags);
        h->writable = (flags & ~URB_XDB_NO_SYNC) != URB_XDB_READ;
        *db = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught_to(msg);
    }
}

URB_API urb_xstatus_t urb_xdb_open_remote(const char *host, unsigned port,
                                          unsigned timeout_ms, urb_xdb_t **db,
                                          char **msg) noexcept
{
    *db = nullptr;
    if (msg)
        *msg = nullptr;
    try {
        auto h = std::make_unique<urb_xdb>();
        h->db = std::make_unique<Xapian::Database>(
            Xapian::Remote::open(host, port, timeout_ms, timeout_ms));
        h->remote = true;
        *db = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught_to(msg);
    }
}

URB_API urb_xstatus_t urb_xdb_fingerprint(urb_xdb_t *db, char **out) noexcept
{
    *out = nullptr;
    try {
        Xapian::Database &d = reader(db);
        /* A shard copied from the previous generation keeps its UUID:
         * the counts tell the copies apart. */
        char counts[80];
        snprintf(counts, sizeof counts, " %u %u %llu", d.get_doccount(),
                 d.get_lastdocid(),
                 (unsigned long long)d.get_total_length());
        *out = strdup((d.get_uuid() + counts).c_str());
        if (!*out)
            throw std::bad_alloc();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_new_empty(urb_xdb_t **db) noexcept
{
    *db = nullptr;
    try {
        auto h = std::make_unique<urb_xdb>();
        h->db = std::make_unique<Xapian::Database>();
        *db = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught_to(nullptr);
    }
}

URB_API bool urb_xdb_is_remote(const urb_xdb_t *db) noexcept
{
    return db->remote;
}

URB_API urb_xstatus_t urb_xdb_add(urb_xdb_t *db,
                                  const urb_xdb_t *other) noexcept
{
    try {
        Xapian::Database &d = reader(db);
        if (db->writable)
            throw Xapian::InvalidOperationError(
                "cannot add a shard to a writable database");
        d.add_database(reader(other));
        db->remote |= other->remote;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_close(urb_xdb_t *db) noexcept
{
    try {
        reader(db).close();
        db->closed = true;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API void urb_xdb_free(urb_xdb_t *db) noexcept
{
    delete db;
}

URB_API const char *urb_xdb_errmsg(const urb_xdb_t *db) noexcept
{
    return db ? db->err.c_str() : "";
}

URB_API urb_xstatus_t urb_xdb_reopen(urb_xdb_t *db, bool *changed) noexcept
{
    try {
        bool moved = reader(db).reopen();
        if (changed)
            *changed = moved;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_stats(urb_xdb_t *db, urb_xdb_stats_t *st) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        st->doccount = d.get_doccount();
        st->lastdocid = d.get_lastdocid();
        st->avlength = d.get_avlength();
        st->total_length = d.get_total_length();
        st->has_positions = d.has_positions();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_termfreq(urb_xdb_t *db, const char *term,
                                       size_t len, uint32_t *freq) noexcept
{
    try {
        *freq = reader(db).get_termfreq(std::string(term, len));
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_collection_freq(urb_xdb_t *db, const char *term,
                                              size_t len,
                                              uint64_t *freq) noexcept
{
    try {
        *freq = reader(db).get_collection_freq(std::string(term, len));
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_get_metadata(urb_xdb_t *db, const char *key,
                                           char **value, size_t *len) noexcept
{
    *value = nullptr;
    try {
        const std::string v = reader(db).get_metadata(key);
        *value = dup(v);
        if (len)
            *len = v.size();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_set_metadata(urb_xdb_t *db, const char *key,
                                           const char *value,
                                           size_t len) noexcept
{
    try {
        writer(db).set_metadata(key, std::string(value, len));
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_get_document(urb_xdb_t *db, uint32_t docid,
                                           urb_xdoc_t **doc) noexcept
{
    *doc = nullptr;
    try {
        auto h = std::make_unique<urb_xdoc>();
        h->doc = reader(db).get_document(docid);
        *doc = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_find_by_term(urb_xdb_t *db, const char *term,
                                           size_t len, uint32_t *docid) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        const std::string t(term, len);
        Xapian::PostingIterator it = d.postlist_begin(t);
        if (it == d.postlist_end(t))
            throw Xapian::DocNotFoundError("no document has term " + t);
        *docid = *it;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

/* Hands each term of [it, end) to cb with freq(it), until cb says stop. */
template <typename Freq>
static void each_term(Xapian::TermIterator it, const Xapian::TermIterator &end,
                      urb_xterm_cb cb, void *ctx, Freq freq)
{
    for (; it != end; ++it) {
        const std::string t = *it;
        if (cb(ctx, t.data(), t.size(), freq(it)))
            break;
    }
}

URB_API urb_xstatus_t urb_xdb_allterms(urb_xdb_t *db, const char *prefix,
                                       urb_xterm_cb cb, void *ctx) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        each_term(
            d.allterms_begin(prefix), d.allterms_end(prefix), cb, ctx,
            [](const Xapian::TermIterator &it) { return it.get_termfreq(); });
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_metadata_keys(urb_xdb_t *db, const char *prefix,
                                            urb_xterm_cb cb, void *ctx) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        each_term(d.metadata_keys_begin(prefix), d.metadata_keys_end(prefix),
                  cb, ctx, [](const Xapian::TermIterator &) { return 0u; });
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_postlist(urb_xdb_t *db, const char *term,
                                       size_t len, urb_xdocid_cb cb,
                                       void *ctx) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        const std::string t(term, len);
        for (auto it = d.postlist_begin(t); it != d.postlist_end(t); ++it)
            if (cb(ctx, *it))
                break;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_mark_docs(urb_xdb_t *db, const char *term,
                                        size_t len, const uint32_t *docids,
                                        size_t n, bool *hit) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        const std::string t(term, len);
        Xapian::PostingIterator it = d.postlist_begin(t), end = d.postlist_end(t);
        for (size_t i = 0; i < n && it != end; i++) {
            it.skip_to(docids[i]);
            if (it != end && *it == docids[i])
                hit[i] = true;
        }
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_synonyms(urb_xdb_t *db, const char *term,
                                       urb_xterm_cb cb, void *ctx) noexcept
{
    try {
        const Xapian::Database &d = reader(db);
        each_term(d.synonyms_begin(term), d.synonyms_end(term), cb, ctx,
                  [](const Xapian::TermIterator &) { return 0u; });
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_spelling(urb_xdb_t *db, const char *word,
                                       unsigned max_edit, char **out) noexcept
{
    *out = nullptr;
    try {
        const std::string s =
            reader(db).get_spelling_suggestion(word, max_edit);
        if (!s.empty())
            *out = dup(s);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_replace_by_term(urb_xdb_t *db, const char *term,
                                              size_t len, const urb_xdoc_t *doc,
                                              uint32_t *docid) noexcept
{
    try {
        Xapian::docid did =
            writer(db).replace_document(std::string(term, len), doc->doc);
        if (docid)
            *docid = did;
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_delete_by_term(urb_xdb_t *db, const char *term,
                                             size_t len) noexcept
{
    try {
        writer(db).delete_document(std::string(term, len));
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_commit(urb_xdb_t *db) noexcept
{
    try {
        writer(db).commit();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_begin_tx(urb_xdb_t *db, bool flushed) noexcept
{
    try {
        writer(db).begin_transaction(flushed);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_commit_tx(urb_xdb_t *db) noexcept
{
    try {
        writer(db).commit_transaction();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_cancel_tx(urb_xdb_t *db) noexcept
{
    try {
        writer(db).cancel_transaction();
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_add_spelling(urb_xdb_t *db, const char *word,
                                           unsigned freqinc) noexcept
{
    try {
        writer(db).add_spelling(word, freqinc);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_add_synonym(urb_xdb_t *db, const char *term,
                                          const char *synonym) noexcept
{
    try {
        writer(db).add_synonym(term, synonym);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_clear_synonyms(urb_xdb_t *db,
                                             const char *term) noexcept
{
    try {
        writer(db).clear_synonyms(term);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API urb_xstatus_t urb_xdb_compact(const char *const *src, size_t n,
                                      const char *dest, char **msg) noexcept
{
    if (msg)
        *msg = nullptr;
    try {
        if (n == 0)
            throw Xapian::InvalidArgumentError("no database to compact");
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(src[i]));
        all.compact(dest);
        return URB_X_OK;
    } catch (...) {
        return caught_to(msg);
    }
}

/* ---- Documents ---------------------------------------------------------- */

URB_API urb_xdoc_t *urb_xdoc_new(void) noexcept
{
    try {
        return new urb_xdoc();
    } catch (...) {
        return nullptr;
    }
}

URB_API void urb_xdoc_free(urb_xdoc_t *doc) noexcept
{
    delete doc;
}

URB_API const char *urb_xdoc_errmsg(const urb_xdoc_t *doc) noexcept
{
    return doc ? doc->err.c_str() : "";
}

URB_API urb_xstatus_t urb_xdoc_add_posting(urb_xdoc_t *doc, const char *term,
                                           size_t len, uint32_t pos,
                                           uint32_t wdfinc) noexcept
{
    try {
        doc->doc.add_posting(std::string(term, len), pos, wdfinc);
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_add_term(urb_xdoc_t *doc, const char *term,
                                        size_t len, uint32_t wdfinc) noexcept
{
    try {
        doc->doc.add_term(std::string(term, len), wdfinc);
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_add_boolean_term(urb_xdoc_t *doc,
                                                const char *term,
                                                size_t len) noexcept
{
    try {
        doc->doc.add_boolean_term(std::string(term, len));
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_set_value(urb_xdoc_t *doc, unsigned slot,
                                         const char *val, size_t len) noexcept
{
    try {
        doc->doc.add_value(slot, std::string(val, len));
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_get_value(urb_xdoc_t *doc, unsigned slot,
                                         const char **val, size_t *len) noexcept
{
    try {
        doc->buf = doc->doc.get_value(slot);
        *val = doc->buf.c_str();
        *len = doc->buf.size();
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_set_data(urb_xdoc_t *doc, const char *data,
                                        size_t len) noexcept
{
    try {
        doc->doc.set_data(std::string(data, len));
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_get_data(urb_xdoc_t *doc, const char **data,
                                        size_t *len) noexcept
{
    try {
        doc->buf = doc->doc.get_data();
        *data = doc->buf.c_str();
        *len = doc->buf.size();
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

URB_API urb_xstatus_t urb_xdoc_termlist(urb_xdoc_t *doc, urb_xterm_cb cb,
                                        void *ctx) noexcept
{
    try {
        each_term(doc->doc.termlist_begin(), doc->doc.termlist_end(), cb, ctx,
                  [](const Xapian::TermIterator &it) { return it.get_wdf(); });
        return URB_X_OK;
    } catch (...) {
        return caught(doc->err);
    }
}

/* The getters below have no status to fail with; Xapian's getters do not
 * throw in practice, but they may, and noexcept would turn that into
 * std::terminate(). */
URB_API uint32_t urb_xdoc_docid(const urb_xdoc_t *doc) noexcept
{
    try {
        return doc->doc.get_docid();
    } catch (...) {
        return 0;
    }
}

URB_API size_t urb_xsortable(double v, char buf[9]) noexcept
{
    return Xapian::sortable_serialise_(v, buf);
}

/* ---- Queries ------------------------------------------------------------ */

URB_API urb_xquery_t *urb_xquery_term(const char *term, size_t len,
                                      uint32_t wqf, uint32_t pos) noexcept
{
    try {
        return new urb_xquery{Xapian::Query(std::string(term, len), wqf, pos)};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_combine(urb_xop_t op,
                                         urb_xquery_t *const *subs, size_t n,
                                         uint32_t window) noexcept
{
    try {
        std::vector<Xapian::Query> qs;
        qs.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (!subs[i])
                return nullptr;
            qs.push_back(subs[i]->q);
        }
        bool windowed = op == URB_XOP_NEAR || op == URB_XOP_PHRASE ||
                        op == URB_XOP_ELITE_SET;
        return new urb_xquery{Xapian::Query(xop(op), qs.begin(), qs.end(),
                                            windowed ? window : 0)};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_wildcard(const char *prefix,
                                          uint32_t max_expansion) noexcept
{
    /* Xapian reads a limit of 0 as "keep none" when the most frequent are
     * kept, and as "no limit" otherwise. */
    int limit = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                              : Xapian::Query::WILDCARD_LIMIT_ERROR;
    try {
        return new urb_xquery{Xapian::Query(Xapian::Query::OP_WILDCARD, prefix,
                                            max_expansion, limit)};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_value_range(unsigned slot, const char *lo,
                                             size_t lo_len, const char *hi,
                                             size_t hi_len) noexcept
{
    using Q = Xapian::Query;
    try {
        if (lo && hi)
            return new urb_xquery{Q(Q::OP_VALUE_RANGE, slot,
                                    std::string(lo, lo_len),
                                    std::string(hi, hi_len))};
        if (lo)
            return new urb_xquery{
                Q(Q::OP_VALUE_GE, slot, std::string(lo, lo_len))};
        if (hi)
            return new urb_xquery{
                Q(Q::OP_VALUE_LE, slot, std::string(hi, hi_len))};
        /* A missing value reads as "", which Xapian turns GE "" into
         * MatchAll; "\0" is the least value that is there. */
        return new urb_xquery{Q(Q::OP_VALUE_GE, slot, std::string(1, '\0'))};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_scale(const urb_xquery_t *q,
                                       double factor) noexcept
{
    try {
        if (!q)
            return nullptr;
        return new urb_xquery{
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor)};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_match_all(void) noexcept
{
    try {
        return new urb_xquery{Xapian::Query::MatchAll};
    } catch (...) {
        return nullptr;
    }
}

URB_API urb_xquery_t *urb_xquery_match_nothing(void) noexcept
{
    try {
        return new urb_xquery{Xapian::Query::MatchNothing};
    } catch (...) {
        return nullptr;
    }
}

URB_API bool urb_xquery_empty(const urb_xquery_t *q) noexcept
{
    return !q || q->q.empty();
}

URB_API char *urb_xquery_describe(const urb_xquery_t *q) noexcept
{
    try {
        return dup(q->q.get_description());
    } catch (...) {
        return nullptr;
    }
}

URB_API void urb_xquery_free(urb_xquery_t *q) noexcept
{
    delete q;
}

/* ---- QueryParser -------------------------------------------------------- */

URB_API urb_xstatus_t urb_xqp_new(urb_xqp_t **qp) noexcept
{
    *qp = nullptr;
    try {
        *qp = new urb_xqp();
        return URB_X_OK;
    } catch (...) {
        return caught_to(nullptr);
    }
}

URB_API void urb_xqp_free(urb_xqp_t *qp) noexcept
{
    delete qp;
}

URB_API const char *urb_xqp_errmsg(const urb_xqp_t *qp) noexcept
{
    return qp ? qp->err.c_str() : "";
}

URB_API urb_xstatus_t urb_xqp_set_database(urb_xqp_t *qp,
                                           urb_xdb_t *db) noexcept
{
    try {
        qp->qp.set_database(reader(db));
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_set_stemmer(urb_xqp_t *qp,
                                          const char *lang) noexcept
{
    try {
        qp->qp.set_stemmer(Xapian::Stem(lang));
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t
urb_xqp_set_stemming_strategy(urb_xqp_t *qp, urb_xstem_strategy_t s) noexcept
{
    using QP = Xapian::QueryParser;
    static const QP::stem_strategy strategies[] = {
        QP::STEM_NONE,  QP::STEM_SOME,          QP::STEM_ALL,
        QP::STEM_ALL_Z, QP::STEM_SOME_FULL_POS,
    };
    static_assert(sizeof strategies / sizeof strategies[0] ==
                      URB_XSTEM_SOME_FULL_POS + 1,
                  "one Xapian strategy per urb_xstem_strategy_t");
    try {
        if ((unsigned)s > URB_XSTEM_SOME_FULL_POS)
            throw Xapian::InvalidArgumentError("unknown stemming strategy");
        qp->qp.set_stemming_strategy(strategies[s]);
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_set_stopwords(urb_xqp_t *qp,
                                            const char *const *words,
                                            size_t n) noexcept
{
    try {
        /* release() hands the stopper to Xapian's reference counting: the
         * QueryParser deletes it when it no longer needs it. */
        qp->qp.set_stopper(
            (new Xapian::SimpleStopper(words, words + n))->release());
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_set_default_op(urb_xqp_t *qp,
                                             urb_xop_t op) noexcept
{
    try {
        qp->qp.set_default_op(xop(op));
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_add_prefix(urb_xqp_t *qp, const char *field,
                                         const char *prefix) noexcept
{
    try {
        qp->qp.add_prefix(field, prefix);
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_add_boolean_prefix(urb_xqp_t *qp,
                                                 const char *field,
                                                 const char *prefix) noexcept
{
    try {
        qp->qp.add_boolean_prefix(field, prefix);
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_add_number_range(urb_xqp_t *qp, unsigned slot,
                                               const char *field) noexcept
{
    try {
        std::string str = *field ? std::string(field) + ":" : std::string();
        qp->qp.add_rangeprocessor(
            (new Xapian::NumberRangeProcessor(slot, str))->release());
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_parse(urb_xqp_t *qp, const char *text,
                                    unsigned flags, urb_xquery_t **q) noexcept
{
    *q = nullptr;
    try {
        qp->corrected.clear();
        auto h = std::make_unique<urb_xquery>();
        h->q = qp->qp.parse_query(text, flags);
        qp->corrected = qp->qp.get_corrected_query_string();
        *q = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught(qp->err);
    }
}

URB_API urb_xstatus_t urb_xqp_corrected(urb_xqp_t *qp,
                                        const char **text) noexcept
{
    *text = qp->corrected.c_str();
    return URB_X_OK;
}

/* ---- Enquire and MSet --------------------------------------------------- */


using facet_counts = std::vector<std::pair<std::string, Xapian::doccount>>;

static facet_counts count_facet(const facet &f, const Xapian::MatchSpy &spy)
{
    facet_counts out;
    const auto &vc = static_cast<const Xapian::ValueCountMatchSpy &>(spy);
    if (!f.sep) {
        for (auto it = vc.values_begin(); it != vc.values_end(); ++it)
            out.emplace_back(*it, it.get_termfreq());
    } else {
        /* A list value counted whole adds its count to each of its items,
         * once per item however often the list repeats it. Counting whole
         * values keeps the spy Xapian's own, which remote shards run. */
        std::map<std::string, Xapian::doccount, std::less<>> counts;
        std::vector<std::string_view> seen;
        for (auto it = vc.values_begin(); it != vc.values_end(); ++it) {
            const std::string v = *it;
            seen.clear();
            for (size_t start = 0; start < v.size();) {
                size_t end = v.find(f.sep, start);
                if (end == std::string::npos)
                    end = v.size();
                std::string_view item(v.data() + start, end - start);
                start = end + 1;
                if (item.empty() ||
                    std::find(seen.begin(), seen.end(), item) != seen.end())
                    continue;
                seen.push_back(item);
                auto c = counts.find(item);
                if (c == counts.end())
                    counts.emplace(item, it.get_termfreq());
                else
                    c->second += it.get_termfreq();
            }
        }
        out.assign(counts.begin(), counts.end());
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

URB_API urb_xstatus_t urb_xenq_new(urb_xdb_t *db, urb_xenq_t **enq) noexcept
{
    *enq = nullptr;
    try {
        *enq = new urb_xenq(reader(db), db->remote);
        return URB_X_OK;
    } catch (...) {
        return caught(db->err);
    }
}

URB_API void urb_xenq_free(urb_xenq_t *enq) noexcept
{
    delete enq;
}

URB_API const char *urb_xenq_errmsg(const urb_xenq_t *enq) noexcept
{
    return enq ? enq->err.c_str() : "";
}

URB_API urb_xstatus_t urb_xenq_set_query(urb_xenq_t *enq,
                                         const urb_xquery_t *q) noexcept
{
    try {
        enq->enq.set_query(q->q);
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_set_bm25(urb_xenq_t *enq, double k1, double k2,
                                        double k3, double b,
                                        double min_normlen) noexcept
{
    try {
        enq->enq.set_weighting_scheme(
            Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_sort_by_value(urb_xenq_t *enq, unsigned slot,
                                             bool reverse) noexcept
{
    try {
        enq->enq.set_sort_by_value_then_relevance(slot, reverse);
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_sort_by_relevance_then_value(
    urb_xenq_t *enq, unsigned slot, bool reverse) noexcept
{
    try {
        enq->enq.set_sort_by_relevance_then_value(slot, reverse);
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_set_time_limit(urb_xenq_t *enq,
                                              double secs) noexcept
{
    try {
        enq->enq.set_time_limit(secs);
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_add_facet(urb_xenq_t *enq, unsigned slot,
                                         char sep, unsigned *idx) noexcept
{
    try {
        enq->facets.push_back({slot, sep});
        *idx = enq->facets.size() - 1;
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_mset(urb_xenq_t *enq, uint32_t first,
                                    uint32_t maxitems, uint32_t checkatleast,
                                    urb_xmset_t **mset) noexcept
{
    *mset = nullptr;
    try {
        enq->counted = false;
        enq->enq.clear_matchspies();
        enq->spies.clear();
        for (const facet &f : enq->facets) {
            enq->spies.push_back(
                std::make_unique<Xapian::ValueCountMatchSpy>(f.slot));
            enq->enq.add_matchspy(enq->spies.back().get());
        }
        auto h = std::make_unique<urb_xmset>();
        /* Xapian 1.4 gives the spies the hits a remote shard returns once
         * more when it merges them: count with no hits, then match alone. */
        if (enq->remote && !enq->spies.empty()) {
            enq->enq.get_mset(0, 0, checkatleast);
            enq->enq.clear_matchspies();
        }
        h->ms = enq->enq.get_mset(first, maxitems, checkatleast);
        enq->counted = true;
        *mset = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API urb_xstatus_t urb_xenq_facet(urb_xenq_t *enq, unsigned idx,
                                     urb_xterm_cb cb, void *ctx) noexcept
{
    try {
        if (!enq->counted || idx >= enq->spies.size())
            throw Xapian::InvalidOperationError(
                "no such facet in the last urb_xenq_mset()");
        for (const auto &[value, count] :
             count_facet(enq->facets[idx], *enq->spies[idx]))
            if (cb(ctx, value.data(), value.size(), count))
                break;
        return URB_X_OK;
    } catch (...) {
        return caught(enq->err);
    }
}

URB_API void urb_xmset_free(urb_xmset_t *ms) noexcept
{
    delete ms;
}

URB_API const char *urb_xmset_errmsg(const urb_xmset_t *ms) noexcept
{
    return ms ? ms->err.c_str() : "";
}

/* No status to fail with, as urb_xdoc_docid(). */
URB_API uint32_t urb_xmset_size(const urb_xmset_t *ms) noexcept
{
    try {
        return ms->ms.size();
    } catch (...) {
        return 0;
    }
}

URB_API void urb_xmset_matches(const urb_xmset_t *ms,
                               urb_xmatches_t *m) noexcept
{
    try {
        m->lower = ms->ms.get_matches_lower_bound();
        m->estimated = ms->ms.get_matches_estimated();
        m->upper = ms->ms.get_matches_upper_bound();
    } catch (...) {
        *m = urb_xmatches_t{0, 0, 0};
    }
}

/* The i-th hit; Xapian does not check the index itself. */
static Xapian::MSetIterator hit(const urb_xmset_t *ms, uint32_t i)
{
    if (i >= ms->ms.size())
        throw Xapian::InvalidArgumentError("MSet index out of range");
    return ms->ms[i];
}

URB_API urb_xstatus_t urb_xmset_item(urb_xmset_t *ms, uint32_t i,
                                     uint32_t *docid, double *weight) noexcept
{
    try {
        Xapian::MSetIterator it = hit(ms, i);
        if (docid)
            *docid = *it;
        if (weight)
            *weight = it.get_weight();
        return URB_X_OK;
    } catch (...) {
        return caught(ms->err);
    }
}

URB_API urb_xstatus_t urb_xmset_document(urb_xmset_t *ms, uint32_t i,
                                         urb_xdoc_t **doc) noexcept
{
    *doc = nullptr;
    try {
        auto h = std::make_unique<urb_xdoc>();
        h->doc = hit(ms, i).get_document();
        *doc = h.release();
        return URB_X_OK;
    } catch (...) {
        return caught(ms->err);
    }
}

URB_API urb_xstatus_t urb_xmset_snippet(urb_xmset_t *ms, const char *text,
                                        size_t len, size_t length,
                                        const char *lang, char **out) noexcept
{
    *out = nullptr;
    try {
        const std::string s =
            ms->ms.snippet(std::string(text, len), length,
                           lang ? Xapian::Stem(lang) : Xapian::Stem(),
                           Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                               Xapian::MSet::SNIPPET_EXHAUSTIVE,
                           "<b>", "</b>", "\u2026");
        *out = dup(s);
        return URB_X_OK;
    } catch (...) {
        return caught(ms->err);
    }
}
