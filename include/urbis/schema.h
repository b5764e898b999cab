/* schema.h — how a report is laid out in the Xapian index.
 *
 * The indexer writes these terms and values and the query side reads them;
 * this header is the one place both learn them from. Every word term is
 * folded (text.h) before its prefix is put on.
 *
 *   word            body, title and heading words, with positions
 *   Z<LL>stem       stem of a word in language LL (upper case ISO 639-1:
 *                   "ZESrefugi"), no positions, so lang=auto can expand a
 *                   word into each indexed language's stem precisely
 *   S word          title words, with positions        (title:)
 *   H word          section heading words, positions   (section:)
 *   Q id            unique id, one per document
 *   XL lang         boolean filters, folded values:    (lang:)
 *   XK country                                         (country:)
 *   XC city                                            (city:)
 *   XN network                                         (network:)
 *   XY year                                            (year:)
 *   XS section      one per heading, folded text
 *   W word\x1fform  a written form of a word: folded word, the separator,
 *                   then the word case-folded with its diacritics kept
 *                   (urb_fold_case), so SUGGEST can offer "València";
 *                   only for forms unlike the folded word, which is
 *                   otherwise its own written form
 *   P word word     two words in a row in a title or a heading, folded,
 *                   joined by a space: the phrases SUGGEST completes
 *   XT concept      a thesaurus concept (thesaurus.h) of which the text
 *                   holds a form in the report's language, once per form
 *                   met, with the wdf of the form's first word: how
 *                   "refugee" reaches "Flüchtlinge" (query_xl.c)
 *
 * The spelling table holds the folded words, for typo correction.
 */
#ifndef URBIS_SCHEMA_H
#define URBIS_SCHEMA_H

#define URB_PFX_STEM "Z"
#define URB_PFX_TITLE "S"
#define URB_PFX_HEADING "H"
#define URB_PFX_ID "Q"
#define URB_PFX_LANG "XL"
#define URB_PFX_COUNTRY "XK"
#define URB_PFX_CITY "XC"
#define URB_PFX_NETWORK "XN"
#define URB_PFX_YEAR "XY"
#define URB_PFX_SECTION "XS"
#define URB_PFX_FORM "W"
#define URB_FORM_SEP '\x1f'
#define URB_PFX_PAIR "P"
#define URB_PAIR_SEP ' '
#define URB_PFX_CONCEPT "XT"

/* The layout above, kept in each generation's manifest: an index of
 * another layout is rebuilt whole by the next run, not updated. */
#define URB_SCHEMA_VERSION "2"

/* Extra within-document frequency given to words of the title and of
 * headings, on top of their body occurrence: how fields outrank the body.
 * Chosen on the relevance set (docs/quality.md): 8 and 3 raise plain and
 * inflected nDCG@10 over 5 and 2 and lower no group. */
#define URB_WDF_TITLE 8
#define URB_WDF_HEADING 3

/* Value slots. Display values keep the report's own spelling. */
enum {
    URB_SLOT_YEAR = 0,     /* sortable-encoded year (urb_xsortable) */
    URB_SLOT_LANG = 1,     /* facet display values */
    URB_SLOT_COUNTRY = 2,
    URB_SLOT_CITY = 3,
    URB_SLOT_NETWORKS = 4, /* list joined by URB_LIST_SEP */
    URB_SLOT_YEARSTR = 5,  /* year as decimal text, for the year facet */
    URB_SLOT_YEAR_NEG = 6, /* sortable-encoded -year: sorting it descending
                              gives oldest first with year-less reports
                              last, as an empty value sorts lowest */
};
#define URB_LIST_SEP '\x1f'

/* Database metadata keys. */
#define URB_META_LANGS "urbis.langs"       /* indexed languages, "en,es,..." */
#define URB_META_GENERATION "urbis.generation"

#endif
