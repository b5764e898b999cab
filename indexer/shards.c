/* shards.c — a run over every shard, then the map that joins them. */
#include "shards.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publish.h"
#include "urbis/text.h"

static void add(urb_summary_t *s, const urb_summary_t *k)
{
    s->added += k->added;
    s->updated += k->updated;
    s->deleted += k->deleted;
    s->unchanged += k->unchanged;
    s->skipped += k->skipped;
    s->failed += k->failed;
    s->documents += k->documents;
}

/* Whether the current map already says `map`. */
static bool same_map(const urb_pub_t *pub, const urb_buf_t *map)
{
    if (!pub->current[0])
        return false;
    char *path = urb_pub_current_file(pub, URB_SHARDMAP_STUB);
    FILE *f = path ? fopen(path, "re") : NULL;
    free(path);
    if (!f)
        return false;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == map->len && memcmp(buf, map->data, n) == 0;
}

/* The map's first line, a comment to Xapian: how many shards the corpus
 * is split over, empty ones included (they have no line of their own). */
#define SHARDS_LINE "# urbis-index shards "

unsigned urb_shards_of(const char *index)
{
    char gen[URB_GEN_NAME_MAX], *path = NULL, line[64];
    unsigned n = 0;
    if (urb_indexdir_current(index, gen) < 0)
        return 0;
    char *dir = urb_indexdir_gen_path(index, gen);
    path = dir ? urb_indexdir_gen_path(dir, URB_SHARDMAP_STUB) : NULL;
    FILE *f = path ? fopen(path, "re") : NULL;
    if (f && fgets(line, sizeof line, f) &&
        strncmp(line, SHARDS_LINE, strlen(SHARDS_LINE)) == 0) {
        unsigned long v = strtoul(line + strlen(SHARDS_LINE), NULL, 10);
        n = v <= URB_SHARDS_MAX ? (unsigned)v : 0;
    }
    if (f)
        fclose(f);
    free(path);
    free(dir);
    return n;
}

static int write_map(urb_pub_t *pub, const urb_buf_t *map)
{
    char *path = urb_indexdir_gen_path(pub->tmp, URB_SHARDMAP_STUB);
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)
                  : -1;
    int rc = fd >= 0 && write(fd, map->data, map->len) == (ssize_t)map->len
                 ? 0 : -1;
    if (rc < 0)
        snprintf(pub->err, sizeof pub->err, "%s: %s",
                 path ? path : pub->tmp, strerror(errno));
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        snprintf(pub->err, sizeof pub->err, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

int urb_run_shards(const urb_opts_t *o, urb_ui_t *ui, urb_summary_t *s)
{
    double start = urb_now();
    memset(s, 0, sizeof *s);
    urb_pub_t pub;
    /* The top folder's lock keeps a second sharded run out for the whole
     * run, not only while the map is written. */
    if (urb_pub_open(&pub, o->index) < 0) {
        urb_ui_error(ui, "%s", pub.err);
        urb_pub_close(&pub);
        return URB_EXIT_NOTHING;
    }
    memcpy(s->gen, pub.current, sizeof s->gen);
    urb_buf_t map = {0};
    int status = URB_EXIT_OK;
    char head[64];
    int hl = snprintf(head, sizeof head, SHARDS_LINE "%u\n", o->shards);
    if (urb_buf_append(&map, head, (size_t)hl) < 0)
        status = URB_EXIT_NOTHING;
    for (unsigned k = 0; k < o->shards && status != URB_EXIT_NOTHING; k++) {
        char name[32], line[URB_GEN_NAME_MAX + 48];
        snprintf(name, sizeof name, "shard-%u", k);
        char *dir = urb_indexdir_gen_path(o->index, name);
        urb_opts_t so = *o;
        so.index = dir;
        so.shard = k;
        urb_summary_t ks;
        int st = dir ? urb_run(&so, ui, &ks) : URB_EXIT_NOTHING;
        free(dir);
        if (st > status)
            status = st;
        if (st == URB_EXIT_NOTHING)
            break;
        add(s, &ks);
        /* A shard that never had a file has no database to name. */
        int len = snprintf(line, sizeof line, "auto ../%s/%s\n", name, ks.gen);
        if (ks.gen[0] && urb_buf_append(&map, line, (size_t)len) < 0)
            status = URB_EXIT_NOTHING;
    }
    if (status != URB_EXIT_NOTHING && !same_map(&pub, &map)) {
        if (urb_pub_begin(&pub, false) < 0 || write_map(&pub, &map) < 0 ||
            urb_pub_commit(&pub) < 0) {
            urb_ui_error(ui, "%s", pub.err);
            status = URB_EXIT_NOTHING;
        } else {
            s->published = true;
            memcpy(s->gen, pub.current, sizeof s->gen);
        }
    }
    urb_buf_free(&map);
    urb_pub_close(&pub);
    s->warnings = ui->warnings;
    s->seconds = urb_now() - start;
    return status;
}
