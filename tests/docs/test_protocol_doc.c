/* test_protocol_doc.c — docs/protocol.md against the command table of a
 * running urbisd (its HELP reply): every command has a "### VERB" section
 * with its usage line word for word, every section names a real command,
 * and SEARCH's option table lists exactly the options of its usage line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "harness.h"
#include "test.h"

static char *read_doc(void)
{
    FILE *f = fopen(getenv("URBIS_PROTOCOL_DOC"), "r");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static json_t *help_commands(urb_daemon_t *d)
{
    urb_client_t *c = urb_client_tcp(d->port);
    char *reply = c ? urb_client_ask(c, "HELP") : NULL;
    json_t *r = reply ? urb_ok(reply) : NULL;
    json_t *cmds = json_incref(json_object_get(r, "commands"));
    json_decref(r);
    free(reply);
    if (c)
        urb_client_close(c);
    return cmds;
}

/* The section of doc under "### verb", up to the next heading. */
static bool section(const char *doc, const char *verb, const char **start, size_t *len)
{
    char head[64];
    int n = snprintf(head, sizeof head, "\n### %s\n", verb);
    const char *s = strstr(doc, head);
    if (!s)
        return false;
    s += n;
    const char *end = strstr(s, "\n#");
    *start = s;
    *len = end ? (size_t)(end - s) : strlen(s);
    return true;
}

static bool in_section(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = s; p + n <= s + len; p++)
        if (memcmp(p, needle, n) == 0)
            return true;
    return false;
}

static bool is_command(json_t *cmds, const char *verb, size_t n)
{
    size_t i;
    json_t *u;
    json_array_foreach(cmds, i, u) {
        const char *s = json_string_value(u);
        if (strncmp(s, verb, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
            return true;
    }
    return false;
}

static void test_every_command_is_documented_and_nothing_else(void)
{
    urb_daemon_t d;
    CHECK(urb_daemon_start(&d, NULL) == 0);
    json_t *cmds = help_commands(&d);
    const char *doc = read_doc();
    CHECK(json_array_size(cmds) >= 9);
    size_t i;
    json_t *u;
    json_array_foreach(cmds, i, u) {
        const char *usage = json_string_value(u), *s;
        char verb[32], quoted[1024];
        size_t len;
        snprintf(verb, sizeof verb, "%.*s", (int)strcspn(usage, " "), usage);
        snprintf(quoted, sizeof quoted, "`%s`", usage);
        bool found = doc && section(doc, verb, &s, &len);
        if (!found || !in_section(s, len, quoted))
            fprintf(stderr, "  docs/protocol.md: no section \"### %s\" with %s\n", verb,
                    quoted);
        CHECK(found && in_section(s, len, quoted));
    }
    const char *p = doc ? strstr(doc, "\n## Commands\n") : NULL;
    const char *end = p ? strstr(p + 1, "\n## ") : NULL;
    CHECK(p != NULL);
    for (; p && (p = strstr(p, "\n### ")) && (!end || p < end); p++) {
        size_t n = strcspn(p + 5, " \n");
        if (!is_command(cmds, p + 5, n))
            fprintf(stderr, "  docs/protocol.md documents %.*s, which urbisd lacks\n",
                    (int)n, p + 5);
        CHECK(is_command(cmds, p + 5, n));
    }
    json_decref(cmds);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

static void test_search_options_match_the_table(void)
{
    urb_daemon_t d;
    CHECK(urb_daemon_start(&d, NULL) == 0);
    json_t *cmds = help_commands(&d);
    const char *doc = read_doc(), *usage = NULL, *s = NULL;
    size_t i, len = 0;
    json_t *u;
    json_array_foreach(cmds, i, u)
        if (strncmp(json_string_value(u), "SEARCH ", 7) == 0)
            usage = json_string_value(u);
    CHECK(usage != NULL);
    CHECK(doc && section(doc, "SEARCH", &s, &len));
    if (!usage || !s) {
        json_decref(cmds);
        urb_daemon_stop(&d, SIGTERM);
        return;
    }
    /* Usage options, "[name=...]", each in the table as "| `name` |". */
    size_t options = 0;
    for (const char *p = usage; (p = strchr(p, '[')); p++) {
        size_t n = strcspn(p + 1, "=]");
        if (p[1 + n] != '=')
            continue;
        char row[64];
        snprintf(row, sizeof row, "| `%.*s` |", (int)n, p + 1);
        if (!in_section(s, len, row))
            fprintf(stderr, "  SEARCH option %.*s has no row in docs/protocol.md\n", (int)n,
                    p + 1);
        CHECK(in_section(s, len, row));
        options++;
    }
    CHECK(options >= 9);
    /* Table rows, each an option of the usage line. */
    size_t rows = 0;
    for (const char *p = s; p < s + len && (p = strstr(p, "\n| `")) && p < s + len; p++) {
        size_t n = strcspn(p + 4, "`");
        char opt[64];
        snprintf(opt, sizeof opt, "[%.*s=", (int)n, p + 4);
        if (!strstr(usage, opt))
            fprintf(stderr, "  docs/protocol.md lists SEARCH option %.*s, urbisd does not\n",
                    (int)n, p + 4);
        CHECK(strstr(usage, opt) != NULL);
        rows++;
    }
    CHECK(rows == options);
    json_decref(cmds);
    CHECK(urb_daemon_stop(&d, SIGTERM) == 0);
}

URB_TEST_MAIN(T(test_every_command_is_documented_and_nothing_else),
              T(test_search_options_match_the_table))
