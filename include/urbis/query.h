/* query.h — the query side: query text to a Xapian query, snippets,
 * spelling correction and search-as-you-type completion.
 *
 * Parsing is our own, not Xapian's QueryParser: that one re-tokenises and
 * lowercases without our folding (text.h), CJK and Thai splitting or
 * stem expansion over several languages, so index and query would disagree.
 *
 * Grammar (recursive descent over lexemes):
 *
 *   query   := or-expr
 *   or-expr := and-expr ("OR" and-expr)*
 *   and-expr:= group group*          juxtaposition: the default op (op=)
 *   group   := unary ("AND" unary)*  explicit AND binds tighter
 *   unary   := "NOT" unary | "-" primary | "+" primary | primary
 *   primary := "(" or-expr ")" | "\"" phrase "\"" | FIELD ":" value
 *            | word ["*"]
 *
 * - AND, OR and NOT are operators only in upper case and standing alone;
 *   "and" is a word. "-" and "+" are signs only at the start of a word.
 * - A word is a run of text up to a space, parenthesis, quote or colon; it
 *   goes through the tokenizer. When it yields several tokens (l'accueil,
 *   covid-19, a run of Han characters) they form a phrase, as Xapian does.
 * - A word w becomes SYNONYM(w, Z<LL>stem_LL(w) for each language LL of the
 *   expansion set). A word typed with marks that folding drops
 *   ("València") is also OR'ed with its written form (W folded\x1fform),
 *   so reports that write it so rank first. A quoted phrase, and a word
 *   of a phrase, is unstemmed.
 *   word* is a wildcard over body words (at most 100 expansions, the most
 *   frequent kept).
 * - Fields (names in any case): title: and section: are free text over the
 *   S and H terms (a word, a wildcard or a quoted phrase; unstemmed, as the
 *   indexer writes them). city:, country:, lang:, network: are filters on
 *   the folded whole value (city:"San Sebastián"). year:2015, year:2015..2020,
 *   year:2015.. and year:..2020 are ranges over URB_SLOT_YEAR. An unknown
 *   name (foo:bar) is just words. Juxtaposed filters of one field are OR'ed,
 *   of different fields AND'ed, and filter without weighting.
 * - With op=or, +word is required: AND(required) AND_MAYBE OR(the others).
 * - A pure negative query (NOT x, -x) is everything AND_NOT x.
 * - A malformed query (unbalanced parenthesis or quote, an operator or
 *   sign without operand, a field without value, a bad year, "()") is
 *   URB_X_QUERY with a short message; so is a query with nothing to search
 *   for ("!!!"). Blank text parses to no query (the caller decides).
 *
 * Languages. The expansion set: with lang=xx, xx (plus the other indexed
 * languages when xl is set); with lang=auto the query's language is
 * detected among the indexed languages: when the guess is confident and
 * the query has at least 4 words (or xl is off) the set is that language
 * alone, else every indexed language (short queries are ambiguous; the
 * detector is only sure of a sentence). The exact folded word is always
 * kept. Languages without a stemmer add no stems.
 *
 * Thesaurus (xl set; thesaurus.h): a run of plain words (not signed,
 * negated, quoted or a field) that is a concept's form, the longest
 * from its first word, becomes (the words) OR (the concept's forms in
 * every indexed language as one synonym, at half weight).
 *
 * Stopwords: the stopword language is lang=xx, or the detected language,
 * even when the guess is unsure (most short lang=auto queries): a
 * stopword is only dropped beside a word that is not one, so a wrong
 * guess costs little, while keeping "for" required in "housing for
 * refugees" would hide every report in another language. A stopword standing alone as a plain word (no
 * sign, no NOT, not quoted, not a field value) is dropped when the query
 * has a word that is not a stopword; phrases keep theirs; a query of only
 * stopwords keeps all.
 *
 * Threads and ownership, said once: an urb_qparser_t is used by one thread
 * at a time (one per worker). It owns a tokenizer, a stemmer per indexed
 * language and scratch buffers, all reused. Every pointer it hands out
 * belongs to it: urb_qinfo_t and what it points to, suggestion texts and
 * urb_qparser_errmsg stay valid until the next parse, correction or
 * suggestion on it; snippet highlights until the next urb_snippet_find.
 * Queries and strings returned through out parameters belong to the
 * caller (urb_xquery_free, free).
 */
