#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reply bigger than this share of the budget is not kept: one export
 * page must not push out hundreds of search-box replies. */
#define ENTRY_SHARE 16
#define TOOK_KEY "\"took_us\":"

typedef struct entry {
    struct entry *hnext;        /* bucket chain */
    struct entry *prev, *next;  /* recency list, newest first */
    uint64_t hash;
    size_t klen, vlen;
    /* The digits of "took_us" in the value, rewritten on each hit;
     * took_len 0 when the reply has none. */
    size_t took_at, took_len;
    char data[];                /* key, then the JSON object */
} entry_t;

struct urb_cache {
    entry_t **buckets;
    size_t nbuckets;            /* a power of two */
    entry_t *newest, *oldest;
    unsigned gen;
    size_t entries, bytes, max_bytes;
    uint64_t hits, misses;
};

static size_t entry_size(const entry_t *e)
{
    return sizeof *e + e->klen + e->vlen;
}

urb_cache_t *urb_cache_new(size_t max_bytes)
{
    urb_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = 1024;
    c->max_bytes = max_bytes;
    if (!(c->buckets = calloc(c->nbuckets, sizeof *c->buckets))) {
        free(c);
        return NULL;
    }
    return c;
}

static void clear(urb_cache_t *c)
{
    for (entry_t *e = c->newest, *next; e; e = next) {
        next = e->next;
        free(e);
    }
    memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
    c->newest = c->oldest = NULL;
    c->entries = c->bytes = 0;
}

void urb_cache_free(urb_cache_t *c)
{
    if (!c)
        return;
    clear(c);
    free(c->buckets);
    free(c);
}

int urb_cache_key(const urb_request_t *rq, urb_buf_t *key)
{
    key->len = 0;
    if (urb_buf_reserve(key, rq->verb.n) < 0)
        return -1;
    for (size_t i = 0; i < rq->verb.n; i++) {
        char ch = rq->verb.p[i];
        key->data[key->len++] = ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
    }
    /* NUL separates the parts: no option, value or text contains one. */
    for (size_t i = 0; i < rq->n_options; i++) {
        const urb_option_t *o = &rq->options[i];
        if (urb_buf_append(key, "", 1) < 0 ||
            urb_buf_append(key, o->name.p, o->name.n) < 0 ||
            urb_buf_append(key, "=", 1) < 0 ||
            urb_buf_append(key, o->value.p, o->value.n) < 0)
            return -1;
    }
    if (urb_buf_append(key, "\0\0", 2) < 0 ||
        urb_buf_append(key, rq->text.p, rq->text.n) < 0)
        return -1;
    return 0;
}

static void unlink_lru(urb_cache_t *c, entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->newest = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->oldest = e->prev;
}

static void push_newest(urb_cache_t *c, entry_t *e)
{
    e->prev = NULL;
    e->next = c->newest;
    if (c->newest)
        c->newest->prev = e;
    else
        c->oldest = e;
    c->newest = e;
}

static entry_t **slot_of(urb_cache_t *c, uint64_t hash, const urb_buf_t *key)
{
    entry_t **s = &c->buckets[hash & (c->nbuckets - 1)];
    while (*s && !((*s)->hash == hash && (*s)->klen == key->len &&
                   memcmp((*s)->data, key->data, key->len) == 0))
        s = &(*s)->hnext;
    return s;
}

static void evict_oldest(urb_cache_t *c)
{
    entry_t *e = c->oldest;
    entry_t **s = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*s != e)
        s = &(*s)->hnext;
    *s = e->hnext;
    unlink_lru(c, e);
    c->entries--;
    c->bytes -= entry_size(e);
    free(e);
}

/* Doubles the table when chains would grow past one entry on average; a
 * failed allocation keeps the old table, only slower. */
static void grow(urb_cache_t *c)
{
    size_t n = c->nbuckets * 2;
    entry_t **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (entry_t *e = c->newest; e; e = e->next) {
        entry_t **s = &b[e->hash & (n - 1)];
        e->hnext = *s;
        *s = e;
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

static void follow_generation(urb_cache_t *c, unsigned gen)
{
    if (gen != c->gen) {
        clear(c);
        c->gen = gen;
    }
}

bool urb_cache_get(urb_cache_t *c, unsigned gen, const urb_buf_t *key,
                   uint64_t took_us, urb_buf_t *out)
{
    follow_generation(c, gen);
    if (!c->entries) {
        c->misses++;
        return false;
    }
    uint64_t hash = urb_fnv1a(URB_FNV_SEED, key->data, key->len);
    entry_t *e = *slot_of(c, hash, key);
    if (!e) {
        c->misses++;
        return false;
    }
    const char *v = e->data + e->klen;
    char num[24];
    int nl = snprintf(num, sizeof num, "%llu", (unsigned long long)took_us);
    size_t head = e->took_len ? e->took_at : e->vlen;
    out->len = 0;
    if (urb_buf_append(out, v, head) < 0 ||
        (e->took_len &&
         (urb_buf_append(out, num, (size_t)nl) < 0 ||
          urb_buf_append(out, v + head + e->took_len,
                         e->vlen - head - e->took_len) < 0))) {
        c->misses++; /* out of memory: let a worker answer */
        return false;
    }
    unlink_lru(c, e);
    push_newest(c, e);
    c->hits++;
    return true;
}

/* Where the digits of the last "took_us" of json[0..n) start, and how
 * many there are. The key is the reply's last, and a string inside the
 * reply cannot hold it unescaped. */
static size_t find_took(const char *json, size_t n, size_t *len)
{
    size_t kl = sizeof TOOK_KEY - 1;
    *len = 0;
    for (size_t i = n >= kl ? n - kl + 1 : 0; i-- > 0;) {
        if (memcmp(json + i, TOOK_KEY, kl) != 0)
            continue;
        size_t at = i + kl, d = at;
        while (d < n && json[d] >= '0' && json[d] <= '9')
            d++;
        *len = d - at;
        return at;
    }
    return 0;
}

void urb_cache_put(urb_cache_t *c, unsigned gen, const urb_buf_t *key,
                   const char *reply, size_t len)
{
    follow_generation(c, gen);
    /* Keep the JSON object only: "OK " before it, LF after. */
    if (len < 5 || memcmp(reply, "OK {", 4) != 0 || reply[len - 1] != '\n')
        return;
    const char *json = reply + 3;
    size_t vlen = len - 4;
    size_t need = sizeof(entry_t) + key->len + vlen;
    if (need > c->max_bytes / ENTRY_SHARE)
        return;
    uint64_t hash = urb_fnv1a(URB_FNV_SEED, key->data, key->len);
    if (*slot_of(c, hash, key))
        return; /* two workers answered the same request */
    while (c->oldest && c->bytes + need > c->max_bytes)
        evict_oldest(c);
    entry_t *e = malloc(need);
    if (!e)
        return;
    e->hash = hash;
    e->klen = key->len;
    e->vlen = vlen;
    memcpy(e->data, key->data, key->len);
    memcpy(e->data + key->len, json, vlen);
    e->took_at = find_took(json, vlen, &e->took_len);
    if (c->entries >= c->nbuckets)
        grow(c);
    entry_t **s = &c->buckets[hash & (c->nbuckets - 1)];
    e->hnext = *s;
    *s = e;
    push_newest(c, e);
    c->entries++;
    c->bytes += need;
}

void urb_cache_stats(const urb_cache_t *c, urb_cache_stats_t *st)
{
    *st = (urb_cache_stats_t){.hits = c->hits, .misses = c->misses,
                              .entries = c->entries, .bytes = c->bytes,
                              .max_bytes = c->max_bytes};
}
