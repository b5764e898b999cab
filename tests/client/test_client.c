/* test_client.c — the urbis client against a real urbisd serving the
 * fixture index: one-shot search, export as JSON lines and CSV (every match
 * once), and its exit codes on ERR and on a dead socket. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>

#include "harness.h"
#include "test.h"

static urb_daemon_t daemon_;
static bool started;

static urb_daemon_t *daemon_up(void)
{
    if (!started && urb_daemon_start(&daemon_, NULL) == 0)
        started = true;
    return started ? &daemon_ : NULL;
}

/* Runs the client with args (shell words) and returns its exit status;
 * *out gets stdout (and stderr too when merge), malloc'd. */
static int client(const char *args, bool merge, char **out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s%s", getenv("URBIS_CLIENT"), args,
             merge ? " 2>&1" : " 2>/dev/null");
    FILE *p = popen(cmd, "r");
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    for (size_t r; p && buf && (r = fread(buf + len, 1, cap - len - 1, p)) > 0;) {
        len += r;
        if (len + 1 == cap) {
            char *more = realloc(buf, cap *= 2);
            if (!more)
                break;
            buf = more;
        }
    }
    if (buf)
        buf[len] = '\0';
    *out = buf;
    int st = p ? pclose(p) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The ids SEARCH finds for text (all of them: the fixture is small). */
static json_t *search_ids(urb_daemon_t *d, const char *text)
{
    urb_client_t *c = urb_client_tcp(d->port);
    char line[256];
    snprintf(line, sizeof line, "SEARCH limit=100 snippets=0 -- %s", text);
    char *reply = c ? urb_client_ask(c, line) : NULL;
    json_t *r = reply ? urb_ok(reply) : NULL, *ids = json_array(), *h;
    size_t i;
    json_array_foreach(json_object_get(r, "hits"), i, h)
        json_array_append(ids, json_object_get(h, "id"));
    json_decref(r);
    free(reply);
    if (c)
        urb_client_close(c);
    return ids;
}

static bool has_id(json_t *ids, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
        if (id && strcmp(json_string_value(v), id) == 0)
            return true;
    return false;
}

static void test_one_shot_search(void)
{
    urb_daemon_t *d = daemon_up();
    CHECK(d != NULL);
    if (!d)
        return;
    char args[256], *out;
    snprintf(args, sizeof args, "--host 127.0.0.1:%d search integration --limit 2", d->port);
    CHECK(client(args, false, &out) == 0);
    CHECK(strstr(out, "result") != NULL);
    CHECK(strstr(out, "  1. ") != NULL);
    CHECK(strstr(out, "  3. ") == NULL); /* --limit 2 reached the server */
    free(out);
    snprintf(args, sizeof args, "--socket %s --json search integration --filter lang:en",
             d->sock);
    CHECK(client(args, false, &out) == 0);
    json_t *r = urb_ok(strtok(out, "\n"));
    CHECK(r != NULL);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r, "hits"), i, h)
        CHECK_STR(json_string_value(json_object_get(h, "lang")), "en");
    json_decref(r);
    free(out);
}

static void test_export_json_lines(void)
{
    urb_daemon_t *d = daemon_up();
    CHECK(d != NULL);
    if (!d)
        return;
    json_t *want = search_ids(d, "city OR stadt OR cidade OR stad");
    CHECK(json_array_size(want) >= 3);
    char args[256], *out;
    snprintf(args, sizeof args, "--host 127.0.0.1:%d export city OR stadt OR cidade OR stad", d->port);
    CHECK(client(args, false, &out) == 0);
    size_t n = 0;
    json_t *seen = json_array();
    for (char *save, *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), n++) {
        json_t *doc = json_loads(line, 0, NULL);
        CHECK(doc != NULL);
        const char *id = json_string_value(json_object_get(doc, "id"));
        CHECK(has_id(want, id));
        CHECK(!has_id(seen, id));
        CHECK(json_is_string(json_object_get(doc, "text"))); /* all fields, by GET */
        json_array_append_new(seen, json_string(id ? id : ""));
        json_decref(doc);
    }
    CHECK(n == json_array_size(want));
    json_decref(seen);
    json_decref(want);
    free(out);
}

/* Splits RFC 4180 CSV; returns the number of records and checks each has
 * ncols fields; ids gets each record's first field. */
static size_t csv_records(const char *s, size_t ncols, json_t *ids)
{
    size_t records = 0, fields = 0;
    char first[256];
    size_t fl = 0;
    bool quoted = false;
    for (; *s; s++) {
        if (quoted) {
            if (*s == '"' && s[1] == '"')
                s++;
            else if (*s == '"')
                quoted = false;
            else if (fields == 0 && fl + 1 < sizeof first)
                first[fl++] = *s;
        } else if (*s == '"') {
            quoted = true;
        } else if (*s == ',') {
            fields++;
        } else if (*s == '\n') {
            CHECK(fields + 1 == ncols);
            first[fl] = '\0';
            if (records++ > 0)
                json_array_append_new(ids, json_string(first));
            fields = fl = 0;
        } else if (fields == 0 && fl + 1 < sizeof first) {
            first[fl++] = *s;
        }
    }
    CHECK(!quoted && fields == 0);
    return records;
}

static void test_export_csv(void)
{
    urb_daemon_t *d = daemon_up();
    CHECK(d != NULL);
    if (!d)
        return;
    json_t *want = search_ids(d, "city OR stadt OR cidade OR stad"), *got = json_array();
    char args[256], *out;
    snprintf(args, sizeof args, "--socket %s export --format csv city OR stadt OR cidade OR stad", d->sock);
    CHECK(client(args, false, &out) == 0);
    CHECK(strncmp(out, "id,title,city,country,lang,year,networks,source,text\n", 53) == 0);
    CHECK(csv_records(out, 9, got) == json_array_size(want) + 1);
    size_t i;
    json_t *v;
    json_array_foreach(got, i, v)
        CHECK(has_id(want, json_string_value(v)));
    json_decref(got);
    json_decref(want);
    free(out);
}

static void test_error_exits(void)
{
    urb_daemon_t *d = daemon_up();
    CHECK(d != NULL);
    if (!d)
        return;
    char args[512], *out;
    snprintf(args, sizeof args, "--host 127.0.0.1:%d search x --filter bogus:1", d->port);
    CHECK(client(args, true, &out) == 1);
    CHECK(strstr(out, "ERR bad_argument") != NULL);
    free(out);
    snprintf(args, sizeof args, "--host 127.0.0.1:%d export x --filter bogus:1", d->port);
    CHECK(client(args, true, &out) == 1);
    CHECK(strstr(out, "ERR bad_argument") != NULL);
    free(out);
    snprintf(args, sizeof args, "--host 127.0.0.1:%d get no-such-report", d->port);
    CHECK(client(args, true, &out) == 1);
    CHECK(strstr(out, "ERR not_found") != NULL);
    free(out);
    snprintf(args, sizeof args, "--socket %s/no-such-socket ping", d->dir);
    CHECK(client(args, true, &out) == 2);
    CHECK(strstr(out, "cannot connect") != NULL);
    free(out);
    CHECK(urb_daemon_stop(d, SIGTERM) == 0);
    started = false;
    snprintf(args, sizeof args, "--host 127.0.0.1:%d ping", d->port);
    CHECK(client(args, true, &out) == 2);
    free(out);
}

URB_TEST_MAIN(T(test_one_shot_search), T(test_export_json_lines), T(test_export_csv),
              T(test_error_exits))
