/* query_int.h — what query.c, snippet.c and suggest.c share: the state of
 * an urb_qparser_t. Private to lib/. */
#ifndef URBIS_QUERY_INT_H
#define URBIS_QUERY_INT_H

#include "urbis/lang.h"
#include "urbis/query.h"
#include "urbis/thesaurus.h"
#include "urbis/wtable.h"

/* An indexed language: its code, its stem-term prefix ("ZES"), its stemmer
 * (NULL when the language has none). */
typedef struct urb_qlang {
    char code[8];
    char zpfx[8];
    urb_stemmer_t *stemmer;
} urb_qlang_t;

struct qlexeme; /* query.c */
struct qtok;
struct qitem;

/* One entry of the snippet's cache: a token as spelt in a text and the
 * query word it matches (-1: none). */
typedef struct urb_qcache_slot {
    uint32_t gen, hash;
    uint32_t key_off, key_len;
    int32_t id;
} urb_qcache_slot_t;

/* A matched token of a document. */
typedef struct urb_qmatch {
    size_t start, end;
    int32_t id;
} urb_qmatch_t;

/* A completion candidate: folded word, most frequent written form (both
 * offsets into the suggest buffer), and counts. */
typedef struct urb_qcand {
    size_t word_off, word_len, form_off, form_len;
    uint32_t form_freq; /* documents with the form, when not the word */
    uint32_t rest;      /* documents writing the word as folded (estimate) */
    uint64_t freq;      /* documents with the word */
    uint32_t count; /* documents the suggestion matches */
    uint32_t pair;  /* documents pairing it with the word before in a
                       title or heading (schema.h's P terms) */
    bool phrase;    /* two words, URB_PAIR_SEP apart: a phrase completion */
} urb_qcand_t;

struct urb_qparser {
    urb_tokenizer_t *tz;
    urb_qlang_t *langs;
    size_t n_langs;
    const char **allowed; /* the codes, NULL-terminated, for detection */

    /* One parse: lexemes, words, the item stack, the expansion set. */
    struct qlexeme *lx;
    size_t n_lx, cap_lx;
    struct qtok *toks;
    size_t n_toks, cap_toks;
    struct qitem *items;
    size_t n_items, cap_items;
    urb_xquery_t **ptrs; /* subqueries being combined */
    size_t cap_ptrs;
    int *exp; /* indices into langs */
    size_t n_exp;
    size_t *stem_off; /* n_toks * n_exp offsets into stems, or SIZE_MAX */
    size_t cap_stem_off;
    urb_buf_t arena; /* the words' folded terms */
    urb_buf_t stems; /* the words' stems */
    urb_buf_t term;  /* a term being built */
    urb_buf_t tmp;   /* detection text, folded values, corrections */

    /* What a parse hands out. */
    urb_qinfo_t info;
    urb_qword_t *words;
    size_t cap_words;
    const char **stem_ptrs;
    size_t cap_stem_ptrs;
    const char **exp_codes;

    /* snippet.c */
    urb_qcache_slot_t *cache;
    uint32_t cache_gen;
    size_t cache_used;
    urb_buf_t cache_keys;
    urb_buf_t cache_sig, cache_sig_new; /* the matching rules it was made for */
    urb_buf_t cache_fold;               /* a token being folded */
    int32_t *word_ids; /* per query word: its id, or -1 when unusable */
    size_t cap_word_ids;
    uint32_t *counts; /* per id, in the sliding window */
    size_t cap_counts;
    urb_qmatch_t *matches;
    size_t n_matches, cap_matches;
    urb_range_t *hl;
    size_t cap_hl;

    /* query_xl.c: the indexed languages as given, the thesaurus (the
     * process's, urb_thes_builtin, got on first use), its languages'
     * indices in langs (-1: not indexed), whether this parse expands with
     * it, the synonyms it added for the snippets */
    char *xl_langs;
    const urb_thes_t *thes;
    int *thes_lang;
    bool xl;
    urb_qsyn_t *syns;
    size_t n_syns, cap_syns;

    /* suggest.c */
    urb_qcand_t *cands;
    size_t n_cands, cap_cands;
    urb_buf_t sg_strs;   /* candidates' words and forms */
    urb_buf_t sg_prefix; /* the folded last word */
    urb_buf_t sg_out;    /* suggestion texts */
    urb_buf_t sg_tl;     /* a small context's reports' terms, end to end */
    size_t *sg_tl_at;    /* where each of them starts, and the end */
    size_t n_tl_at, cap_tl_at;