#ifndef URBIS_QUERY_H
#define URBIS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "urbis/text.h"
#include "urbis/xapian.h"

typedef struct urb_qparser urb_qparser_t;

/* `langs` is the index's languages, comma-separated as in URB_META_LANGS
 * ("en,es,de"); NULL or "" for none. A code without a stemmer still takes
 * part in detection. NULL on OOM. */
urb_qparser_t *urb_qparser_new(const char *langs);
void urb_qparser_free(urb_qparser_t *qp);
/* Completion and pruning (urb_qopts_t) keep the term frequencies they
 * looked up in the index they were given: call this before giving qp
 * another index, or a new generation of it. */
void urb_qparser_forget(urb_qparser_t *qp);
/* Message of the last failure on qp. */
const char *urb_qparser_errmsg(const urb_qparser_t *qp);

typedef struct urb_qopts {
    const char *lang; /* ISO 639-1 code; NULL or "auto": detect */
    bool op_or;       /* juxtaposed words are OR'ed (op=or); else AND'ed */
    bool xl;          /* expand in the other indexed languages too */
    /* When set, the stems this index lacks are left out of the query:
     * they match nothing, and each would cost Xapian a lookup. The
     * frequencies looked up are remembered until urb_qparser_forget.
     * Not worth it over remote shards (urb_xdb_is_remote). */
    urb_xdb_t *prune;
} urb_qopts_t;

/* A word of the query text, in order of appearance. */
enum {
    URB_QW_PHRASE = 1, /* in a quoted phrase or a multi-token word */
    URB_QW_FIELD = 2,  /* value of title: or section: */
    URB_QW_PREFIX = 4, /* wildcard prefix (word*) */
    URB_QW_NEG = 8,    /* under NOT or "-": matches nothing to show */
    URB_QW_STOP = 16,  /* a stopword dropped from the query */
};
typedef struct urb_qword {
    const char *term; /* folded, NUL-terminated */
    size_t len;
    size_t start, end; /* bytes of the query text it was typed as */
    unsigned tflags;   /* the token's URB_TOK_* flags */
    unsigned flags;    /* URB_QW_* */
} urb_qword_t;

/* A word of a thesaurus form the query was expanded with (xl): a snippet
 * marks it as it marks the query word it stands for. */
typedef struct urb_qsyn {
    const char *term; /* folded */
    size_t len;
    const char *lang; /* the form's language */
    const char *stem; /* its stem in lang, NULL when none */
    size_t stem_len;
    size_t word; /* index in urb_qinfo_t.words */
} urb_qsyn_t;

typedef struct urb_qinfo {
    const urb_qword_t *words;
    size_t n_words;
    /* The expansion set, and the stems of the words in it:
     * stems[i * n_langs + l] is word i's stem in langs[l]; NULL for words
     * not stem-expanded (phrases, fields, wildcards, numbers, Han
     * characters, dropped stopwords). */
    const char *const *langs;
    size_t n_langs;
    const char *const *stems;
    const char *detected; /* the guessed language, NULL when none */
    bool confident;
    const urb_qsyn_t *syns; /* thesaurus words (xl), see urb_qsyn_t */
    size_t n_syns;
} urb_qinfo_t;

/* Parses text[0..len) with opts (NULL: lang=auto, op=and, xl) into
 * *query (NULL when the text is blank) and sets
 * *info (may be NULL) to what the snippet highlighter and the spelling
 * correction need. Returns URB_X_OK, URB_X_QUERY for a malformed query
 * (message in urb_qparser_errmsg) or URB_X_NOMEM. Invalid UTF-8 is
 * URB_X_QUERY. */
urb_xstatus_t urb_qparser_parse(urb_qparser_t *qp, const char *text, size_t len,
                                const urb_qopts_t *opts, urb_xquery_t **query,
                                const urb_qinfo_t **info);

/* The filter field:value (field lang, country, city, network or year; a
 * year is Y or a range as in query text), matched as the query text's
 * filters are. Returns URB_X_QUERY for an unknown field or a bad value. */
urb_xstatus_t urb_query_filter(urb_qparser_t *qp, const char *field,
                               const char *value, size_t len, urb_xquery_t **q);

