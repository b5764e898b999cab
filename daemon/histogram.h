/* histogram.h — latency percentiles in constant memory: log-linear
 * buckets (16 per power of two, under 7% error), like HdrHistogram. */
#ifndef URBISD_HISTOGRAM_H
#define URBISD_HISTOGRAM_H

#include <stdint.h>

#define URB_HIST_BUCKETS (16 + 44 * 16)

typedef struct urb_hist {
    uint64_t count;
    uint64_t buckets[URB_HIST_BUCKETS];
} urb_hist_t;

void urb_hist_add(urb_hist_t *h, uint64_t value);
/* The value at quantile q (0..1): an upper bound of its bucket; 0 when
 * empty. */
uint64_t urb_hist_quantile(const urb_hist_t *h, double q);

#endif
