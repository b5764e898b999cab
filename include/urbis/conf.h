/* conf.h — the INI configuration file shared by urbisd and urbis-index.
 *
 * A program's section holds its long options as keys, so the file and the
 * command line say the same things in the same words:
 *
 *   [urbisd]
 *   index = /var/lib/urbis/index
 *   threads = 4
 *   debug-commands = false   ; options without a value take true or false
 *
 *   [urbis-index]
 *   corpus = /srv/reports
 *
 * urb_conf_load() finds `--config FILE` (or `--config=FILE`) on the command
 * line and turns the program's section into arguments placed before the
 * command line's, so a flag given there overrides the file (a repeatable
 * option adds to it). Other sections are skipped, so one file serves both
 * programs. The file is parsed by libinih.
 *
 * Memory: urb_conf_t owns every string it holds; urb_conf_free() releases
 * them. conf->argv points into them and lives as long as the urb_conf_t. */
#ifndef URBIS_CONF_H
#define URBIS_CONF_H

#include <getopt.h>
#include <stddef.h>

typedef struct urb_conf {
    int argc;
    char **argv;    /* program name, the file's options, then the command
                       line's; getopt_long may reorder it */
    char *path;     /* the file, or NULL when none was given */
    /* private: every string, in order, with its "FILE:LINE" or NULL */
    char **strs, **origin;
    int n;
} urb_conf_t;

/* Builds conf->argv from argv and the file named by --config, reading its
 * [section]; keys must be names in opts (a getopt_long table), except
 * config, help and version. -1 with a message naming the file and line in
 * err when the file cannot be read, a key is unknown or a true/false key
 * has another value; conf is then empty (free it anyway). */
int urb_conf_load(urb_conf_t *conf, const char *section,
                  const struct option *opts, int argc, char **argv,
                  char *err, size_t errlen);

/* "FILE:LINE" when arg (a pointer into conf->argv) came from the file,
 * else NULL: for messages about bad values. */
const char *urb_conf_origin(const urb_conf_t *conf, const char *arg);

void urb_conf_free(urb_conf_t *conf);

#endif