/* Spelling correction. Each word of the text of at least 4 letters
 * (phrases' words too; not filter values, wildcards, numbers or Han
 * characters) that the index lacks, as a word and as a stem in every
 * indexed language, is replaced by urb_xdb_spelling's suggestion (edit
 * distance 1 up to 6 letters, 2 beyond); the rest of the text stays as
 * typed. With lang (an indexed language with a stemmer; NULL or "" for
 * any) a suggestion must be a word of that language, one whose stem its
 * reports hold: a Spanish query is not corrected into an English word.
 * *corrected is the malloc'd NUL-terminated text, or NULL when nothing
 * changed or the text does not parse. Returns URB_X_OK or the failing
 * call's status. */
urb_xstatus_t urb_query_correct(urb_qparser_t *qp, urb_xdb_t *db,
                                const char *text, size_t len, const char *lang,
                                char **corrected);

/* ---- Snippets (snippet.c) ------------------------------------------------ */

typedef struct urb_range {
    size_t start, end;
} urb_range_t;

typedef struct urb_snippet {
    size_t start, end;     /* the passage: bytes of the document text */
    const urb_range_t *hl; /* highlights, in order, inside the passage */
    size_t n_hl;
} urb_snippet_t;

/* The best passage of about `width` bytes of text[0..len) (valid UTF-8)
 * for the query words of `info` (from a parse on qp): the window with the
 * most distinct matched words, then the most matches. A token matches a
 * word when their folded forms are equal, when the token starts with a
 * wildcard prefix, or when the stems in `doc_lang` are equal (doc_lang in
 * the expansion set). Words under NOT and dropped stopwords do not match,
 * nor do stopwords of doc_lang when the query has other words.
 * Ends are snapped to word boundaries; neighbour highlights separated only
 * by spaces merge. With no match the passage is the text's beginning.
 * (For json.h's urb_json_html: text + start, highlights minus start.)
 * Returns 0, or -1 on OOM. */
int urb_snippet_find(urb_qparser_t *qp, const urb_qinfo_t *info,
                     const char *text, size_t len, const char *doc_lang,
                     size_t width, urb_snippet_t *snip);

/* Appends the passage as HTML to out: "…" where the text is cut, the
 * text's < > & " escaped, runs of white space as one space, matches
 * between <b> and </b>. Returns 0, or -1 on OOM. */
int urb_snippet_html(const char *text, size_t len, const urb_snippet_t *snip,
                     urb_buf_t *out);

/* ---- Completion (suggest.c) ---------------------------------------------- */

typedef struct urb_suggestion {
    const char *text; /* the text with its last word completed */
    size_t len;
    uint32_t count; /* reports it would match (see urb_suggest) */
} urb_suggestion_t;

/* Completes the last word of text[0..len): the run of letters after the
 * last space or punctuation (in unspaced scripts, the run of characters).
 * Candidates are the indexed words starting with its folded form, each
 * shown in its most frequent written form. The first 1000 written forms in
 * byte order are read (which bounds what a one-letter prefix costs); the
 * words that titles and headings pair with the word typed before (schema.h's
 * P terms) come first, then the most frequent, and 2 * limit of them are
 * counted. From a prefix of 3 letters on, the 3 most frequent title and
 * heading pairs starting with it are counted too, as phrases ("refug" ->
 * "refugee housing"). The earlier text, as typed, is the context, matched
 * once per call: `count` is the number of reports matching context AND
 * the suggestion's words (within language `lang` when not NULL): exact
 * when the context, or without one the word, is in at most
 * URB_SUGGEST_EXACT reports (their posting lists are skipped along), else
 * estimated from the term statistics as Xapian does (no posting list walk,
 * so a call stays under a millisecond on a large index). Suggestions with
 * a count go to out[] (at most `limit`), by count then word frequency; *n
 * gets how many. Context that does not parse is ignored. Returns URB_X_OK
 * or the failing call's status. */
#define URB_SUGGEST_EXACT 100
urb_xstatus_t urb_suggest(urb_qparser_t *qp, urb_xdb_t *db, const char *text,
                          size_t len, const char *lang, size_t limit,
                          urb_suggestion_t *out, size_t *n);

#endif
