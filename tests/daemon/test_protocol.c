/* Every line of protocol.md against one real daemon and index. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

static urb_daemon_t daemon_;
static urb_client_t *cl; /* one TCP client the cases share */

static char *ask(const char *line)
{
    static char *last;
    free(last);
    last = urb_client_ask(cl, line);
    return last;
}

/* The OK reply's object for line; NULL (a failed check) otherwise. The
 * caller decrefs. */
static json_t *ok(const char *line)
{
    json_t *j = urb_ok(ask(line));
    CHECK(j != NULL);
    return j;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The ids of a SEARCH reply's hits, comma-separated, in rank order. */
static const char *ids(json_t *reply)
{
    static char buf[1024];
    buf[0] = '\0';
    json_t *hits = json_object_get(reply, "hits");
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        if (i)
            strcat(buf, ",");
        strncat(buf, str(h, "id") ? str(h, "id") : "?", 100);
    }
    return buf;
}

static bool has_id(json_t *reply, const char *id)
{
    char want[128];
    snprintf(want, sizeof want, ",%s,", id);
    char all[1100];
    snprintf(all, sizeof all, ",%s,", ids(reply));
    return strstr(all, want) != NULL;
}

static void search_has(const char *line, const char *id, bool present)
{
    json_t *j = ok(line);
    if (!j)
        return;
    if (has_id(j, id) != present) {
        fprintf(stderr, "%s: %s %s in [%s]\n", line, id,
                present ? "missing" : "unexpected", ids(j));
        urb_test_failed_checks++;
    }
    json_decref(j);
}

/* ---- Transport and framing ----------------------------------------------- */

static void test_ping(void)
{
    json_t *j = ok("PING");
    CHECK(j && json_is_true(json_object_get(j, "pong")));
    json_decref(j);
    CHECK_STR(ask("ping"), "OK {\"pong\":true}");
    CHECK_STR(ask("PiNg\r"), "OK {\"pong\":true}");
}

static void test_hello(void)
{
    json_t *j = ok("HELLO");
    CHECK_STR(str(j, "server"), "urbisd");
    CHECK(str(j, "version") && strchr(str(j, "version"), '.'));
    CHECK(num(j, "protocol") == 1);
    CHECK(num(j, "documents") == 8);
    json_decref(j);
}

/* The client speaks first: a new connection gets nothing until it asks. */
static void test_server_sends_nothing_on_connect(void)
{
    urb_client_t *c = urb_client_tcp(daemon_.port);
    CHECK(c != NULL);
    if (!c)
        return;
    char *line = urb_client_line(c, 300);
    CHECK(line == NULL);
    free(line);
    char *r = urb_client_ask(c, "PING");
    CHECK_STR(r, "OK {\"pong\":true}");
    free(r);
    urb_client_close(c);
}

/* One line, no raw control character, non-ASCII as UTF-8 (not \u
 * escapes): the report's text has newlines and "València". */
static void test_replies_are_one_line_utf8(void)
{
    const char *r = ask("GET valencia-en");
    CHECK(r && strstr(r, "Val\xc3\xa8ncia") != NULL);
    CHECK(r && strstr(r, "\\n") != NULL);
    for (const char *p = r; p && *p; p++)
        CHECK((unsigned char)*p >= 0x20);
}

static void test_blank_lines_get_no_reply(void)
{
    const char in[] = "\n   \n\t \r\nPING\n";
    CHECK(urb_client_send(cl, in, sizeof in - 1) == 0);
    char *line = urb_client_line(cl, 5000);
    CHECK_STR(line, "OK {\"pong\":true}");
    free(line);
    /* Nothing else is pending: the next reply is for the next request. */
    const char *r = ask("HELLO");
    CHECK(r && strncmp(r, "OK {\"server\"", 12) == 0);
}

static void test_unknown_command(void)
{
    CHECK(urb_is_err(ask("FROBNICATE x"), "unknown_command"));
}

