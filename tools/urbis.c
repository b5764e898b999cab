/* urbis — the command-line client of urbisd.
 *
 *   urbis [--host HOST:PORT | --socket PATH] [--json] [COMMAND [ARGS...]]
 *
 * With a command it sends one request and prints the reply: readable by
 * default, the raw line with --json; it exits 1 on ERR and 2 when the
 * server cannot be reached. Without a command it is an interactive prompt
 * with line editing and history (libedit). In ARGS, "--name value" and
 * "--name=value" become the option name=value, so
 *   urbis search refugee housing --filter country:ES --limit 5
 * sends SEARCH limit=5 filter=country:ES refugee housing.
 * `urbis export QUERY` writes every matching document as JSON lines or CSV. */
#include <errno.h>
#include <histedit.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "urbis/client.h"

static bool color;

/* Snippet HTML for a terminal: <b> as bold, entities decoded. */
static void print_snippet(const char *s)
{
    static const struct { const char *ent, *ch; } ents[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}};
    fputs("   ", stdout);
    while (*s) {
        if (strncmp(s, "<b>", 3) == 0 || strncmp(s, "</b>", 4) == 0) {
            bool open = s[1] == 'b';
            if (color)
                fputs(open ? "\033[1m" : "\033[0m", stdout);
            s += open ? 3 : 4;
            continue;
        }
        bool done = false;
        for (size_t i = 0; i < 4 && !done; i++) {
            size_t n = strlen(ents[i].ent);
            if (strncmp(s, ents[i].ent, n) == 0) {
                fputs(ents[i].ch, stdout);
                s += n;
                done = true;
            }
        }
        if (!done)
            putchar(*s++);
    }
    putchar('\n');
}

static void print_search(json_t *j)
{
    printf("%lld result%s%s (%lld µs)", (long long)json_integer_value(json_object_get(j, "total")),
           json_integer_value(json_object_get(j, "total")) == 1 ? "" : "s",
           json_is_true(json_object_get(j, "exact")) ? "" : " (estimated)",
           (long long)json_integer_value(json_object_get(j, "took_us")));
    const char *corr = json_string_value(json_object_get(j, "corrected"));
    if (corr)
        printf(", showing results for \"%s\"", corr);
    putchar('\n');
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(j, "hits"), i, h) {
        const char *title = json_string_value(json_object_get(h, "title"));
        printf("%3lld. %s%s%s\n", (long long)json_integer_value(json_object_get(h, "rank")),
               color ? "\033[1m" : "", title ? title : "(untitled)", color ? "\033[0m" : "");
        printf("     %s", json_string_value(json_object_get(h, "id")));
        static const char *const keys[] = {"city", "country", "lang"};
        for (int k = 0; k < 3; k++) {
            const char *v = json_string_value(json_object_get(h, keys[k]));
            if (v)
                printf(" · %s", v);
        }
        if (json_object_get(h, "year"))
            printf(" · %lld", (long long)json_integer_value(json_object_get(h, "year")));
        putchar('\n');
        const char *snip = json_string_value(json_object_get(h, "snippet"));
        if (snip) {
            fputs("  ", stdout);
            print_snippet(snip);
        }
    }
    json_t *facets = json_object_get(j, "facets");
    const char *field;
    json_t *counts;
    json_object_foreach(facets, field, counts) {
        printf("%s:", field);
        const char *value;
        json_t *n;
        json_object_foreach(counts, value, n)
            printf(" %s (%lld)", value, (long long)json_integer_value(n));
        putchar('\n');
    }
}

static void print_suggest(json_t *j)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "suggestions"), i, s)
        printf("%s (%lld)\n", json_string_value(json_object_get(s, "text")),
               (long long)json_integer_value(json_object_get(s, "count")));
}

