/* indexdir.c — reading the index folder's `current` pointer. */
#include "urbis/indexdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STUB_KIND "auto "

/* A generation name is a plain file name: no path, no dot files, nothing a
 * stub line could not carry. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= URB_GEN_NAME_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int urb_indexdir_current(const char *index, char gen[URB_GEN_NAME_MAX])
{
    char *path = urb_indexdir_gen_path(index, URB_INDEXDIR_CURRENT);
    if (!path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return -1;
    /* Room for the longest valid pointer plus one byte, to see it is not
     * longer than that. */
    char buf[sizeof STUB_KIND + URB_GEN_NAME_MAX + 2];
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    size_t len = (size_t)n, kl = strlen(STUB_KIND);
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len < kl || memcmp(buf, STUB_KIND, kl) != 0 ||
        !valid_name(buf + kl, len - kl)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(gen, buf + kl, len - kl);
    gen[len - kl] = '\0';
    return 0;
}

char *urb_indexdir_gen_path(const char *index, const char *gen)
{
    size_t il = strlen(index), gl = strlen(gen);
    while (il > 1 && index[il - 1] == '/')
        il--;
    char *p = malloc(il + 1 + gl + 1);
    if (!p)
        return NULL;
    memcpy(p, index, il);
    p[il] = '/';
    memcpy(p + il + 1, gen, gl + 1);
    return p;
}