static void test_bad_utf8(void)
{
    CHECK(urb_is_err(ask("SEARCH caf\xe9"), "bad_utf8"));
    CHECK(urb_is_err(ask("SEARCH \xc0\x80"), "bad_utf8"));
    CHECK(urb_is_err(ask("PING \xff"), "bad_utf8"));
    CHECK_STR(ask("PING"), "OK {\"pong\":true}");
}

static void test_too_long_then_ping(void)
{
    size_t n = 40000;
    char *line = malloc(n + 7);
    memcpy(line, "SEARCH ", 7);
    memset(line + 7, 'a', n - 7);
    memcpy(line + n, "\nPING\n", 6);
    CHECK(urb_client_send(cl, line, n + 6) == 0);
    free(line);
    char *r1 = urb_client_line(cl, 5000), *r2 = urb_client_line(cl, 5000);
    CHECK(urb_is_err(r1, "too_long"));
    CHECK_STR(r2, "OK {\"pong\":true}");
    free(r1);
    free(r2);
}

static void test_longest_line_allowed(void)
{
    /* 16384 bytes exactly is allowed; the CR LF do not count. */
    char *line = malloc(16384 + 3);
    memcpy(line, "PING", 4);
    memset(line + 4, ' ', 16384 - 4);
    memcpy(line + 16384, "\r\n", 3);
    CHECK(urb_client_send(cl, line, 16386) == 0);
    char *r = urb_client_line(cl, 5000);
    CHECK_STR(r, "OK {\"pong\":true}");
    free(r);
    free(line);
}

static void test_pipelining_2000_in_one_write(void)
{
    static const char *const reqs[] = {"PING", "SEARCH limit=1 refugee",
                                       "HELLO", "GET valencia-en", "NOPE"};
    static const char *const want[] = {"OK {\"pong\":true}", "OK {\"query\":",
                                       "OK {\"server\":", "OK {\"id\":\"valencia-en\"",
                                       "ERR unknown_command"};
    size_t cap = 2000 * 32, len = 0;
    char *batch = malloc(cap);
    for (int i = 0; i < 2000; i++)
        len += (size_t)snprintf(batch + len, cap - len, "%s\n", reqs[i % 5]);
    CHECK(urb_client_send(cl, batch, len) == 0);
    free(batch);
    int in_order = 0;
    for (int i = 0; i < 2000; i++) {
        char *r = urb_client_line(cl, 10000);
        if (r && strncmp(r, want[i % 5], strlen(want[i % 5])) == 0)
            in_order++;
        else if (in_order == i)
            fprintf(stderr, "reply %d: %s\n", i, r ? r : "(none)");
        free(r);
    }
    CHECK(in_order == 2000);
}

/* ---- Options ----------------------------------------------------------------*/

static void test_bad_options(void)
{
    CHECK(urb_is_err(ask("SEARCH limit=101 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH limit=-1 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH offset=10001 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH colour=red refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH limit=1 limit=2 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH filter=planet:mars refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH filter=year:20x0 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH facets=country,colour refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH op=xor refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH sort=random refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH snippets=2 refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH lang=english refugee"), "bad_argument"));
    CHECK(urb_is_err(ask("SUGGEST limit=0 ref"), "bad_argument"));
    CHECK(urb_is_err(ask("SUGGEST limit=51 ref"), "bad_argument"));
    CHECK(urb_is_err(ask("PING limit=1"), "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH filter=\"country:es refugee"), "syntax"));
}

static void test_options_end_at_first_word_or_dashes(void)
{
    /* "limit=5" after "--" is query text, not an option. */
    json_t *j = ok("SEARCH limit=1 -- limit=5");
    CHECK_STR(str(j, "query"), "limit=5");
    json_decref(j);
    j = ok("SEARCH limit=1 refugee limit=5");
    CHECK_STR(str(j, "query"), "refugee limit=5");
    json_decref(j);
}

/* ---- SEARCH --------------------------------------------------------------- */

