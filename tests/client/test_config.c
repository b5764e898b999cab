/* test_config.c — the configuration file: read into options by
 * urbis/conf.h, checked by `urbisd --check-config`, and used by
 * urbis-index for its paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "test.h"
#include "urbis/conf.h"

static const struct option opts[] = {
    {"index", required_argument, NULL, 0},
    {"threads", required_argument, NULL, 0},
    {"http-origin", required_argument, NULL, 0},
    {"debug-commands", no_argument, NULL, 0},
    {NULL, 0, NULL, 0},
};

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* Runs a shell command; its exit status, with stdout+stderr in *out. */
static int run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    char *buf = calloc(1, 8192);
    if (p && buf)
        fread(buf, 1, 8191, p);
    *out = buf;
    int st = p ? pclose(p) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_file_becomes_options_before_the_command_line(void)
{
    char *dir = urb_test_tmpdir();
    char *path = write_file(dir, "u.conf",
                            "[urbis-index]\njobs = 9\n"
                            "[urbisd]\nindex = /srv/idx\nthreads = 3\n"
                            "http-origin = https://a.example\nhttp-origin = https://b.example\n"
                            "debug-commands = true\n");
    char *argv[] = {"urbisd", "--config", path, "--threads", "5", NULL};
    urb_conf_t c;
    char err[256] = "";
    CHECK(urb_conf_load(&c, "urbisd", opts, 5, argv, err, sizeof err) == 0);
    const char *want[] = {"urbisd", "--index", "/srv/idx", "--threads", "3",
                          "--http-origin", "https://a.example", "--http-origin",
                          "https://b.example", "--debug-commands", "--config", path,
                          "--threads", "5"};
    CHECK(c.argc == (int)(sizeof want / sizeof *want));
    for (int i = 0; i < c.argc && i < (int)(sizeof want / sizeof *want); i++)
        CHECK_STR(c.argv[i], want[i]);
    CHECK(c.argv[c.argc] == NULL);
    char origin[600];
    snprintf(origin, sizeof origin, "%s:5", path);
    CHECK_STR(urb_conf_origin(&c, c.argv[4]), origin);
    CHECK(urb_conf_origin(&c, c.argv[c.argc - 1]) == NULL); /* from the command line */
    urb_conf_free(&c);

    char *none[] = {"urbisd", "--threads", "2", NULL};
    CHECK(urb_conf_load(&c, "urbisd", opts, 3, none, err, sizeof err) == 0);
    CHECK(c.argc == 3 && c.path == NULL);
    urb_conf_free(&c);
    free(path);
    urb_test_rmtree(dir);
    free(dir);
}

static void expect_error(const char *dir, const char *text, const char *want)
{
    char *path = write_file(dir, "bad.conf", text);
    char *argv[] = {"urbisd", "--config", path, NULL};
    urb_conf_t c;
    char err[512] = "";
    CHECK(urb_conf_load(&c, "urbisd", opts, 3, argv, err, sizeof err) < 0);
    if (!strstr(err, want))
        fprintf(stderr, "  error was: %s\n  wanted: %s\n", err, want);
    CHECK(strstr(err, want) != NULL);
    urb_conf_free(&c);
    free(path);
}

static void test_bad_files_name_the_line(void)
{
    char *dir = urb_test_tmpdir();
    expect_error(dir, "[urbisd]\nindex = /x\nthreds = 2\n", "bad.conf:3: unknown key 'threds'");
    expect_error(dir, "[urbisd]\nconfig = other.conf\n", ":2: unknown key 'config'");
    expect_error(dir, "# c\n[urbisd]\ndebug-commands = maybe\n",
                 ":3: debug-commands: expected true or false");
    expect_error(dir, "[urbisd]\nindex\n", ":2: not an INI line");
    expect_error(dir, "[urbisd]\nthreads =\n", ":2: threads: no value");
    char *argv[] = {"urbisd", "--config", "/nonexistent/u.conf", NULL};
    urb_conf_t c;
    char err[512] = "";
    CHECK(urb_conf_load(&c, "urbisd", opts, 3, argv, err, sizeof err) < 0);
    CHECK(strstr(err, "cannot read /nonexistent/u.conf") != NULL);
    urb_conf_free(&c);
    urb_test_rmtree(dir);
    free(dir);
}