/* Prints the reply in c->line; returns 0 for OK, 1 for ERR. */
static int print_reply(const urb_client_t *c, const char *verb, bool raw)
{
    const char *line = c->line.data;
    if (raw || strncmp(line, "OK ", 3) != 0) {
        FILE *out = strncmp(line, "OK ", 3) == 0 ? stdout : stderr;
        fprintf(out, "%s\n", line);
        return out == stdout ? 0 : 1;
    }
    json_t *j = json_loads(line + 3, 0, NULL);
    if (!j) {
        printf("%s\n", line);
        return 0;
    }
    if (strcasecmp(verb, "search") == 0)
        print_search(j);
    else if (strcasecmp(verb, "suggest") == 0)
        print_suggest(j);
    else if (strcasecmp(verb, "get") == 0 && json_object_get(j, "text")) {
        json_t *text = json_incref(json_object_get(j, "text"));
        json_object_del(j, "text");
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n\n%s\n", json_string_value(text));
        json_decref(text);
    } else {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(j);
    return 0;
}

/* Appends s as one option value or text word: quoted when it has spaces
 * or quotes. */
static int append_word(urb_buf_t *b, const char *s, bool quote)
{
    if (!quote)
        return urb_buf_append(b, s, strlen(s));
    int rc = urb_buf_append(b, "\"", 1);
    for (; *s && rc == 0; s++) {
        if (*s == '"' || *s == '\\')
            rc = urb_buf_append(b, "\\", 1);
        if (rc == 0)
            rc = urb_buf_append(b, s, 1);
    }
    return rc ? rc : urb_buf_append(b, "\"", 1);
}

/* Builds the request line from argv: verb, --options, then text. */
static int build_request(int argc, char **argv, urb_buf_t *req)
{
    urb_buf_t text = {0};
    int rc = urb_buf_append(req, argv[0], strlen(argv[0]));
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0 && a[2]) {
            const char *eq = strchr(a, '=');
            const char *val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : "";
            size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            rc = urb_buf_append(req, " ", 1) | urb_buf_append(req, a + 2, nlen) |
                 urb_buf_append(req, "=", 1) |
                 append_word(req, val, strpbrk(val, " \t\"") != NULL);
        } else {
            rc = (text.len ? urb_buf_append(&text, " ", 1) : 0) |
                 urb_buf_append(&text, a, strlen(a));
        }
    }
    if (rc == 0 && text.len)
        rc = urb_buf_append(req, " -- ", 4) | urb_buf_append(req, text.data, text.len);
    urb_buf_free(&text);
    return rc;
}

/* ---- export: every match, paged through SEARCH, each document by GET -- */

#define EXPORT_PAGE 100 /* protocol.md: limit 0..100 */

/* One CSV field, RFC 4180: quoted when it holds a comma, quote or newline. */
static void csv_field(const char *s, bool last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else if (s) {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static const char *const csv_columns[] = {"id", "title", "city", "country", "lang",
                                          "year", "networks", "source", "text"};
#define CSV_NCOLUMNS (sizeof csv_columns / sizeof *csv_columns)

static void csv_row(json_t *doc)
{
    for (size_t i = 0; i < CSV_NCOLUMNS; i++) {
        json_t *v = json_object_get(doc, csv_columns[i]);
        char num[32];
        urb_buf_t list = {0};
        const char *text = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            text = num;
        } else if (json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e) {
                const char *es = json_string_value(e);
                if (k)
                    urb_buf_append(&list, ";", 1);
                if (es)
                    urb_buf_append(&list, es, strlen(es));
            }
            text = list.data ? list.data : "";
        }
        csv_field(text, i + 1 == CSV_NCOLUMNS);
        urb_buf_free(&list);
    }
}

/* Prints one document (the reply to GET in c->line). 0, or 1 on ERR. */
static int export_doc(const urb_client_t *c, bool csv)
{
    const char *line = c->line.data;
    if (strncmp(line, "OK ", 3) != 0) {
        fprintf(stderr, "urbis: %s\n", line);
        return 1;
    }
    if (!csv) {
        puts(line + 3);
        return 0;
    }
    json_t *doc = json_loads(line + 3, 0, NULL);
    if (!doc) {
        fprintf(stderr, "urbis: a reply that is not JSON: %.80s\n", line);
        return 1;
    }
    csv_row(doc);
    json_decref(doc);
    return 0;
}

/* The generation urbisd serves (STATS), into gen; "" when unknown. */
static void served_generation(urb_client_t *c, char *gen, size_t n)
{
    gen[0] = '\0';
    if (urb_client_request(c, "STATS", 5) < 0 ||
        strncmp(c->line.data, "OK ", 3) != 0)
        return;
    json_t *j = json_loads(c->line.data + 3, 0, NULL);
    const char *g = json_string_value(json_object_get(j, "generation"));
    snprintf(gen, n, "%s", g ? g : "");
    json_decref(j);
}

/* urbis export [--format jsonl|csv] [SEARCH options] QUERY...: every
 * matching document with all its fields, in index order (sort=index pages
 * through every match, and its pages stay put within a generation). 0, 1
 * on ERR or when the index changed during the export, 2 when the
 * connection fails. */
