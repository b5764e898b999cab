/* urbis-relevance — scores urbisd's ranking against a judged query set.
 *
 *   urbis-relevance [--host HOST:PORT | --socket PATH] [--k N] [--json]
 *                   [--min GROUP=VALUE ...] [--floors FILE] QUERIES.tsv
 *   urbis-relevance [--host HOST:PORT | --socket PATH] --ping
 *
 * QUERIES.tsv starts with the header line "group lang options query
 * relevant" (tab-separated); every other non-empty line is one query in
 * those five fields, `relevant` being "id:grade,id:grade" with grades 0..2
 * and at least one grade of 1 or more. Each query goes out as
 *   SEARCH limit=K snippets=0 OPTIONS -- QUERY
 * and an ERR reply counts as an empty result (reported on stderr).
 *
 * Per group and over all queries, as means over queries:
 *   nDCG@K     gain 2^g-1 at rank r discounted by log2(r+1), divided by the
 *              same sum over the judged grades in their best order;
 *   MRR        1/rank of the first hit graded 1 or more, 0 if none in K;
 *   recall@K   share of the reports graded 1 or more found in the top K.
 * Unjudged hits count as grade 0.
 *
 * A floor (--min GROUP=VALUE, or a FILE of "group value" lines; the group
 * "overall" means all queries) makes the run fail when that group's nDCG@K
 * is below it. --ping only checks that the server answers PING, for
 * scripts that wait for a daemon to come up.
 *
 * Exit: 0; 1 a group is below its floor; 2 bad usage, a malformed line in
 * QUERIES.tsv or the floors file, or a connection failure. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urbis/client.h"
#include "urbis/text.h"

#define MAX_K 100            /* the protocol's largest limit */
#define REPLY_TIMEOUT_S 60   /* a server that stops answering fails the run */

static const char HEADER[] = "group\tlang\toptions\tquery\trelevant";

typedef struct judged {
    const char *id; /* points into the query set's text */
    int grade;
} judged_t;

typedef struct query {
    unsigned line;
    const char *group, *lang, *options, *text; /* into the set's text */
    judged_t *judged;
    size_t njudged;
    double ndcg, rr, recall;
    json_t *hits;  /* ids in rank order; owned */
    bool error;    /* the server answered ERR */
} query_t;

typedef struct group {
    const char *name;
    size_t n;
    double ndcg, rr, recall; /* sums, then means */
} group_t;

typedef struct floor_ {
    char *group; /* owned */
    double value;
} floor_t;

/* The parsed TSV: `text` is the file with its separators replaced by NULs,
 * and every string in `queries` points into it. */
typedef struct query_set {
    char *text;
    query_t *queries;
    size_t n;
} query_set_t;

/* ---- Reading the query set --------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    urb_buf_t b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (urb_buf_append(&b, chunk, n) < 0) {
            fclose(f);
            urb_buf_free(&b);
            errno = ENOMEM;
            return NULL;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || urb_buf_reserve(&b, 0) < 0) {
        urb_buf_free(&b);
        return NULL;
    }
    b.data[b.len] = '\0';
    *len = b.len;
    return b.data;
}

/* Splits s at every `sep`, NUL-terminating the pieces; returns how many
 * pieces there are and stores up to `max` of them. */
static size_t split(char *s, char sep, char **out, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n < max)
            out[n] = s;
        n++;
        char *p = strchr(s, sep);
        if (!p)
            return n;
        *p = '\0';
        s = p + 1;
    }
}

static int by_grade_desc(const void *a, const void *b)
{
    return ((const judged_t *)b)->grade - ((const judged_t *)a)->grade;
}

/* Parses "id:grade,id:grade" into q->judged, best grades first so that
 * their order is the ideal ranking. NULL, or what is wrong. */
