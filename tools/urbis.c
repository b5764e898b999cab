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
 * sends SEARCH limit=5 filter=country:ES refugee housing. */
#include <arpa/inet.h>
#include <errno.h>
#include <histedit.h>
#include <jansson.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "urbis/text.h"

typedef struct conn {
    int fd;
    char buf[1 << 16];
    size_t len;
    urb_buf_t line;
} conn_t;

static bool color;

static int connect_to(const char *host, const char *sock)
{
    int fd = -1;
    if (sock) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        if (strlen(sock) >= sizeof a.sun_path)
            return -1;
        strcpy(a.sun_path, sock);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            close(fd);
            fd = -1;
        }
        return fd;
    }
    char name[256];
    const char *colon = strrchr(host, ':');
    if (!colon || (size_t)(colon - host) >= sizeof name)
        return -1;
    memcpy(name, host, (size_t)(colon - host));
    name[colon - host] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    if (getaddrinfo(name, colon + 1, &hints, &res) != 0)
        return -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Sends one request line and reads its reply into c->line (NUL-ended).
 * 0, or -1 when the connection failed. */
static int request(conn_t *c, const char *req, size_t n)
{
    if (write(c->fd, req, n) != (ssize_t)n || write(c->fd, "\n", 1) != 1)
        return -1;
    c->line.len = 0;
    for (;;) {
        char *lf = memchr(c->buf, '\n', c->len);
        size_t take = lf ? (size_t)(lf - c->buf) : c->len;
        if (urb_buf_append(&c->line, c->buf, take) < 0)
            return -1;
        if (lf) {
            memmove(c->buf, lf + 1, c->len - take - 1);
            c->len -= take + 1;
            return urb_buf_append(&c->line, "", 1) < 0 ? -1 : 0;
        }
        c->len = 0;
        ssize_t r = read(c->fd, c->buf, sizeof c->buf);
        if (r <= 0)
            return -1;
        c->len = (size_t)r;
    }
}

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
static int print_reply(const conn_t *c, const char *verb, bool raw)
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

static const char *prompt(EditLine *e)
{
    (void)e;
    return "urbis> ";
}

static int interactive(conn_t *c, bool raw)
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
        if (request(c, line, n) < 0) {
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
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return 2;
    c->fd = connect_to(host, sock);
    if (c->fd < 0) {
        fprintf(stderr, "urbis: cannot connect to %s: %s\n", sock ? sock : host,
                strerror(errno));
        free(c);
        return 2;
    }
    int rc;
    if (i == argc) {
        rc = interactive(c, raw);
    } else {
        urb_buf_t req = {0};
        if (build_request(argc - i, argv + i, &req) < 0 ||
            request(c, req.data, req.len) < 0) {
            fprintf(stderr, "urbis: the server closed the connection\n");
            rc = 2;
        } else {
            rc = print_reply(c, argv[i], raw);
        }
        urb_buf_free(&req);
    }
    close(c->fd);
    urb_buf_free(&c->line);
    free(c);
    return rc;
}
