/* publish.h — the write side of the index folder (see urbis/indexdir.h):
 * the lock, a new generation built aside, and the atomic switch.
 *
 *   urb_pub_open     create INDEX, take the lock, sweep a dead run's
 *                    tmp-*, learn the current generation and the next name
 *   urb_pub_begin    make INDEX/tmp-XXXXXX, a copy of the current
 *                    generation's database or empty
 *   urb_pub_remove   delete a scratch file or folder inside tmp
 *   urb_pub_commit   sync tmp, rename it to gen-N, sync, point `current`
 *                    at it (write aside, sync, rename, sync), then delete
 *                    every generation but the new one and the previous
 *   urb_pub_close    remove tmp if not published, release the lock
 *
 * Failures return -1 with a message in pub->err.
 */
#ifndef URBIX_PUBLISH_H
#define URBIX_PUBLISH_H

#include <stdbool.h>

#include "urbis/indexdir.h"

typedef struct urb_pub {
    char *index;                     /* the folder, as given */
    int dir_fd, lock_fd;
    char current[URB_GEN_NAME_MAX];  /* "" when nothing is published */
    char next[URB_GEN_NAME_MAX];     /* the name this run publishes as */
    char *tmp;                       /* INDEX/tmp-XXXXXX while building */
    bool locked_out;                 /* open failed: another run holds it */
    char err[512];
} urb_pub_t;

int urb_pub_open(urb_pub_t *pub, const char *index);
/* copy: start from the current generation's files (not the manifest). */
int urb_pub_begin(urb_pub_t *pub, bool copy);
/* Path of a file of the current generation, malloc'd; NULL on OOM. */
char *urb_pub_current_file(const urb_pub_t *pub, const char *name);
/* name: a plain name inside tmp. */
int urb_pub_remove(urb_pub_t *pub, const char *name);
int urb_pub_commit(urb_pub_t *pub);
void urb_pub_close(urb_pub_t *pub);

#endif