static void test_check_config(void)
{
    char *dir = urb_test_tmpdir(), *out, cmd[2048];
    const char *urbisd = getenv("URBISD");
    /* The shipped example, with the index folder overridden by a flag. */
    snprintf(cmd, sizeof cmd, "%s --config %s --index %s --check-config 2>&1", urbisd,
             getenv("URBIS_CONF_EXAMPLE"), dir);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "configuration OK") != NULL);
    free(out);
    char *good = write_file(dir, "good.conf", "[urbisd]\nthreads = 3\nlisten = 127.0.0.1:1\n");
    snprintf(cmd, sizeof cmd, "%s --config %s --index %s --threads 5 --check-config 2>&1",
             urbisd, good, dir);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "5 workers") != NULL); /* the flag wins */
    free(out);
    char *bad = write_file(dir, "bad.conf", "[urbisd]\nthreads = lots\n");
    snprintf(cmd, sizeof cmd, "%s --config %s --index %s --check-config 2>&1", urbisd, bad,
             dir);
    CHECK(run(cmd, &out) == 2);
    CHECK(strstr(out, "bad.conf:2: bad value for --threads: 'lots'") != NULL);
    free(out);
    char *unknown = write_file(dir, "unknown.conf", "[urbisd]\nlisten-on = 1\n");
    snprintf(cmd, sizeof cmd, "%s --config %s --index %s --check-config 2>&1", urbisd,
             unknown, dir);
    CHECK(run(cmd, &out) == 2);
    CHECK(strstr(out, "unknown key 'listen-on'") != NULL);
    free(out);
    snprintf(cmd, sizeof cmd, "%s --config %s --index %s/missing --check-config 2>&1",
             urbisd, good, dir);
    CHECK(run(cmd, &out) == 2);
    CHECK(strstr(out, "missing") != NULL);
    free(out);
    free(good);
    free(bad);
    free(unknown);
    urb_test_rmtree(dir);
    free(dir);
}

static void test_indexer_takes_its_paths_from_the_file(void)
{
    char *dir = urb_test_tmpdir(), *out, cmd[2048], text[1200];
    snprintf(text, sizeof text, "[urbis-index]\ncorpus = %s\nindex = %s/index\njobs = 2\n",
             getenv("URBIS_FIXTURES"), dir);
    char *conf = write_file(dir, "u.conf", text);
    snprintf(cmd, sizeof cmd, "%s --config %s --json 2>&1", getenv("URBIS_INDEXER"), conf);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "\"added\":8") != NULL);
    free(out);
    /* Two paths on the command line override the file's. */
    snprintf(cmd, sizeof cmd, "%s --config %s %s %s/other --json 2>&1",
             getenv("URBIS_INDEXER"), conf, getenv("URBIS_FIXTURES"), dir);
    CHECK(run(cmd, &out) == 0);
    CHECK(strstr(out, "\"added\":8") != NULL);
    free(out);
    char *bad = write_file(dir, "bad.conf", "[urbis-index]\nthreads = 2\n");
    snprintf(cmd, sizeof cmd, "%s --config %s a b 2>&1", getenv("URBIS_INDEXER"), bad);
    CHECK(run(cmd, &out) == 2);
    CHECK(strstr(out, "unknown key 'threads' in [urbis-index]") != NULL);
    free(out);
    free(conf);
    free(bad);
    urb_test_rmtree(dir);
    free(dir);
}

URB_TEST_MAIN(T(test_file_becomes_options_before_the_command_line),
              T(test_bad_files_name_the_line), T(test_check_config),
              T(test_indexer_takes_its_paths_from_the_file))