static int export(urb_client_t *c, int argc, char **argv)
{
    bool csv = false;
    int n = 0;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 2;
    args[n++] = NULL; /* the verb, set per page */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
            const char *v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : "";
            if (strcmp(v, "csv") != 0 && strcmp(v, "jsonl") != 0) {
                fprintf(stderr, "urbis: --format is jsonl or csv, not '%s'\n", v);
                free(args);
                return 2;
            }
            csv = !strcmp(v, "csv");
        } else if (!strncmp(a, "--limit", 7) || !strncmp(a, "--offset", 8) ||
                   !strncmp(a, "--sort", 6)) {
            fprintf(stderr, "urbis: export pages by itself; %s is not for it\n", a);
            free(args);
            return 2;
        } else {
            args[n++] = argv[i];
        }
    }
    if (csv)
        for (size_t i = 0; i < CSV_NCOLUMNS; i++)
            csv_field(csv_columns[i], i + 1 == CSV_NCOLUMNS);
    int rc = 0;
    size_t got = EXPORT_PAGE;
    urb_buf_t req = {0};
    char verb[96], get[600], gen[64], gen_after[64];
    served_generation(c, gen, sizeof gen);
    /* Until a page comes back short: `total` may be an estimate. */
    for (unsigned offset = 0; rc == 0 && got == EXPORT_PAGE;
         offset += EXPORT_PAGE) {
        snprintf(verb, sizeof verb,
                 "SEARCH snippets=0 sort=index limit=%d offset=%u", EXPORT_PAGE,
                 offset);
        args[0] = verb;
        req.len = 0;
        if (build_request(n, args, &req) < 0 ||
            urb_client_request(c, req.data, req.len) < 0) {
            rc = 2;
            break;
        }
        json_t *page = strncmp(c->line.data, "OK ", 3) == 0
                           ? json_loads(c->line.data + 3, 0, NULL) : NULL;
        if (!page) {
            fprintf(stderr, "urbis: %s\n", c->line.data);
            rc = 1;
            break;
        }
        json_t *hits = json_object_get(page, "hits"), *h;
        size_t i;
        json_array_foreach(hits, i, h) {
            const char *id = json_string_value(json_object_get(h, "id"));
            int gn = snprintf(get, sizeof get, "GET %s", id ? id : "");
            if (rc == 0 && (gn >= (int)sizeof get ||
                            urb_client_request(c, get, (size_t)gn) < 0))
                rc = 2;
            if (rc == 0)
                rc = export_doc(c, csv);
        }
        got = json_array_size(hits);
        json_decref(page);
    }
    if (rc == 0) {
        served_generation(c, gen_after, sizeof gen_after);
        if (strcmp(gen, gen_after) != 0) {
            fprintf(stderr,
                    "urbis: the index changed during the export (%s, then %s): "
                    "some reports may be missing or twice; run it again\n",
                    gen, gen_after);
            rc = 1;
        }
    }
    if (rc == 2)
        fprintf(stderr, "urbis: the connection failed: %s\n",
                errno ? strerror(errno) : "closed by the server");
    urb_buf_free(&req);
    free(args);
    return rc;
}

static const char *prompt(EditLine *e)
{
    (void)e;
    return "urbis> ";
}

static int interactive(urb_client_t *c, bool raw)
{
    EditLine *el = el_init("urbis", stdin, stdout, stderr);
    History *hist = history_init();
    HistEvent ev;
    char histfile[4096] = "";
    const char *home = getenv("HOME");
    if (home)
        snprintf(histfile, sizeof histfile, "%s/.urbis_history", home);
    history(hist, &ev, H_SETSIZE, 1000);
    if (histfile[0])
        history(hist, &ev, H_LOAD, histfile);
    el_set(el, EL_PROMPT, prompt);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_HIST, history, hist);
    int count, rc = 0;
    const char *line;
    while ((line = el_gets(el, &count)) && count > 0) {
        size_t n = strcspn(line, "\r\n");
        if (strspn(line, " \t") >= n)
            continue;
        history(hist, &ev, H_ENTER, line);
        char verb[32];
        size_t vn = strcspn(line, " \t\r\n");
        snprintf(verb, sizeof verb, "%.*s", (int)(vn < 31 ? vn : 31), line);
        if (urb_client_request(c, line, n) < 0) {
            fprintf(stderr, "urbis: connection lost\n");
            rc = 2;
            break;
        }
        print_reply(c, verb, raw);
        if (strcasecmp(verb, "quit") == 0)
            break;
    }
    if (histfile[0])
        history(hist, &ev, H_SAVE, histfile);
    history_end(hist);
    el_end(el);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: urbis [--host HOST:PORT | --socket PATH] [--json] [COMMAND [ARGS...]]\n"
               "  e.g. urbis search refugee housing --filter country:ES --limit 5\n"
               "       urbis suggest refugee hou\n"
               "       urbis get valencia-en\n"
               "       urbis export [--format jsonl|csv] refugee housing --filter country:ES\n"
               "         (every match with all its fields, one JSON object or CSV row each)\n"
               "  Without a command: an interactive prompt (HELP lists the commands).\n");
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1:7700", *sock = NULL;
    bool raw = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
            sock = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            raw = true;
        else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    urb_client_t *c = urb_client_connect(host, sock, 0);
    if (!c) {
        fprintf(stderr, "urbis: cannot connect to %s: %s\n", sock ? sock : host,
                strerror(errno));
        return 2;
    }
    int rc;
    if (i == argc) {
        rc = interactive(c, raw);
    } else if (strcmp(argv[i], "export") == 0) {
        rc = export(c, argc - i, argv + i);
    } else {
        urb_buf_t req = {0};
        if (build_request(argc - i, argv + i, &req) < 0 ||
            urb_client_request(c, req.data, req.len) < 0) {
            fprintf(stderr, "urbis: the server closed the connection\n");
            rc = 2;
        } else {
            rc = print_reply(c, argv[i], raw);
        }
        urb_buf_free(&req);
    }
    urb_client_free(c);
    return rc;
}