static const char *parse_judged(char *s, query_t *q)
{
    size_t n = 1;
    for (const char *p = s; (p = strchr(p, ',')); p++)
        n++;
    q->judged = calloc(n, sizeof *q->judged);
    if (!q->judged)
        return "out of memory";
    bool any = false;
    for (char *item = s, *next; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        char *colon = strrchr(item, ':');
        if (!colon || colon == item || colon[1] < '0' || colon[1] > '2' || colon[2])
            return "a judgement is not id:grade with a grade from 0 to 2";
        *colon = '\0';
        for (size_t j = 0; j < q->njudged; j++)
            if (strcmp(q->judged[j].id, item) == 0)
                return "a report is judged twice";
        q->judged[q->njudged++] = (judged_t){item, colon[1] - '0'};
        any |= colon[1] > '0';
    }
    if (!any)
        return "no report is graded 1 or more";
    qsort(q->judged, q->njudged, sizeof *q->judged, by_grade_desc);
    return NULL;
}

static const char *parse_line(char *line, query_t *q)
{
    char *f[5];
    if (split(line, '\t', f, 5) != 5)
        return "not 5 tab-separated fields";
    if (!*f[0] || strpbrk(f[0], " ") || !*f[1] || !*f[3] || !*f[4])
        return "group, lang, query and relevant must not be empty (group without spaces)";
    q->group = f[0];
    q->lang = f[1];
    q->options = f[2];
    q->text = f[3];
    return parse_judged(f[4], q);
}

static void set_free(query_set_t *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->queries[i].judged);
        json_decref(set->queries[i].hits);
    }
    free(set->queries);
    free(set->text);
}

