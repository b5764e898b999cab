/* text_internal.h — what the text modules share and nobody else needs. */
#ifndef URBIS_TEXT_INTERNAL_H
#define URBIS_TEXT_INTERNAL_H

#include "urbis/text.h"

/* Catalan's ela geminada: "col·lectiu" is one word, typed with a middle
 * dot or whatever dot the keyboard offers. Between two l the tokenizer
 * keeps such a dot inside the word and urb_fold drops it, so every
 * spelling meets at "collectiu". */
static inline bool urb__ela_dot(int32_t cp)
{
    return cp == 0x00B7 || cp == 0x0387 || cp == 0x2022 || cp == 0x2027 ||
           cp == 0x2219 || cp == 0x22C5;
}

#endif
