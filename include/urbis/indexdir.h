/* indexdir.h — the index folder that urbis-index publishes and urbisd
 * serves. Layout:
 *
 *   INDEX/current        Xapian stub file naming the served generation
 *                        ("auto gen-000042"); replaced by rename(2), so a
 *                        reader sees the old generation or the new one
 *   INDEX/gen-000042/    a complete glass database and its manifest
 *   INDEX/gen-000041/    the previous generation, kept for rollback
 *   INDEX/.lock          flock(2)ed by the running urbis-index; the kernel
 *                        releases it when the holder dies
 *   INDEX/tmp-*          a run in progress; removed by the next run
 *
 * A generation is never changed once `current` names it.
 */
#ifndef URBIS_INDEXDIR_H
#define URBIS_INDEXDIR_H

#include <stddef.h>

#define URB_INDEXDIR_CURRENT "current"
#define URB_INDEXDIR_LOCK ".lock"
#define URB_GEN_NAME_MAX 64

/* Reads the generation `current` names into gen[URB_GEN_NAME_MAX].
 * 0, or -1 with errno set (ENOENT: nothing published yet; EINVAL: the
 * pointer is malformed). */
int urb_indexdir_current(const char *index, char gen[URB_GEN_NAME_MAX]);

/* Path of a generation's database: malloc'd "INDEX/gen"; NULL on OOM. */
char *urb_indexdir_gen_path(const char *index, const char *gen);

#endif