static void test_search_reply_fields(void)
{
    json_t *j = ok("SEARCH refugee housing");
    CHECK_STR(str(j, "query"), "refugee housing");
    CHECK(num(j, "total") >= 1);
    CHECK(json_is_boolean(json_object_get(j, "exact")));
    CHECK(num(j, "offset") == 0);
    CHECK(json_is_integer(json_object_get(j, "took_us")));
    json_t *h = json_array_get(json_object_get(j, "hits"), 0);
    CHECK_STR(str(h, "id"), "valencia-en");
    CHECK(num(h, "rank") == 1);
    CHECK(json_is_number(json_object_get(h, "score")));
    CHECK_STR(str(h, "title"), "Developing an ambitious approach to migration from scratch");
    CHECK_STR(str(h, "city"), "València");
    CHECK_STR(str(h, "country"), "ES");
    CHECK_STR(str(h, "lang"), "en");
    CHECK(num(h, "year") == 2023);
    CHECK(str(h, "snippet") && strstr(str(h, "snippet"), "<b>"));
    CHECK(!json_object_get(j, "corrected"));
    CHECK(!json_object_get(j, "facets"));
    json_decref(j);
}

static void test_search_folds_and_stems(void)
{
    search_has("SEARCH valencia", "valencia-en", true);
    search_has("SEARCH valencia", "valencia-es", true);
    search_has("SEARCH VALÈNCIA", "valencia-es", true);
    search_has("SEARCH fluchtlinge", "berlin-de", true);
    search_has("SEARCH Flüchtling", "berlin-de", true);
    search_has("SEARCH associacoes", "lisbon-pt", true);
    search_has("SEARCH gdansk", "gdansk-en", true);
    search_has("SEARCH malmo", "malmo-sv", true);
    search_has("SEARCH refugees", "valencia-en", true);
    search_has("SEARCH 多文化", "tokyo-ja", true);
    search_has("SEARCH 日本語教室", "tokyo-ja", true);
}

static void test_search_phrases_and_operators(void)
{
    search_has("SEARCH \"refugee reception\"", "valencia-en", true);
    search_has("SEARCH \"reception refugee\"", "valencia-en", false);
    search_has("SEARCH refugee NOT housing", "athens-en", true);
    search_has("SEARCH refugee NOT housing", "valencia-en", false);
    search_has("SEARCH councils OR landlords", "valencia-en", true);
    search_has("SEARCH councils OR landlords", "athens-en", true);
    search_has("SEARCH (councils OR landlords) AND housing", "athens-en", false);
    search_has("SEARCH title:ambitious", "valencia-en", true);
    search_has("SEARCH title:housing", "valencia-en", false);
    search_has("SEARCH city:athens refugee", "athens-en", true);
    search_has("SEARCH city:athens refugee", "valencia-en", false);
    search_has("SEARCH integr*", "gdansk-en", true);
    search_has("SEARCH op=or landlords councils", "athens-en", true);
    search_has("SEARCH landlords councils", "athens-en", false);
}

static void test_search_malformed_is_syntax(void)
{
    CHECK(urb_is_err(ask("SEARCH"), "syntax"));
    CHECK(urb_is_err(ask("SEARCH (refugee"), "syntax"));
    CHECK(urb_is_err(ask("SEARCH \"refugee housing"), "syntax"));
    CHECK(urb_is_err(ask("SEARCH refugee AND"), "syntax"));
    CHECK(urb_is_err(ask("SEARCH year:abc"), "syntax"));
}

static void test_search_filters(void)
{
    search_has("SEARCH filter=country:es refugee", "valencia-en", true);
    search_has("SEARCH filter=country:es refugee", "athens-en", false);
    search_has("SEARCH filter=city:valencia refugee", "valencia-en", true);
    search_has("SEARCH filter=city:VALÈNCIA refugee", "valencia-en", true);
    search_has("SEARCH filter=network:\"intercultural cities\" housing", "gdansk-en", true);
    search_has("SEARCH filter=network:\"intercultural cities\" housing", "valencia-en", true);
    search_has("SEARCH filter=network:eurocities housing", "gdansk-en", false);
    /* Same field: OR; different fields: AND. */
    json_t *j = ok("SEARCH filter=lang:de filter=lang:sv filter=year:2018..2019");
    CHECK_STR(ids(j), "berlin-de,malmo-sv");
    json_decref(j);
    j = ok("SEARCH filter=lang:de filter=year:2020..");
    CHECK(num(j, "total") == 0);
    json_decref(j);
    /* Browsing: no text, every report passing the filters, newest first. */
    j = ok("SEARCH filter=year:2015..2021");
    CHECK_STR(ids(j), "lisbon-pt,tokyo-ja,berlin-de,malmo-sv,gdansk-en");
    json_decref(j);
    j = ok("SEARCH filter=year:..2018");
    CHECK_STR(ids(j), "malmo-sv,gdansk-en");
    json_decref(j);
}

