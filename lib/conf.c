/* conf.c — the INI configuration file as arguments (see urbis/conf.h). */
#include "urbis/conf.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct load {
    urb_conf_t *conf;
    const char *section;
    const struct option *opts;
    FILE *file;
    int line;      /* counted by read_line: libinih does not pass it */
    char *err;
    size_t errlen;
    bool failed;
} load_t;

static int push(urb_conf_t *c, const char *s, const char *origin)
{
    char **strs = realloc(c->strs, (size_t)(c->n + 1) * sizeof *strs);
    if (strs)
        c->strs = strs;
    char **orig = realloc(c->origin, (size_t)(c->n + 1) * sizeof *orig);
    if (orig)
        c->origin = orig;
    if (!strs || !orig)
        return -1;
    c->strs[c->n] = strdup(s);
    c->origin[c->n] = origin ? strdup(origin) : NULL;
    if (!c->strs[c->n] || (origin && !c->origin[c->n])) {
        free(c->strs[c->n]);
        free(c->origin[c->n]);
        return -1;
    }
    c->n++;
    return 0;
}

static char *read_line(char *buf, int size, void *stream)
{
    load_t *l = stream;
    char *s = fgets(buf, size, l->file);
    if (s)
        l->line++;
    return s;
}

static const struct option *find_opt(const struct option *opts, const char *name)
{
    static const char *const reserved[] = {"config", "help", "version"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(name, reserved[i]) == 0)
            return NULL;
    for (; opts->name; opts++)
        if (strcmp(opts->name, name) == 0)
            return opts;
    return NULL;
}

static int fail(load_t *l, const char *fmt, const char *a, const char *b)
{
    char what[256];
    snprintf(what, sizeof what, fmt, a, b);
    if (!l->failed)
        snprintf(l->err, l->errlen, "%s:%d: %s", l->conf->path, l->line, what);
    l->failed = true;
    return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    load_t *l = user;
    if (strcmp(section, l->section) != 0)
        return 1;
    const struct option *o = find_opt(l->opts, name);
    if (!o)
        return fail(l, "unknown key '%s' in [%s]", name, section);
    char origin[4200], flag[256];
    snprintf(origin, sizeof origin, "%s:%d", l->conf->path, l->line);
    snprintf(flag, sizeof flag, "--%s", name);
    if (o->has_arg == no_argument) {
        bool yes = !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
                   !strcasecmp(value, "on") || !strcmp(value, "1");
        bool no = !strcasecmp(value, "false") || !strcasecmp(value, "no") ||
                  !strcasecmp(value, "off") || !strcmp(value, "0");
        if (!yes && !no)
            return fail(l, "%s: expected true or false, not '%s'", name, value);
        if (yes && push(l->conf, flag, origin) < 0)
            return fail(l, "%s%sout of memory", "", "");
        return 1;
    }
    if (!*value)
        return fail(l, "%s: no value%s", name, "");
    if (push(l->conf, flag, origin) < 0 || push(l->conf, value, origin) < 0)
        return fail(l, "%s%sout of memory", "", "");
    return 1;
}

static const char *find_path(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0)
            return i + 1 < argc ? argv[i + 1] : NULL;
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return NULL;
}

int urb_conf_load(urb_conf_t *conf, const char *section,
                  const struct option *opts, int argc, char **argv,
                  char *err, size_t errlen)
{
    memset(conf, 0, sizeof *conf);
    const char *path = find_path(argc, argv);
    load_t l = {.conf = conf, .section = section, .opts = opts, .err = err,
                .errlen = errlen};
    if (push(conf, argc > 0 ? argv[0] : section, NULL) < 0)
        goto oom;
    if (path) {
        if (!(conf->path = strdup(path)))
            goto oom;
        if (!(l.file = fopen(path, "r"))) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            return -1;
        }
        int rc = ini_parse_stream(read_line, &l, on_key, &l);
        fclose(l.file);
        if (l.failed)
            return -1;
        if (rc != 0) {
            snprintf(err, errlen, "%s:%d: not an INI line", path, rc);
            return -1;
        }
    }
    for (int i = 1; i < argc; i++)
        if (push(conf, argv[i], NULL) < 0)
            goto oom;
    if (!(conf->argv = malloc((size_t)(conf->n + 1) * sizeof *conf->argv)))
        goto oom;
    memcpy(conf->argv, conf->strs, (size_t)conf->n * sizeof *conf->argv);
    conf->argv[conf->n] = NULL;
    conf->argc = conf->n;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

const char *urb_conf_origin(const urb_conf_t *conf, const char *arg)
{
    for (int i = 0; i < conf->n; i++)
        if (conf->strs[i] == arg)
            return conf->origin[i];
    return NULL;
}

void urb_conf_free(urb_conf_t *conf)
{
    for (int i = 0; i < conf->n; i++) {
        free(conf->strs[i]);
        free(conf->origin[i]);
    }
    free(conf->strs);
    free(conf->origin);
    free(conf->argv);
    free(conf->path);
    memset(conf, 0, sizeof *conf);
}
