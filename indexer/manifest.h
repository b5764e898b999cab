/* manifest.h — what a generation was built from, kept inside it.
 *
 * One line per indexed file: content hash, size, mtime, language (and
 * whether the file declared it), id and path; and one per file whose
 * bytes failed to parse, with the reason. The next run compares the
 * corpus with it to find what changed without reading unchanged files.
 */
#ifndef URBIX_MANIFEST_H
#define URBIX_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"

#define URB_MANIFEST_NAME "urbis-manifest"

/* 64-bit FNV-1a of data[0..len): a change detector, not a defence. */
uint64_t urb_hash(const void *data, size_t len);

/* Loads the manifest at path into fs (empty before), sorted by path; each
 * entry is URB_F_UNCHANGED, or URB_F_FAILED with `why` and no id. 0, or -1 with errno set
 * (EINVAL: malformed; ESTALE: written for another index layout,
 * URB_SCHEMA_VERSION; fs is then left empty). */
int urb_manifest_load(const char *path, urb_files_t *fs);

/* Writes the entries of fs that are URB_F_UNCHANGED or URB_F_DONE, or
 * URB_F_FAILED with a `why`, to a new file at path, flushed to disk. 0, or
 * -1 with errno set. */
int urb_manifest_save(const char *path, const urb_files_t *fs);

#endif