static void test_search_facets_count_all_matches(void)
{
    json_t *j = ok("SEARCH limit=1 facets=country,lang,network,year,city filter=year:1..9999");
    json_t *f = json_object_get(j, "facets");
    CHECK(json_array_size(json_object_get(j, "hits")) == 1);
    CHECK(num(json_object_get(f, "country"), "ES") == 2);
    CHECK(num(json_object_get(f, "country"), "DE") == 1);
    CHECK(num(json_object_get(f, "lang"), "en") == 2);
    CHECK(num(json_object_get(f, "network"), "Eurocities") == 5);
    CHECK(num(json_object_get(f, "network"), "Intercultural Cities") == 3);
    CHECK(num(json_object_get(f, "year"), "2023") == 2);
    CHECK(num(json_object_get(f, "city"), "València") == 2);
    json_decref(j);
}

static void test_search_paging(void)
{
    json_t *all = ok("SEARCH limit=100 filter=year:1..9999");
    json_t *page = ok("SEARCH limit=2 offset=2 filter=year:1..9999");
    json_t *h = json_array_get(json_object_get(page, "hits"), 0);
    CHECK(num(h, "rank") == 3);
    CHECK(num(page, "offset") == 2);
    CHECK_STR(str(h, "id"), str(json_array_get(json_object_get(all, "hits"), 2), "id"));
    CHECK(json_array_size(json_object_get(page, "hits")) == 2);
    CHECK(num(page, "total") == num(all, "total"));
    json_decref(all);
    json_decref(page);
    json_t *none = ok("SEARCH limit=0 refugee");
    CHECK(json_array_size(json_object_get(none, "hits")) == 0);
    CHECK(num(none, "total") >= 2);
    json_decref(none);
}

/* sort=index: every match once, page after page, unranked; offset may go
 * past 10000 only with it. */
static void test_search_sort_by_index(void)
{
    json_t *all = ok("SEARCH limit=100 op=or refugee housing city");
    size_t n = json_array_size(json_object_get(all, "hits"));
    CHECK(n >= 4);
    char seen[2048] = "";
    size_t got = 0;
    for (unsigned off = 0; off < n + 3; off += 3) {
        char line[128];
        snprintf(line, sizeof line,
                 "SEARCH sort=index limit=3 offset=%u op=or refugee housing city",
                 off);
        json_t *page = ok(line);
        json_t *hits = json_object_get(page, "hits"), *h;
        size_t i;
        json_array_foreach(hits, i, h) {
            char id[80];
            snprintf(id, sizeof id, " %s ", str(h, "id"));
            CHECK(strstr(seen, id) == NULL); /* once */
            CHECK(json_number_value(json_object_get(h, "score")) == 0);
            CHECK(num(h, "rank") == (json_int_t)(off + i + 1));
            strncat(seen, id, sizeof seen - strlen(seen) - 1);
            got++;
        }
        json_decref(page);
    }
    CHECK(got == n); /* every match */
    for (size_t i = 0; i < n; i++) {
        char id[80];
        snprintf(id, sizeof id, " %s ",
                 str(json_array_get(json_object_get(all, "hits"), i), "id"));
        CHECK(strstr(seen, id) != NULL);
    }
    json_decref(all);
    json_t *far = ok("SEARCH sort=index offset=20000 refugee");
    CHECK(json_array_size(json_object_get(far, "hits")) == 0);
    CHECK(num(far, "offset") == 20000);
    json_decref(far);
    CHECK(urb_is_err(ask("SEARCH sort=relevance offset=20000 refugee"),
                     "bad_argument"));
    CHECK(urb_is_err(ask("SEARCH offset=2000000001 sort=index refugee"),
                     "bad_argument"));
}

