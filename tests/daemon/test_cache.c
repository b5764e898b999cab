/* The reply cache on its own (daemon/cache.c): keys from parsed requests,
 * took_us rewritten on a hit, the byte budget and recency, generations. */
#include <stdio.h>

#include "cache.h"
#include "test.h"

static void key_of(const char *line, urb_buf_t *key)
{
    urb_request_t rq;
    urb_request_init(&rq);
    CHECK(urb_request_parse(&rq, line, strlen(line)) == 1);
    CHECK(urb_cache_key(&rq, key) == 0);
    urb_request_free(&rq);
}

static bool same_key(const char *a, const char *b)
{
    urb_buf_t ka = {0}, kb = {0};
    key_of(a, &ka);
    key_of(b, &kb);
    bool same = ka.len == kb.len && memcmp(ka.data, kb.data, ka.len) == 0;
    urb_buf_free(&ka);
    urb_buf_free(&kb);
    return same;
}

static void keys(void)
{
    CHECK(same_key("SEARCH limit=5 a b", "search   limit=\"5\" a b "));
    CHECK(same_key("GET x", "get x"));
    CHECK(!same_key("SEARCH limit=5 a", "SEARCH limit=6 a"));
    CHECK(same_key("SEARCH a b", "SEARCH -- a b"));
    CHECK(!same_key("SEARCH filter=lang:en filter=lang:de x",
                    "SEARCH filter=lang:en x"));
    CHECK(!same_key("SEARCH lang=en x", "SEARCH -- lang=en x"));
    CHECK(!same_key("SEARCH a", "SUGGEST a"));
}

static void hits_rewrite_took(void)
{
    urb_cache_t *c = urb_cache_new(1 << 20);
    urb_buf_t key = {0}, out = {0};
    key_of("SEARCH refugee", &key);
    CHECK(!urb_cache_get(c, 1, &key, 5, &out));
    const char reply[] = "OK {\"query\":\"refugee\",\"took_us\":1234}\n";
    urb_cache_put(c, 1, &key, reply, sizeof reply - 1);
    CHECK(urb_cache_get(c, 1, &key, 7, &out));
    CHECK_STR(out.data, "{\"query\":\"refugee\",\"took_us\":7}");
    /* A title holding the key's text is escaped: only the real one moves. */
    const char tricky[] = "OK {\"title\":\"\\\"took_us\\\":9\",\"took_us\":88}\n";
    urb_cache_put(c, 1, &key, tricky, sizeof tricky - 1); /* already kept */
    key_of("SEARCH other", &key);
    urb_cache_put(c, 1, &key, tricky, sizeof tricky - 1);
    CHECK(urb_cache_get(c, 1, &key, 3, &out));
    CHECK_STR(out.data, "{\"title\":\"\\\"took_us\\\":9\",\"took_us\":3}");
    /* A reply without took_us (GET) comes back as it was. */
    key_of("GET a", &key);
    const char doc[] = "OK {\"id\":\"a\"}\n";
    urb_cache_put(c, 1, &key, doc, sizeof doc - 1);
    CHECK(urb_cache_get(c, 1, &key, 3, &out));
    CHECK_STR(out.data, "{\"id\":\"a\"}");
    /* Errors are not kept. */
    key_of("GET b", &key);
    const char err[] = "ERR not_found no b\n";
    urb_cache_put(c, 1, &key, err, sizeof err - 1);
    CHECK(!urb_cache_get(c, 1, &key, 3, &out));
    urb_cache_stats_t st;
    urb_cache_stats(c, &st);
    CHECK(st.entries == 3 && st.hits == 3 && st.misses == 2);
    urb_buf_free(&key);
    urb_buf_free(&out);
    urb_cache_free(c);
}

static void generations_and_budget(void)
{
    urb_cache_t *c = urb_cache_new(64 << 10);
    urb_buf_t key = {0}, out = {0};
    char line[64], reply[600];
    memset(reply, 'x', sizeof reply);
    memcpy(reply, "OK {", 4);
    reply[sizeof reply - 2] = '}';
    reply[sizeof reply - 1] = '\n';
    for (int i = 0; i < 1000; i++) {
        snprintf(line, sizeof line, "SEARCH q%d", i);
        key_of(line, &key);
        urb_cache_put(c, 1, &key, reply, sizeof reply);
        if (i >= 1) { /* q0 is read each time: the most recent, it stays */
            key_of("SEARCH q0", &key);
            CHECK(urb_cache_get(c, 1, &key, 0, &out));
        }
    }
    urb_cache_stats_t st;
    urb_cache_stats(c, &st);
    CHECK(st.bytes <= st.max_bytes && st.entries < 1000 && st.entries > 50);
    key_of("SEARCH q1", &key);
    CHECK(!urb_cache_get(c, 1, &key, 0, &out)); /* evicted long ago */
    key_of("SEARCH q999", &key);
    CHECK(urb_cache_get(c, 1, &key, 0, &out));
    /* A reply bigger than a sixteenth of the budget is not kept. */
    static char big[8 << 10];
    memset(big, 'y', sizeof big);
    memcpy(big, "OK {", 4);
    big[sizeof big - 1] = '\n';
    key_of("SEARCH big", &key);
    urb_cache_put(c, 1, &key, big, sizeof big);
    CHECK(!urb_cache_get(c, 1, &key, 0, &out));
    /* The next generation starts empty. */
    key_of("SEARCH q999", &key);
    CHECK(!urb_cache_get(c, 2, &key, 0, &out));
    urb_cache_stats(c, &st);
    CHECK(st.entries == 0 && st.bytes == 0);
    urb_buf_free(&key);
    urb_buf_free(&out);
    urb_cache_free(c);

    c = urb_cache_new(0);
    key_of("SEARCH q", &key);
    urb_cache_put(c, 1, &key, reply, sizeof reply);
    CHECK(!urb_cache_get(c, 1, &key, 0, &out));
    urb_buf_free(&key);
    urb_buf_free(&out);
    urb_cache_free(c);
}

URB_TEST_MAIN(T(keys), T(hits_rewrite_took), T(generations_and_budget))