    /* urb_qp_termfreq: term -> frequency in the index; urb_qp_stems_in:
     * word -> languages; both till forgotten. The index a parse prunes by
     * (urb_qopts_t), during the parse. */
    urb_wtable_t tf, stems_in;
    urb_xdb_t *prune;

    char errmsg[200];
};

/* Ensures room for `need` elements of `size` bytes in the array whose
 * pointer is at *arrp, capacity *cap. 0, or -1 on OOM (array unchanged). */
int urb_qgrow(void *arrp, size_t *cap, size_t need, size_t size);
#define URB_QGROW(arr, cap, need)                                              \
    ((need) <= (cap) ? 0 : urb_qgrow(&(arr), &(cap), (need), sizeof *(arr)))

/* The frequency of term p[0..n) in db, from qp's memory of it when it has
 * one (urb_qparser_forget empties it). */
urb_xstatus_t urb_qp_termfreq(urb_qparser_t *qp, urb_xdb_t *db, const char *p,
                              size_t n, uint32_t *freq);

/* The languages (bit i: qp->langs[i]) whose stem of folded word w[0..n)
 * db holds as a stem term, remembered per word until urb_qparser_forget:
 * a word has a stem in a few of the indexed languages, and the lookups of
 * the others are most of what expanding it costs. Every bit when qp has
 * more than 32 languages or a lookup fails. */
uint32_t urb_qp_stems_in(urb_qparser_t *qp, urb_xdb_t *db, const char *w,
                         size_t n);

/* Index in qp->langs of a language code, or -1. */
int urb_qp_lang(const urb_qparser_t *qp, const char *code, size_t len);

/* Sets qp's error message (printf format); returns `st`. */
urb_xstatus_t urb_qp_fail(urb_qparser_t *qp, urb_xstatus_t st, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
/* A failed Xapian call's status: its message (msg, the handle's), or the
 * status's name when it has none, as qp's message. */
urb_xstatus_t urb_qp_xfail(urb_qparser_t *qp, urb_xstatus_t st,
                           const char *msg);

/* SYNONYM(w, Z<LL>stem for each language exp[0..n_exp) of qp->langs,
 * each with a stemmer). Stems are appended to qp->stems when stem_off is
 * given (one slot per language of exp). Numbers and Han characters are
 * not stemmed. Uses qp->ptrs and qp->term. NULL on OOM. */
urb_xquery_t *urb_qp_expand_word(urb_qparser_t *qp, const char *w, size_t n,
                                 unsigned tflags, uint32_t pos, const int *exp,
                                 size_t n_exp, size_t *stem_off);

/* ---- The thesaurus (query_xl.c) ---- */

#define URB_XL_WORDS_MAX 8 /* words of a concept's form looked at */

/* Prepares qp for the built-in thesaurus of the indexed languages
 * `langs` (as urb_qparser_new takes them), read on its first use. 0, or
 * -1 on OOM. urb_qp_xl_free frees what it and urb_qp_concepts allocate. */
int urb_qp_xl_init(urb_qparser_t *qp, const char *langs);
void urb_qp_xl_free(urb_qparser_t *qp);

/* The plain words terms[0..n) follow each other in the query, terms[0]
 * being query word `word` at query position pos; a form may cover the
 * first m words only when bit m of `ends` is set (they end a typed word).
 * When the longest concept form they start with covers *covered words,
 * *tr gets its concepts' terms (schema.h: XT), as one synonym at a
 * reduced weight, and the words of their forms are noted in qp->syns as
 * synonyms of `word`. Else *covered is 1 and *tr NULL. 0, or -1 on OOM. */
int urb_qp_concepts(urb_qparser_t *qp, const char *const *terms,
                    const size_t *lens, size_t n, uint32_t ends, size_t word,
                    uint32_t pos, size_t *covered, urb_xquery_t **tr);

/* The query for one typed word w[0..len) (folded or not): its tokens as a
 * word expanded with stems in the languages exp[0..n_exp) (indices into
 * qp->langs), or the phrase of its tokens when there are several. *q is
 * NULL when the word has no token. Uses qp's tokenizer. */
urb_xstatus_t urb_qp_word_query(urb_qparser_t *qp, const char *w, size_t len,
                                const int *exp, size_t n_exp, urb_xquery_t **q);

#endif