static void test_search_sort_by_year(void)
{
    json_t *j = ok("SEARCH sort=year op=or refugee refugees councils housing");
    /* athens-en has no year: last in both orders. */
    const char *got = ids(j);
    CHECK(strstr(got, "gdansk-en") < strstr(got, "valencia-en"));
    CHECK(strlen(got) > 9 && strcmp(got + strlen(got) - 9, "athens-en") == 0);
    json_decref(j);
    j = ok("SEARCH sort=-year op=or refugee refugees councils housing");
    got = ids(j);
    CHECK(strstr(got, "valencia-en") < strstr(got, "gdansk-en"));
    CHECK(strlen(got) > 9 && strcmp(got + strlen(got) - 9, "athens-en") == 0);
    json_decref(j);
}

static void test_search_snippets_are_html_safe(void)
{
    json_t *j = ok("SEARCH children");
    json_t *h = json_array_get(json_object_get(j, "hits"), 0);
    const char *s = str(h, "snippet");
    CHECK(s && strstr(s, "&lt;<b>children</b>&gt; &amp; &quot;families&quot;"));
    json_decref(j);
    j = ok("SEARCH snippets=0 children");
    h = json_array_get(json_object_get(j, "hits"), 0);
    CHECK(h && !json_object_get(h, "snippet"));
    json_decref(j);
}

static void test_search_corrected(void)
{
    json_t *j = ok("SEARCH refugee housng");
    CHECK_STR(str(j, "corrected"), "refugee housing");
    CHECK(has_id(j, "valencia-en"));
    json_decref(j);
}

/* lang=xx stems the query in that language only; lang=auto tries every
 * indexed language. "associacao" (singular) reaches "associações" through
 * the Portuguese stemmer alone. */
static void test_search_lang_picks_the_stemmer(void)
{
    search_has("SEARCH lang=pt associacao", "lisbon-pt", true);
    search_has("SEARCH lang=en associacao", "lisbon-pt", false);
    search_has("SEARCH associacao", "lisbon-pt", true);
    search_has("SEARCH lang=de fluchtling", "berlin-de", true);
    search_has("SEARCH lang=en fluchtling", "berlin-de", false);
}

/* xl=1 adds the other indexed languages to lang=xx; default 1 with
 * lang=auto, 0 otherwise. */
static void test_search_xl_adds_the_other_languages(void)
{
    search_has("SEARCH lang=en xl=1 associacao", "lisbon-pt", true);
    search_has("SEARCH lang=en xl=0 associacao", "lisbon-pt", false);
    search_has("SEARCH lang=en xl=1 fluchtling", "berlin-de", true);
    CHECK(urb_is_err(ask("SEARCH xl=2 refugee"), "bad_argument"));
}

/* ---- SUGGEST, GET, STATS, RELOAD, AUTH, QUIT, HELP ---------------------- */

static void test_suggest(void)
{
    json_t *j = ok("SUGGEST refugee hou");
    CHECK_STR(str(j, "text"), "refugee hou");
    json_t *s = json_array_get(json_object_get(j, "suggestions"), 0);
    CHECK_STR(str(s, "text"), "refugee housing");
    CHECK(num(s, "count") >= 1);
    json_decref(j);
    j = ok("SUGGEST vale");
    s = json_array_get(json_object_get(j, "suggestions"), 0);
    CHECK_STR(str(s, "text"), "valència");
    json_decref(j);
    j = ok("SUGGEST limit=1 e");
    CHECK(json_array_size(json_object_get(j, "suggestions")) == 1);
    json_decref(j);
    /* Unspaced scripts: the run after the last space or punctuation is
     * completed, though the index holds one term per CJK character. */
    static const char *const runs[][2] = {{"SUGGEST 多文", "多文化"},
                                          {"SUGGEST 東京、多文", "東京、多文化"}};
    for (size_t i = 0; i < 2; i++) {
        j = ok(runs[i][0]);
        s = json_array_get(json_object_get(j, "suggestions"), 0);
        CHECK_STR(str(s, "text"), runs[i][1]);
        CHECK(num(s, "count") >= 1);
        json_decref(j);
    }
    /* Ordered by count. */
    j = ok("SUGGEST r");
    json_t *list = json_object_get(j, "suggestions");
    for (size_t i = 1; i < json_array_size(list); i++)
        CHECK(num(json_array_get(list, i - 1), "count") >= num(json_array_get(list, i), "count"));
    json_decref(j);
}

