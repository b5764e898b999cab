/* complete.h — completion tables: what SUGGEST would otherwise find by
 * scanning the index's terms, worked out once per generation by the
 * indexer and kept in the database's metadata.
 *
 * A short prefix ("r", "ref") starts thousands of words, and completing it
 * from the terms means reading them all and their written forms (schema.h:
 * W terms): most of a suggestion's time at 100,000 reports. So for each
 * prefix more than `min` candidate words share, its URB_COMPLETE_TOP most
 * frequent ones are written under URB_META_COMPLETE_WORDS + prefix, one
 * line each, in byte order of the word:
 *
 *     freq TAB word TAB form LF      form: the written form SUGGEST shows
 *                                    (schema.h: W), empty when the word
 *                                    itself
 *
 * and for each prefix of a first word, at least URB_COMPLETE_PAIR_CHARS
 * characters long, that more than `min` title and heading pairs (schema.h:
 * P) share, its URB_COMPLETE_PAIRS most frequent pairs:
 *
 *     freq TAB word1 SP word2 TAB form1 TAB form2 LF   (forms as above)
 *
 * A prefix without a table has few words: SUGGEST reads its terms, as it
 * does in an index written before the tables existed. Prefixes are cut at
 * character boundaries and are at most URB_COMPLETE_PREFIX_MAX bytes.
 */
#ifndef URBIS_COMPLETE_H
#define URBIS_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "urbis/xapian.h"

#define URB_META_COMPLETE "urbis.complete."
#define URB_META_COMPLETE_WORDS URB_META_COMPLETE "w"
#define URB_META_COMPLETE_PAIRS URB_META_COMPLETE "p"
#define URB_COMPLETE_MIN 64        /* words a prefix needs for a table */
#define URB_COMPLETE_TOP 64        /* words a table keeps */
#define URB_COMPLETE_PAIRS 3       /* pairs a table keeps */
#define URB_COMPLETE_PAIR_CHARS 3  /* a shorter prefix starts too many */
#define URB_COMPLETE_PREFIX_MAX 64 /* bytes */

/* Whether folded word term[0..len) is a completion: not a one-character
 * word of an alphabetic script (the indexer keeps no written form of
 * those); a character of an unspaced script (3 bytes and more) is one. */
static inline bool urb_complete_word(const char *term, size_t len)
{
    return !(len == 1 || (len == 2 && (unsigned char)term[0] >= 0xC0));
}

/* Replaces db's completion tables with ones made from its terms as they
 * stand (changes not yet committed included), for prefixes more than min
 * words share (URB_COMPLETE_MIN; tests give 0 for a table at every
 * prefix). The writes are db's next commit's.
 * On failure *errmsg gets a malloc'd message (the caller frees it). */
urb_xstatus_t urb_complete_build(urb_xdb_t *db, size_t min, char **errmsg);

#endif