/* Reads QUERIES.tsv; on error prints where and returns -1. */
static int set_load(query_set_t *set, const char *path)
{
    size_t len;
    set->text = read_file(path, &len);
    if (!set->text) {
        fprintf(stderr, "urbis-relevance: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t bad;
    if (!urb_utf8_valid(set->text, len, &bad)) {
        unsigned no = 1;
        for (size_t i = 0; i < bad; i++)
            no += set->text[i] == '\n';
        fprintf(stderr, "urbis-relevance: %s:%u: invalid UTF-8\n", path, no);
        return -1;
    }
    size_t nlines = 0;
    for (const char *p = set->text; (p = strchr(p, '\n')); p++)
        nlines++;
    set->queries = calloc(nlines + 1, sizeof *set->queries);
    if (!set->queries) {
        fprintf(stderr, "urbis-relevance: out of memory\n");
        return -1;
    }
    char *line = set->text;
    for (unsigned no = 1; line && *line; no++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        const char *err = NULL;
        if (no == 1) {
            if (strcmp(line, HEADER) != 0)
                err = "the header must be: group, lang, options, query, relevant (tab-separated)";
        } else if (n) {
            query_t *q = &set->queries[set->n++];
            q->line = no;
            err = parse_line(line, q);
        }
        if (err) {
            fprintf(stderr, "urbis-relevance: %s:%u: %s\n", path, no, err);
            return -1;
        }
        line = next;
    }
    if (set->n == 0) {
        fprintf(stderr, "urbis-relevance: %s: no queries\n", path);
        return -1;
    }
    return 0;
}

/* ---- Floors ------------------------------------------------------------ */

static int parse_floor_value(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

static int add_floor(floor_t **floors, size_t *n, const char *group, size_t glen,
                     double value)
{
    floor_t *f = realloc(*floors, (*n + 1) * sizeof *f);
    if (!f)
        return -1;
    *floors = f;
    f[*n].group = strndup(group, glen);
    if (!f[*n].group)
        return -1;
    f[(*n)++].value = value;
    return 0;
}

/* "GROUP=VALUE" from --min. */
static int floor_arg(floor_t **floors, size_t *n, const char *arg)
{
    const char *eq = strchr(arg, '=');
    double v;
    if (!eq || eq == arg || parse_floor_value(eq + 1, &v) < 0) {
        fprintf(stderr, "urbis-relevance: --min wants GROUP=VALUE with VALUE in 0..1, not %s\n",
                arg);
        return -1;
    }
    return add_floor(floors, n, arg, (size_t)(eq - arg), v);
}

/* A file of "group value" lines; blank lines and # comments are skipped. */
static int floor_file(floor_t **floors, size_t *n, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "urbis-relevance: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    unsigned no = 0;
    for (char *save = NULL, *line = text; rc == 0 && line; line = save) {
        no++;
        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        char group[128], value[64], extra;
        int got = sscanf(line, "%127s %63s %c", group, value, &extra);
        double v;
        if (got <= 0 || group[0] == '#')
            continue;
        if (got != 2 || parse_floor_value(value, &v) < 0) {
            fprintf(stderr, "urbis-relevance: %s:%u: want \"group value\" with value in 0..1\n",
                    path, no);
            rc = -1;
        } else {
            rc = add_floor(floors, n, group, strlen(group), v);
        }
    }
    free(text);
    return rc;
}

/* ---- Scoring ------------------------------------------------------------ */

static int grade_of(const query_t *q, const char *id)
{
    for (size_t i = 0; i < q->njudged; i++)
        if (strcmp(q->judged[i].id, id) == 0)
            return q->judged[i].grade;
    return 0;
}

/* Gain of a grade: 2^g - 1. */
static double gain(int g)
{
    return (double)((1 << g) - 1);
}

/* Scores q->hits (ids in rank order) at cut-off k. A report listed twice
 * counts once, at its first rank. */
static void score(query_t *q, unsigned k)
{
    double dcg = 0, idcg = 0;
    size_t found = 0, relevant = 0;
    q->rr = 0;
    size_t n = json_array_size(q->hits);
    for (size_t r = 0; r < n && r < k; r++) {
        const char *id = json_string_value(json_array_get(q->hits, r));
        bool seen = false;
        for (size_t s = 0; s < r && !seen; s++)
            seen = strcmp(json_string_value(json_array_get(q->hits, s)), id) == 0;
        int g = seen ? 0 : grade_of(q, id);
        if (g == 0)
            continue;
        dcg += gain(g) / log2((double)r + 2);
        found++;
        if (q->rr == 0)
            q->rr = 1.0 / ((double)r + 1);
    }
    for (size_t r = 0; r < q->njudged; r++) { /* judged is in ideal order */
        if (r < k)
            idcg += gain(q->judged[r].grade) / log2((double)r + 2);
        relevant += q->judged[r].grade > 0;
    }
    q->ndcg = dcg / idcg;
    q->recall = (double)found / (double)relevant;
}

/* Runs q on the server; fills q->hits. 0, or -1 when the connection
 * failed. An ERR reply or a reply that is not a search result leaves no
 * hits and is reported. */
static int run_query(urb_client_t *c, query_t *q, unsigned k, urb_buf_t *req)
{
    char head[64];
    int hn = snprintf(head, sizeof head, "SEARCH limit=%u snippets=0%s", k,
                      *q->options ? " " : "");
    req->len = 0;
    if (urb_buf_append(req, head, (size_t)hn) < 0 ||
        urb_buf_append(req, q->options, strlen(q->options)) < 0 ||
        urb_buf_append(req, " -- ", 4) < 0 ||
        urb_buf_append(req, q->text, strlen(q->text)) < 0 ||
        urb_client_request(c, req->data, req->len) < 0)
        return -1;
    q->hits = json_array();
    if (!q->hits)
        return -1;
    const char *line = c->line.data;
    json_t *reply = strncmp(line, "OK ", 3) == 0 ? json_loads(line + 3, 0, NULL) : NULL;
    json_t *hits = json_object_get(reply, "hits");
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        json_t *id = json_object_get(h, "id");
        if (json_is_string(id))
            json_array_append(q->hits, id);
    }
    if (!json_is_array(hits)) {
        q->error = true;
        fprintf(stderr, "urbis-relevance: line %u (%s): %.200s\n", q->line, q->text, line);
    }
    json_decref(reply);
    return 0;
}

/* ---- Reporting ---------------------------------------------------------- */

/* Groups in order of first appearance, with their means; the last entry
 * is "overall". Returns the count including it, or 0 on OOM. */
static size_t summarise(const query_set_t *set, group_t **out)
{
    group_t *g = calloc(set->n + 1, sizeof *g);
    if (!g)
        return 0;
    size_t ng = 0;
    group_t all = {.name = "overall"};
    for (size_t i = 0; i < set->n; i++) {
        const query_t *q = &set->queries[i];
        size_t j = 0;
        while (j < ng && strcmp(g[j].name, q->group) != 0)
            j++;
        if (j == ng)
            g[ng++].name = q->group;
        group_t *targets[2] = {&g[j], &all};
        for (int t = 0; t < 2; t++) {
            targets[t]->n++;
            targets[t]->ndcg += q->ndcg;
            targets[t]->rr += q->rr;
            targets[t]->recall += q->recall;
        }
    }
    g[ng++] = all;
    for (size_t j = 0; j < ng; j++) {
        g[j].ndcg /= (double)g[j].n;
        g[j].rr /= (double)g[j].n;
        g[j].recall /= (double)g[j].n;
    }
    *out = g;
    return ng;
}

static void print_table(const group_t *g, size_t ng, unsigned k)
{
    char ndcg[16], recall[16];
    snprintf(ndcg, sizeof ndcg, "nDCG@%u", k);
    snprintf(recall, sizeof recall, "recall@%u", k);
    printf("%-14s %7s %9s %7s %9s\n", "group", "queries", ndcg, "MRR", recall);
    for (size_t j = 0; j < ng; j++)
        printf("%-14s %7zu %9.3f %7.3f %9.3f\n", g[j].name, g[j].n, g[j].ndcg, g[j].rr,
               g[j].recall);
}

static json_t *metrics_json(size_t n, double ndcg, double rr, double recall)
{
    return json_pack("{s:I, s:f, s:f, s:f}", "queries", (json_int_t)n, "ndcg", ndcg, "mrr", rr,
                     "recall", recall);
}

/* One object: k, groups (each with queries, ndcg, mrr, recall), overall,
 * and per query its line, fields, scores and returned ids. */
static int print_json(const query_set_t *set, const group_t *g, size_t ng, unsigned k)
{
    json_t *groups = json_object(), *queries = json_array();
    json_t *root = json_pack("{s:I, s:o, s:o, s:o}", "k", (json_int_t)k, "groups", groups,
                             "overall", metrics_json(g[ng - 1].n, g[ng - 1].ndcg,
                                                     g[ng - 1].rr, g[ng - 1].recall),
                             "queries", queries);
    if (!root)
        return -1;
    for (size_t j = 0; j + 1 < ng; j++)
        json_object_set_new(groups, g[j].name,
                            metrics_json(g[j].n, g[j].ndcg, g[j].rr, g[j].recall));
    for (size_t i = 0; i < set->n; i++) {
        const query_t *q = &set->queries[i];
        json_array_append_new(
            queries, json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:b, s:O}", "line",
                               (json_int_t)q->line, "group", q->group, "lang", q->lang,
                               "options", q->options, "query", q->text, "ndcg", q->ndcg,
                               "rr", q->rr, "recall", q->recall, "error", q->error, "hits",
                               q->hits));
    }
    int rc = json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
    return rc;
}

