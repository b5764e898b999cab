/* urbisd — serves an urbis index over the line protocol. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "urbis/conf.h"

#include "engine.h"
#include "http.h"
#include "log.h"
#include "pool.h"
#include "search.h"
#include "server.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: urbisd --index INDEX [options]\n"
        "  --config FILE             read options from FILE's [urbisd] section;\n"
        "                            flags on the command line override it\n"
        "  --check-config            check the options and files, then exit\n"
        "  --listen HOST:PORT        TCP address (default 127.0.0.1:7700)\n"
        "  --socket PATH             also listen on a Unix socket\n"
        "  --no-tcp                  only the Unix socket\n"
        "  --threads N               query workers (default: the cores)\n"
        "  --max-connections N       default 10000\n"
        "  --query-timeout-ms N      default 2000\n"
        "  --idle-timeout-s N        close idle connections (default 300, 0 never)\n"
        "  --max-line N              longest request line (default 16384)\n"
        "  --cache-mb N              reply cache for SEARCH, SUGGEST, GET (default 64,\n"
        "                            0 none); emptied when a new index is served\n"
        "  --admin-token-file FILE   token for AUTH (RELOAD over TCP)\n"
        "  --http HOST:PORT          also serve HTTP/JSON and the widget (docs/http.md)\n"
        "  --http-origin ORIGIN      CORS: a site allowed to call it (repeatable, * any)\n"
        "  --http-keys FILE          \"KEY SITE\" lines; then every API call needs a key\n"
        "  --http-rate R[:BURST]     requests/s per key or address (default 20:40)\n"
        "  --log-level LEVEL         debug, info, warn, error (default info)\n"
        "  --debug-commands          enable DEBUG SLEEP (tests only)\n"
        "  --version, --help\n");
}

static bool parse_num(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

/* The token is the file's first line; it is never taken from the command
 * line, where other users could read it. */