static void test_get(void)
{
    json_t *j = ok("GET valencia-en");
    CHECK_STR(str(j, "id"), "valencia-en");
    CHECK_STR(str(j, "city"), "València");
    CHECK_STR(str(j, "country"), "ES");
    CHECK_STR(str(j, "lang"), "en");
    CHECK(num(j, "year") == 2023);
    CHECK(json_array_size(json_object_get(j, "networks")) == 3);
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "networks"), 1)),
              "Intercultural Cities");
    CHECK_STR(str(j, "source"), "https://example.org/reports/valencia.pdf");
    CHECK_STR(str(json_object_get(j, "fields"), "population"), "800000");
    CHECK(str(j, "text") && strstr(str(j, "text"), "private landlords"));
    CHECK(str(j, "text") && !strstr(str(j, "text"), "population:"));
    json_decref(j);
    j = ok("GET athens-en");
    CHECK(!json_object_get(j, "year"));
    CHECK(!json_object_get(j, "source"));
    json_decref(j);
    CHECK(urb_is_err(ask("GET no-such-report"), "not_found"));
    CHECK(urb_is_err(ask("GET"), "syntax"));
}

static void test_stats(void)
{
    json_t *j = ok("STATS");
    CHECK(num(j, "documents") == 8);
    CHECK(str(j, "generation") && strncmp(str(j, "generation"), "gen-", 4) == 0);
    CHECK(json_is_integer(json_object_get(j, "uptime_s")));
    CHECK(num(j, "connections") >= 1);
    CHECK(num(j, "requests") > 0);
    CHECK(num(j, "errors") > 0); /* the bad requests above */
    json_t *lat = json_object_get(j, "latency_us");
    CHECK(json_is_integer(json_object_get(lat, "p50")));
    CHECK(num(lat, "p99") >= num(lat, "p50"));
    json_decref(j);
}

static void test_reload_is_admin_only(void)
{
    CHECK(urb_is_err(ask("RELOAD"), "forbidden"));
    CHECK(urb_is_err(ask("AUTH letmein"), "forbidden")); /* no token set */
    urb_client_t *u = urb_client_unix(daemon_.sock);
    CHECK(u != NULL);
    if (!u)
        return;
    char *r = urb_client_ask(u, "RELOAD");
    json_t *j = urb_ok(r);
    CHECK(j && num(j, "documents") == 8);
    CHECK(j && strncmp(str(j, "generation"), "gen-", 4) == 0);
    json_decref(j);
    free(r);
    urb_client_close(u);
}

static void test_quit_closes(void)
{
    urb_client_t *c = urb_client_tcp(daemon_.port);
    const char in[] = "PING\nQUIT\nPING\n";
    CHECK(urb_client_send(c, in, sizeof in - 1) == 0);
    char *a = urb_client_line(c, 5000), *b = urb_client_line(c, 5000);
    CHECK_STR(a, "OK {\"pong\":true}");
    CHECK_STR(b, "OK {\"bye\":true}");
    CHECK(urb_client_closed(c, 5000));
    free(a);
    free(b);
    urb_client_close(c);
}

