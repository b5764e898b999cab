/* cache.h — replies to SEARCH, SUGGEST and GET, kept for the index
 * generation that computed them.
 *
 * A search box's traffic repeats itself: every visitor who types
 * "refugee" sends "r", "re", "ref"... and the same few hundred queries
 * make most of a day. A reply read from here costs what PING costs,
 * and leaves the workers to the queries nobody asked yet. Entries are
 * keyed by the request as parsed (verb, options in order, text), so
 * spacing and quoting do not split them. The whole cache is emptied when
 * the served generation moves; past the byte budget the least recently
 * used entries leave. Only OK replies are stored.
 *
 * Loop thread only: no locks. The cache owns its entries and copies what
 * it is given. */
#ifndef URBISD_CACHE_H
#define URBISD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "urbis/proto.h"
#include "urbis/text.h"

typedef struct urb_cache urb_cache_t;

typedef struct urb_cache_stats {
    uint64_t hits, misses;
    size_t entries, bytes, max_bytes;
} urb_cache_stats_t;

/* max_bytes 0 makes a cache that stores nothing. NULL on OOM. */
urb_cache_t *urb_cache_new(size_t max_bytes);
void urb_cache_free(urb_cache_t *c);

/* The key of rq, written into key (replacing its contents). 0, or -1 on
 * OOM. */
int urb_cache_key(const urb_request_t *rq, urb_buf_t *key);

/* On a hit, writes the stored reply's JSON object into out (replacing
 * its contents) with its "took_us" set to took_us, and returns true.
 * gen is the generation served now: an older cache is emptied first. */
bool urb_cache_get(urb_cache_t *c, unsigned gen, const urb_buf_t *key,
                   uint64_t took_us, urb_buf_t *out);

/* Stores reply[0..len), a whole "OK {...}\n" line, computed on gen. */
void urb_cache_put(urb_cache_t *c, unsigned gen, const urb_buf_t *key,
                   const char *reply, size_t len);

void urb_cache_stats(const urb_cache_t *c, urb_cache_stats_t *st);

#endif