static char *read_token(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        urb_error("cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char buf[512];
    char *line = fgets(buf, sizeof buf, f);
    fclose(f);
    if (!line) {
        urb_error("%s is empty", path);
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    if (strlen(buf) < 8) {
        urb_error("the token in %s is shorter than 8 characters", path);
        return NULL;
    }
    return strdup(buf);
}

/* A bad value names its option and, when it came from the file, the line. */
static void bad_value(const urb_conf_t *conf, const char *name, const char *value)
{
    const char *origin = urb_conf_origin(conf, value);
    fprintf(stderr, "urbisd: %s%sbad value for --%s: '%s'\n", origin ? origin : "",
            origin ? ": " : "", name, value);
}

/* --check-config: the files the options name must be usable too. */
static int check_config(const urb_config_t *cfg)
{
    char *token = NULL;
    if (cfg->admin_token_file && !(token = read_token(cfg->admin_token_file)))
        return 2;
    free(token);
    if (access(cfg->index, R_OK | X_OK) < 0) {
        fprintf(stderr, "urbisd: index folder %s: %s\n", cfg->index, strerror(errno));
        return 2;
    }
    printf("urbisd: configuration OK (index %s, %s%s%s, %u workers)\n", cfg->index,
           cfg->listen ? cfg->listen : "", cfg->listen && cfg->socket ? ", " : "",
           cfg->socket ? cfg->socket : "", cfg->threads);
    return 0;
}

static urb_conf_t conf;
static urb_server_t server;
static urb_engine_t engine;
static uv_signal_t sig_term, sig_int, sig_hup;
static urb_http_config_t http_cfg = {.rate = 20, .burst = 40};
static urb_http_t *http;

static void on_drained(urb_server_t *srv)
{
    urb_info("drained; exiting");
    urb_engine_unwatch(&engine);
    uv_close((uv_handle_t *)&sig_term, NULL);
    uv_close((uv_handle_t *)&sig_int, NULL);
    uv_close((uv_handle_t *)&sig_hup, NULL);
    urb_pool_free(srv->pool);
    urb_server_free(srv);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    if (signum == SIGHUP) {
        urb_info("SIGHUP: checking for a new index");
        urb_engine_check(&engine);
        return;
    }
    urb_info("%s: draining", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    urb_http_drain(http);
    urb_server_drain(&server);
}

int main(int argc, char **argv)
{
    urb_config_t cfg = {
        .listen = "127.0.0.1:7700",
        .threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN),
        .max_connections = 10000,
        .query_timeout_ms = 2000,
        .idle_timeout_s = 300,
        .max_line = URB_LINE_MAX_DEFAULT,
        .max_inflight = 128, /* a pipelining client queues at most this many ahead of others */
        .max_output = 4u << 20,
        .cache_bytes = (size_t)64 << 20,
    };
    unsigned cache_mb;
    enum { O_LISTEN = 256, O_SOCKET, O_NOTCP, O_THREADS, O_MAXCONN, O_TIMEOUT,
           O_IDLE, O_MAXLINE, O_TOKEN, O_LOGLEVEL, O_DEBUG, O_VERSION, O_HELP, O_INDEX,
           O_HTTP, O_HTTP_ORIGIN, O_HTTP_KEYS, O_HTTP_RATE, O_CONFIG, O_CHECK,
           O_CACHE };
    static const struct option longopts[] = {
        {"index", required_argument, NULL, O_INDEX},
        {"listen", required_argument, NULL, O_LISTEN},
        {"socket", required_argument, NULL, O_SOCKET},
        {"no-tcp", no_argument, NULL, O_NOTCP},
        {"threads", required_argument, NULL, O_THREADS},
        {"max-connections", required_argument, NULL, O_MAXCONN},
        {"query-timeout-ms", required_argument, NULL, O_TIMEOUT},
        {"idle-timeout-s", required_argument, NULL, O_IDLE},
        {"max-line", required_argument, NULL, O_MAXLINE},
        {"cache-mb", required_argument, NULL, O_CACHE},
        {"admin-token-file", required_argument, NULL, O_TOKEN},
        {"log-level", required_argument, NULL, O_LOGLEVEL},
        {"debug-commands", no_argument, NULL, O_DEBUG},
        {"version", no_argument, NULL, O_VERSION},
        {"help", no_argument, NULL, O_HELP},
        {"http", required_argument, NULL, O_HTTP},
        {"http-origin", required_argument, NULL, O_HTTP_ORIGIN},
        {"http-keys", required_argument, NULL, O_HTTP_KEYS},
        {"http-rate", required_argument, NULL, O_HTTP_RATE},
        {"config", required_argument, NULL, O_CONFIG},
        {"check-config", no_argument, NULL, O_CHECK},
        {NULL, 0, NULL, 0},
    };
    char err[512];
    if (urb_conf_load(&conf, "urbisd", longopts, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "urbisd: %s\n", err);
        urb_conf_free(&conf);
        return 2;
    }
    argc = conf.argc;
    argv = conf.argv;
    bool ok = true, check = false;
    int opt, level, li = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, &li)) != -1) {
        switch (opt) {
        case O_INDEX: cfg.index = optarg; break;
        case O_LISTEN: cfg.listen = optarg; break;
        case O_SOCKET: cfg.socket = optarg; break;
        case O_NOTCP: cfg.listen = NULL; break;
        case O_THREADS: ok &= parse_num(optarg, 1, 256, &cfg.threads); break;
        case O_MAXCONN:
            ok &= parse_num(optarg, 1, 1000000, &cfg.max_connections);
            break;
        case O_TIMEOUT:
            ok &= parse_num(optarg, 1, 3600000, &cfg.query_timeout_ms);
            break;
        case O_IDLE: ok &= parse_num(optarg, 0, 86400 * 7, &cfg.idle_timeout_s); break;
        case O_MAXLINE: ok &= parse_num(optarg, 64, 1 << 24, &cfg.max_line); break;
        case O_CACHE:
            ok &= parse_num(optarg, 0, 1 << 20, &cache_mb);
            cfg.cache_bytes = (size_t)cache_mb << 20;
            break;
        case O_TOKEN: cfg.admin_token_file = optarg; break;
        case O_LOGLEVEL:
            level = urb_log_parse_level(optarg);
            ok &= level >= 0;
            if (level >= 0)
                urb_log_set_level((urb_log_level_t)level);
            break;
        case O_DEBUG: cfg.debug_commands = true; break;
        case O_VERSION: printf("urbisd %s\n", URBIS_VERSION); return 0;
        case O_HELP: usage(stdout); return 0;
        case O_HTTP: http_cfg.listen = optarg; break;
        case O_HTTP_ORIGIN:
            ok &= http_cfg.n_origins < URB_HTTP_MAX_ORIGINS;
            if (http_cfg.n_origins < URB_HTTP_MAX_ORIGINS)
                http_cfg.origins[http_cfg.n_origins++] = optarg;
            break;
        case O_HTTP_KEYS: http_cfg.keys_file = optarg; break;
        case O_HTTP_RATE: ok &= urb_http_parse_rate(optarg, &http_cfg) == 0; break;
        case O_CONFIG: break;
        case O_CHECK: check = true; break;
        default: usage(stderr); return 2;
        }
        if (!ok) {
            bad_value(&conf, longopts[li].name, optarg);
            return 2;
        }
    }
    if (optind != argc || !cfg.index || (!cfg.listen && !cfg.socket)) {
        if (!cfg.index)
            fprintf(stderr, "urbisd: --index is required\n");
        else if (optind != argc)
            fprintf(stderr, "urbisd: unexpected argument %s\n", argv[optind]);
        else
            fprintf(stderr, "urbisd: --no-tcp needs --socket\n");
        usage(stderr);
        return 2;
    }
    if (check)
        return check_config(&cfg);
    signal(SIGPIPE, SIG_IGN);

    uv_loop_t *loop = uv_default_loop();
    if (cfg.admin_token_file && !(server.admin_token = read_token(cfg.admin_token_file)))
        return 1;
    if (urb_engine_init(&engine, cfg.index, cfg.query_timeout_ms) < 0) {
        free(server.admin_token);
        urb_engine_free(&engine);
        return 1;
    }
    urb_pool_t *pool = urb_pool_new(loop, cfg.threads, urb_worker_new,
                                    urb_worker_free, &engine);
    if (!pool) {
        urb_error("cannot start %u query workers", cfg.threads);
        return 1;
    }
    server.on_drained = on_drained;
    urb_engine_watch(&engine, loop);
    uv_signal_init(loop, &sig_term);
    uv_signal_init(loop, &sig_int);
    uv_signal_init(loop, &sig_hup);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    uv_signal_start(&sig_hup, on_signal, SIGHUP);
    int rc = 0;
    if (urb_server_start(&server, loop, &cfg, &engine, pool) < 0 ||
        (http_cfg.listen && !(http = urb_http_start(&server, &http_cfg)))) {
        rc = 1;
        urb_server_drain(&server);
    } else {
        urb_info("urbisd %s ready: %u workers", URBIS_VERSION, cfg.threads);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    urb_http_free(http);
    uv_loop_close(loop);
    urb_engine_free(&engine);
    urb_conf_free(&conf);
    return rc;
}
