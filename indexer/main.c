/* main.c — urbis-index's command line (docs: shared spec cli.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "urbis/conf.h"

#include "run.h"
#include "shards.h"

#define JOBS_MAX 256

static const char usage[] =
    "Usage: urbis-index [OPTIONS] CORPUS INDEX\n"
    "Indexes the city reports in the folder CORPUS and publishes the index\n"
    "under the folder INDEX (created when missing). Files unchanged since\n"
    "the last run are not read again.\n"
    "\n"
    "  --config FILE read options from FILE's [urbis-index] section\n"
    "                (keys: corpus, index and the options below)\n"
    "  --corpus DIR, --index DIR   the two paths, as options\n"
    "  --full        rebuild the whole index\n"
    "  --jobs N      threads reading and parsing files (default: the cores)\n"
    "  --shards N    split the index over N shard folders INDEX/shard-K,\n"
    "                joined by a shard map that urbisd serves as one index;\n"
    "                without it, an index already split keeps its count\n"
    "  --quiet       no progress, warnings or summary; failures still shown\n"
    "  --json        print a summary object on stdout\n"
    "  --help        show this help\n"
    "  --version     show the version\n"
    "\n"
    "Exit status: 0 all went well; 1 some files failed, the rest was\n"
    "published; 2 bad usage; 3 nothing was published.\n";

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("urbis-index: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'urbis-index --help'.\n", stderr);
    return URB_EXIT_USAGE;
}

static int parse_count(const char *s, unsigned max, unsigned *out)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (!*s || *end || n < 1 || n > (long)max)
        return -1;
    *out = (unsigned)n;
    return 0;
}

/* Options anywhere among the two paths; "--" ends them. -1: exit with
 * *status. */
static int parse_args(int argc, char **argv, urb_opts_t *o, int *status)
{
    const char *paths[2], *named[2] = {NULL, NULL}; /* corpus, index */
    int n = 0;
    bool opts = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts || a[0] != '-' || !a[1]) {
            if (n == 2) {
                *status = bad_usage("too many arguments: %s", a);
                return -1;
            }
            paths[n++] = a;
        } else if (!strcmp(a, "--")) {
            opts = false;
        } else if (!strcmp(a, "--config") || !strcmp(a, "--corpus") ||
                   !strcmp(a, "--index")) {
            const char *v = argv[++i];
            if (!v) {
                *status = bad_usage("%s needs a value", a);
                return -1;
            }
            if (strcmp(a, "--config") != 0)
                named[a[2] == 'i'] = v;
        } else if (!strncmp(a, "--config=", 9)) {
        } else if (!strcmp(a, "--full")) {
            o->full = true;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j") ||
                   !strncmp(a, "--jobs=", 7)) {
            const char *v = !strncmp(a, "--jobs=", 7) ? a + 7 : argv[++i];
            if (!v) {
                *status = bad_usage("%s needs a number", a);
                return -1;
            }
            if (parse_count(v, JOBS_MAX, &o->jobs) < 0) {
                *status = bad_usage("--jobs: not a number from 1 to 256: %s", v);
                return -1;
            }
        } else if (!strcmp(a, "--shards") || !strncmp(a, "--shards=", 9)) {
            const char *v = a[8] == '=' ? a + 9 : argv[++i];
            if (!v) {
                *status = bad_usage("%s needs a number", a);
                return -1;
            }
            if (parse_count(v, URB_SHARDS_MAX, &o->shards) < 0) {
                *status = bad_usage("--shards: not a number from 1 to 256: %s", v);
                return -1;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            *status = URB_EXIT_OK;
            return -1;
        } else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
            puts("urbis-index " URBIS_VERSION);
            *status = URB_EXIT_OK;
            return -1;
        } else {
            *status = bad_usage("unknown option: %s", a);
            return -1;
        }
    }
    /* Two positional paths override --corpus and --index (from the
     * configuration file, say); one fills the path they left open. */
    if (n == 2)
        named[0] = named[1] = NULL;
    if (n > !named[0] + !named[1]) {
        *status = bad_usage("%s", "too many paths");
        return -1;
    }
    for (int k = 0, p = 0; k < 2; k++)
        if (!named[k] && p < n)
            named[k] = paths[p++];
    if (!named[0] || !named[1]) {
        *status = bad_usage("%s", !named[1] ? "INDEX missing" : "CORPUS missing");
        return -1;
    }
    o->corpus = named[0];
    o->index = named[1];
    return 0;
}

static void print_summary(const urb_summary_t *s)
{
    char gen[URB_GEN_NAME_MAX + 32];
    snprintf(gen, sizeof gen, " (%s%s)", s->gen[0] ? s->gen : "none",
             s->published ? "" : ", nothing changed");
    fprintf(stderr,
            "urbis-index: %zu documents: %zu added, %zu updated, %zu deleted, "
            "%zu unchanged, %zu skipped, %zu failed in %.1f s%s\n",
            s->documents, s->added, s->updated, s->deleted, s->unchanged,
            s->skipped, s->failed, s->seconds, gen);
}

/* The generation name is checked by urbis/indexdir.h to need no
 * escaping. */
static void print_json(const urb_summary_t *s)
{
    printf("{\"added\":%zu,\"updated\":%zu,\"deleted\":%zu,\"unchanged\":%zu,"
           "\"skipped\":%zu,\"failed\":%zu,\"documents\":%zu,"
           "\"seconds\":%.3f,\"warnings\":%zu,\"published\":%s,"
           "\"generation\":",
           s->added, s->updated, s->deleted, s->unchanged, s->skipped,
           s->failed, s->documents, s->seconds, s->warnings,
           s->published ? "true" : "false");
    if (s->gen[0])
        printf("\"%s\"}\n", s->gen);
    else
        puts("null}");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    urb_opts_t o = {.jobs = cores > 0 && cores <= JOBS_MAX ? (unsigned)cores
                                                          : 1};
    /* Only for checking the file's keys: parse_args reads the options. */
    static const struct option keys[] = {
        {"corpus", required_argument, NULL, 0}, {"index", required_argument, NULL, 0},
        {"full", no_argument, NULL, 0},         {"jobs", required_argument, NULL, 0},
        {"quiet", no_argument, NULL, 0},        {"json", no_argument, NULL, 0},
        {"shards", required_argument, NULL, 0},
        {NULL, 0, NULL, 0},
    };
    static urb_conf_t conf;
    char err[512];
    int status;
    if (urb_conf_load(&conf, "urbis-index", keys, argc, argv, err, sizeof err) < 0) {
        status = bad_usage("%s", err);
        urb_conf_free(&conf);
        return status;
    }
    if (parse_args(conf.argc, conf.argv, &o, &status) < 0) {
        urb_conf_free(&conf);
        return status;
    }
    urb_ui_t ui;
    urb_summary_t s;
    urb_ui_init(&ui, o.corpus, o.quiet);
    if (!o.shards)
        o.shards = urb_shards_of(o.index);
    status = o.shards ? urb_run_shards(&o, &ui, &s) : urb_run(&o, &ui, &s);
    if (!o.quiet && status != URB_EXIT_NOTHING)
        print_summary(&s);
    if (o.json)
        print_json(&s);
    urb_ui_destroy(&ui);
    urb_conf_free(&conf);
    return status;
}
