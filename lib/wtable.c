/* wtable.c — strings with a number, by open addressing (wtable.h). */
#include "urbis/wtable.h"

#include <stdlib.h>
#include <string.h>

static urb_wslot_t *find(const urb_wtable_t *t, uint64_t h, const char *w,
                         size_t n)
{
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        urb_wslot_t *s = &t->slots[i];
        if (!s->used || (s->hash == h && s->len == n &&
                         memcmp(t->bytes.data + s->off, w, n) == 0))
            return s;
    }
}

static int grow(urb_wtable_t *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    urb_wslot_t *old = t->slots;
    size_t old_cap = t->cap;
    if (!(t->slots = calloc(cap, sizeof *t->slots))) {
        t->slots = old;
        return -1;
    }
    t->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].used)
            *find(t, old[i].hash, NULL, 0) = old[i];
    free(old);
    return 0;
}

urb_wslot_t *urb_wtable_get(urb_wtable_t *t, const char *w, size_t n,
                            bool *added)
{
    *added = false;
    if (n > UINT32_MAX || ((t->n + 1) * 4 > t->cap * 3 && grow(t) < 0))
        return NULL;
    uint64_t h = urb_fnv1a(URB_FNV_SEED, w, n);
    urb_wslot_t *s = find(t, h, w, n);
    if (s->used)
        return s;
    size_t off = t->bytes.len;
    if (urb_buf_append(&t->bytes, w, n) < 0)
        return NULL;
    *s = (urb_wslot_t){h, off, (uint32_t)n, 0, true};
    t->n++;
    *added = true;
    return s;
}

void urb_wtable_clear(urb_wtable_t *t)
{
    if (t->cap)
        memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->n = 0;
    t->bytes.len = 0;
}

void urb_wtable_free(urb_wtable_t *t)
{
    free(t->slots);
    urb_buf_free(&t->bytes);
}