/* A floor for a group without queries is a typo that would always pass. */
static int check_floor_groups(const floor_t *floors, size_t nf, const query_set_t *set)
{
    for (size_t i = 0; i < nf; i++) {
        bool known = strcmp(floors[i].group, "overall") == 0;
        for (size_t j = 0; j < set->n && !known; j++)
            known = strcmp(set->queries[j].group, floors[i].group) == 0;
        if (!known) {
            fprintf(stderr, "urbis-relevance: a floor names group %s, which has no queries\n",
                    floors[i].group);
            return -1;
        }
    }
    return 0;
}

/* 0 when every floor holds, 1 when one does not. */
static int check_floors(const floor_t *floors, size_t nf, const group_t *g, size_t ng,
                        unsigned k)
{
    int rc = 0;
    for (size_t i = 0; i < nf; i++) {
        for (size_t j = 0; j < ng; j++) {
            if (strcmp(g[j].name, floors[i].group) == 0 && g[j].ndcg < floors[i].value) {
                fprintf(stderr, "urbis-relevance: %s: nDCG@%u %.3f is below its floor %.3f\n",
                        g[j].name, k, g[j].ndcg, floors[i].value);
                rc = 1;
            }
        }
    }
    return rc;
}

/* ---- Main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: urbis-relevance [--host HOST:PORT | --socket PATH] [--k N] [--json]\n"
            "                       [--min GROUP=VALUE ...] [--floors FILE] QUERIES.tsv\n"
            "       urbis-relevance [--host HOST:PORT | --socket PATH] --ping\n");
}

static int ping(urb_client_t *c)
{
    if (urb_client_request(c, "PING", 4) < 0)
        return 2;
    if (strncmp(c->line.data, "OK ", 3) != 0) {
        fprintf(stderr, "urbis-relevance: PING: %s\n", c->line.data);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1:7700", *sock = NULL;
    unsigned k = 10;
    bool json = false, only_ping = false, ok = true;
    floor_t *floors = NULL;
    size_t nfloors = 0;
    enum { O_HOST = 256, O_SOCKET, O_K, O_JSON, O_MIN, O_FLOORS, O_PING, O_HELP };
    static const struct option longopts[] = {
        {"host", required_argument, NULL, O_HOST},
        {"socket", required_argument, NULL, O_SOCKET},
        {"k", required_argument, NULL, O_K},
        {"json", no_argument, NULL, O_JSON},
        {"min", required_argument, NULL, O_MIN},
        {"floors", required_argument, NULL, O_FLOORS},
        {"ping", no_argument, NULL, O_PING},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    int opt;
    char *end;
    while (ok && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_HOST: host = optarg; break;
        case O_SOCKET: sock = optarg; break;
        case O_K:
            k = (unsigned)strtoul(optarg, &end, 10);
            ok = *optarg && !*end && k >= 1 && k <= MAX_K;
            if (!ok)
                fprintf(stderr, "urbis-relevance: --k wants 1..%d\n", MAX_K);
            break;
        case O_JSON: json = true; break;
        case O_MIN: ok = floor_arg(&floors, &nfloors, optarg) == 0; break;
        case O_FLOORS: ok = floor_file(&floors, &nfloors, optarg) == 0; break;
        case O_PING: only_ping = true; break;
        case O_HELP: usage(stdout); return 0;
        default: ok = false;
        }
    }
    query_set_t set = {0};
    urb_buf_t req = {0};
    int rc = 2;
    urb_client_t *c = NULL;
    group_t *groups = NULL;
    size_t ng = 0;
    if (!ok || optind != argc - !only_ping) {
        if (ok)
            usage(stderr);
        goto out;
    }
    if (!only_ping && (set_load(&set, argv[optind]) < 0 ||
                       check_floor_groups(floors, nfloors, &set) < 0))
        goto out;
    c = urb_client_connect(host, sock, REPLY_TIMEOUT_S);
    if (!c) {
        fprintf(stderr, "urbis-relevance: cannot connect to %s: %s\n", sock ? sock : host,
                strerror(errno));
        goto out;
    }
    if (only_ping) {
        rc = ping(c);
        goto out;
    }
    size_t errors = 0;
    for (size_t i = 0; i < set.n; i++) {
        if (run_query(c, &set.queries[i], k, &req) < 0) {
            fprintf(stderr, "urbis-relevance: line %u: the connection failed: %s\n",
                    set.queries[i].line, errno ? strerror(errno) : "closed by the server");
            goto out;
        }
        score(&set.queries[i], k);
        errors += set.queries[i].error;
    }
    ng = summarise(&set, &groups);
    if (ng == 0)
        goto out;
    if (!json)
        print_table(groups, ng, k);
    else if (print_json(&set, groups, ng, k) < 0)
        goto out;
    if (errors)
        fprintf(stderr, "urbis-relevance: %zu of %zu queries got ERR\n", errors, set.n);
    rc = check_floors(floors, nfloors, groups, ng, k);
out:
    urb_buf_free(&req);
    urb_client_free(c);
    for (size_t i = 0; i < nfloors; i++)
        free(floors[i].group);
    free(floors);
    free(groups);
    set_free(&set);
    return rc;
}
