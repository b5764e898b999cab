/* corpus.h — the files of a corpus and of a manifest, as one list type.
 *
 * A list is sorted by path (bytes) once filled. Every string in an entry
 * is malloc'd and owned by the list; urb_files_free() frees them all.
 */
#ifndef URBIX_CORPUS_H
#define URBIX_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct urb_reader urb_reader_t;

/* What a run decided for a file. */
typedef enum urb_fstate {
    URB_F_NEW = 0,    /* found by the walk, not decided yet */
    URB_F_SKIPPED,    /* empty or of an unknown kind */
    URB_F_FAILED,     /* reported with its reason */
    URB_F_UNCHANGED,  /* as in the previous generation */
    URB_F_INDEX,      /* to be (re)indexed */
    URB_F_DONE,       /* indexed in this run */
} urb_fstate_t;

typedef struct urb_file {
    char *path;          /* below the corpus root, '/'-separated */
    char *id;            /* NULL until known */
    char *why;           /* why the file's bytes failed to parse: such a
                            failure is kept in the manifest, and stands
                            while the bytes do */
    uint64_t size;
    int64_t mtime;       /* nanoseconds since the epoch */
    uint64_t hash;       /* of the bytes (urb_hash); 0 until read */
    char lang[8];        /* ISO 639-1, "" when none */
    bool declared;       /* lang was written in the file, not detected */
    urb_fstate_t state;
    int err;             /* errno of a failed stat, for URB_F_FAILED */
    const urb_reader_t *reader;
} urb_file_t;

/* urb_file_t.err for something that is not a regular file (a FIFO, a
 * device): reading it could block or never end. */
#define URB_ENOTREG (-1)

typedef struct urb_files {
    urb_file_t *v;
    size_t n, cap;
} urb_files_t;

/* A new zeroed entry at the end, owning `path` (moved in); NULL on OOM, in
 * which case path is freed. */
urb_file_t *urb_files_push(urb_files_t *fs, char *path);
void urb_files_sort(urb_files_t *fs);
/* The entry with that path in a sorted list, or NULL. */
urb_file_t *urb_files_find(const urb_files_t *fs, const char *path);
void urb_files_free(urb_files_t *fs);

/* f is as it was in the previous generation (same bytes): takes old's
 * state (URB_F_UNCHANGED or URB_F_FAILED), id, language, hash and reason.
 * -1 on OOM. */
int urb_file_as_before(urb_file_t *f, const urb_file_t *old);

/* Keeps only the files of shard k of n: those whose path hashes
 * (urb_hash) to k modulo n. A file keeps its shard across runs; one moved
 * or renamed is deleted from its old shard by that shard's manifest. */
void urb_files_keep_shard(urb_files_t *fs, unsigned k, unsigned n);

/* Lists every file below root, recursively, sorted by path. Hidden names
 * (starting with '.') are not entered; symbolic links to files are
 * followed, to directories not (no cycles). A file whose kind no reader
 * knows, or that is empty, is URB_F_SKIPPED; one that cannot be stat'ed
 * or is no regular file is URB_F_FAILED with err set. 0, or -1 with errno
 * set when root or a directory below it cannot be read (*bad gets that
 * path, malloc'd, or NULL on OOM). */
int urb_corpus_walk(const char *root, urb_files_t *out, char **bad);

/* "root/path", malloc'd; NULL on OOM. */
char *urb_path_join(const char *root, const char *path);

#endif
