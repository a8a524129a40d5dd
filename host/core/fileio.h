/* Whole-file I/O: atomic writes (checkpoints, config.json, metrics.json are never seen half
 * written) and whole-file reads with a size limit.
 *
 * An atomic write goes to "<path>.tmp.<pid>", which is written, fsync'd and closed, then
 * renamed over <path>, and the directory is fsync'd so the rename survives a crash. On any
 * failure the temporary file is removed, <path> keeps its old content (or stays absent), and
 * the status is SC_ERR_IO with the path and strerror. One writer per path at a time. */
#ifndef SC_FILEIO_H
#define SC_FILEIO_H

#include <stddef.h>

#include "status.h"

/* One piece of a file written from several buffers (e.g. a header, then each tensor). */
typedef struct sc_file_chunk {
    const void *data; /* (len) bytes; may be NULL when len is 0 */
    size_t len;
} sc_file_chunk;

sc_status sc_file_write_atomic(const char *path, const void *data, size_t len, sc_error *err);
/* The chunks, in order, as the new content of path. */
sc_status sc_file_write_atomic_chunks(const char *path, const sc_file_chunk *chunks, size_t count,
                                      sc_error *err);

/* Read the whole file into a new buffer (free() it) with a NUL byte after the *out_len data
 * bytes, so text can be used as a C string. A file longer than max_bytes is an error
 * (SC_ERR_IO, nothing returned), as is a missing or unreadable file or anything but a regular
 * file (a directory, a device such as /dev/zero, a pipe). */
sc_status sc_file_read_all(const char *path, size_t max_bytes, char **out_data, size_t *out_len,
                           sc_error *err);

/* SC_OK when path is a regular file (after symbolic links); else SC_ERR_IO naming what it is.
 * For readers that open files themselves (datasets). */
sc_status sc_file_check_regular(const char *path, sc_error *err);
/* "a directory", "a character device", ... for a stat mode. */
const char *sc_file_kind_name(unsigned mode);

#endif
