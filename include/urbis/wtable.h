/* wtable.h — a table of byte strings, each with a 32-bit number: open
 * addressing over FNV-1a hashes, the strings end to end in one buffer.
 * The caches and counts of indexing and completion (a word's stem, a
 * word's documents, a term's frequency) are such tables.
 *
 * Ownership: a urb_wtable_t is the caller's, all zero to begin with, and
 * freed by urb_wtable_free. A slot (and the string it points at) is valid
 * until the table's next urb_wtable_get or urb_wtable_clear.
 */
#ifndef URBIS_WTABLE_H
#define URBIS_WTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "urbis/text.h"

typedef struct urb_wslot {
    uint64_t hash;
    size_t off; /* of its string in bytes */
    uint32_t len, val;
    bool used;
} urb_wslot_t;

typedef struct urb_wtable {
    urb_wslot_t *slots;
    size_t cap, n; /* cap: a power of two, or 0 */
    urb_buf_t bytes;
} urb_wtable_t;

/* The slot of w[0..n), added with val 0 (and *added set) when new; NULL
 * on OOM. More bytes may follow a new string in t->bytes (a stem after
 * its word): they belong to it. */
urb_wslot_t *urb_wtable_get(urb_wtable_t *t, const char *w, size_t n,
                            bool *added);
/* Empties t, keeping its memory. */
void urb_wtable_clear(urb_wtable_t *t);
void urb_wtable_free(urb_wtable_t *t);

#endif
