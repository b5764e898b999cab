#include "histogram.h"

static unsigned bucket_of(uint64_t v)
{
    if (v < 16)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= 4 */
    unsigned shift = msb - 4;
    unsigned idx = 16 + shift * 16 + (unsigned)((v >> shift) - 16);
    return idx < URB_HIST_BUCKETS ? idx : URB_HIST_BUCKETS - 1;
}

static uint64_t bucket_top(unsigned idx)
{
    if (idx < 16)
        return idx;
    unsigned shift = (idx - 16) / 16;
    uint64_t mantissa = 16 + (idx - 16) % 16;
    return ((mantissa + 1) << shift) - 1;
}

void urb_hist_add(urb_hist_t *h, uint64_t value)
{
    h->buckets[bucket_of(value)]++;
    h->count++;
}

uint64_t urb_hist_quantile(const urb_hist_t *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if (rank >= h->count)
        rank = h->count - 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < URB_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen > rank)
            return bucket_top(i);
    }
    return bucket_top(URB_HIST_BUCKETS - 1);
}