static void test_help_lists_commands(void)
{
    json_t *j = ok("HELP");
    json_t *cmds = json_object_get(j, "commands");
    const char *verbs[] = {"PING", "HELLO", "SEARCH", "SUGGEST", "GET", "STATS",
                           "RELOAD", "AUTH", "QUIT", "HELP"};
    for (size_t v = 0; v < sizeof verbs / sizeof *verbs; v++) {
        bool found = false;
        size_t i;
        json_t *c;
        json_array_foreach(cmds, i, c)
            found |= strncmp(json_string_value(c), verbs[v], strlen(verbs[v])) == 0;
        CHECK(found);
    }
    json_decref(j);
}

/* ---- Many clients, and one that never reads ------------------------------ */

static void test_many_connections(void)
{
    enum { N = 300 };
    urb_client_t *cs[N];
    int opened = 0, answered = 0;
    for (int i = 0; i < N; i++)
        if ((cs[i] = urb_client_tcp(daemon_.port)))
            opened++;
    for (int i = 0; i < N; i++)
        if (cs[i])
            urb_client_send(cs[i], "SEARCH limit=1 refugee\n", 23);
    for (int i = 0; i < N; i++) {
        char *r = cs[i] ? urb_client_line(cs[i], 10000) : NULL;
        answered += r && strncmp(r, "OK {", 4) == 0;
        free(r);
        urb_client_close(cs[i]);
    }
    CHECK(opened == N);
    CHECK(answered == N);
}

static void test_client_that_never_reads(void)
{
    urb_client_t *hog = urb_client_tcp(daemon_.port);
    CHECK(hog != NULL);
    if (!hog)
        return;
    int fl = fcntl(hog->fd, F_GETFL);
    fcntl(hog->fd, F_SETFL, fl | O_NONBLOCK);
    static const char req[] = "SEARCH limit=20 op=or refugee housing councils\n";
    size_t sent = 0;
    /* Write until the kernel and the server stop taking more. */
    for (int stalls = 0; stalls < 50 && sent < (64u << 20);) {
        ssize_t w = send(hog->fd, req, sizeof req - 1, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
            stalls = 0;
        } else {
            stalls++;
            usleep(10000);
        }
    }
    /* The server stopped reading the hog; others are still answered. */
    CHECK(sent < (64u << 20));
    urb_client_t *other = urb_client_tcp(daemon_.port);
    char *r = other ? urb_client_ask(other, "PING") : NULL;
    CHECK_STR(r, "OK {\"pong\":true}");
    free(r);
    urb_client_close(other);
    urb_client_close(hog);
    CHECK_STR(ask("PING"), "OK {\"pong\":true}");
}

static void setup(void)
{
    if (urb_daemon_start(&daemon_, NULL) < 0) {
        urb_daemon_stop(&daemon_, SIGKILL);
        exit(1);
    }
    cl = urb_client_tcp(daemon_.port);
    if (!cl)
        exit(1);
}

static void teardown(void)
{
    urb_client_close(cl);
    CHECK(urb_daemon_stop(&daemon_, SIGTERM) == 0);
}

URB_TEST_MAIN(T(setup), T(test_ping), T(test_hello),
              T(test_server_sends_nothing_on_connect), T(test_replies_are_one_line_utf8),
              T(test_search_lang_picks_the_stemmer),
              T(test_search_xl_adds_the_other_languages),
              T(test_blank_lines_get_no_reply), T(test_unknown_command),
              T(test_bad_utf8), T(test_too_long_then_ping),
              T(test_longest_line_allowed), T(test_pipelining_2000_in_one_write),
              T(test_bad_options), T(test_options_end_at_first_word_or_dashes),
              T(test_search_reply_fields), T(test_search_folds_and_stems),
              T(test_search_phrases_and_operators),
              T(test_search_malformed_is_syntax), T(test_search_filters),
              T(test_search_facets_count_all_matches), T(test_search_paging),
              T(test_search_sort_by_index), T(test_search_sort_by_year),
              T(test_search_snippets_are_html_safe),
              T(test_search_corrected), T(test_suggest), T(test_get),
              T(test_stats), T(test_reload_is_admin_only),
              T(test_quit_closes), T(test_help_lists_commands),
              T(test_many_connections), T(test_client_that_never_reads),
              T(teardown))
