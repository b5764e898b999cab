/* lang_hunspell.h — Hunspell dictionaries that know folded words.
 * Internal to urbis_lang (lang.c uses it; not a public header).
 *
 * A dictionary is loaded once per process, on first use, with its words and
 * affixes folded by urb_fold() so that folded words (uchodzcow for
 * uchodźców) are recognised. Loaded dictionaries live as long as the
 * process; a mutex per dictionary serialises Hunspell, whose handles are
 * not thread-safe.
 */
#ifndef URBIS_LANG_HUNSPELL_H
#define URBIS_LANG_HUNSPELL_H

#include "urbis/text.h"

/* Directory holding NAME.aff and NAME.dic. */
#ifndef URB_HUNSPELL_DIR
#define URB_HUNSPELL_DIR "/usr/share/hunspell"
#endif

typedef struct urb_hunspell urb_hunspell_t;

/* The process's dictionary NAME (e.g. "pl_PL"), not loaded yet; NULL when
 * its files are missing or every slot is taken. Never freed. */
urb_hunspell_t *urb_hunspell_get(const char *name);

/* The lemmas Hunspell finds for the folded, NUL-terminated word, each
 * NUL-terminated, one after the other in `out` (its contents replaced).
 * Returns their number (0: unknown word), or -1 on OOM. The first call
 * loads the dictionary (a few hundred ms); a dictionary that fails to load
 * knows no word. */
int urb_hunspell_lemmas(urb_hunspell_t *h, const char *word, urb_buf_t *out);

#endif
