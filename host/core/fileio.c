/* Atomic whole-file writes and size-limited whole-file reads (see fileio.h). */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* write() caps one call well below SSIZE_MAX; larger chunks go in pieces */
#define WRITE_PIECE_BYTES ((size_t)1 << 30)

static int write_fully(int fd, const unsigned char *data, size_t len, size_t *written) {
    while (len > 0) {
        size_t piece = len < WRITE_PIECE_BYTES ? len : WRITE_PIECE_BYTES;
        ssize_t n = write(fd, data, piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        data += n;
        len -= (size_t)n;
        *written += (size_t)n;
    }
    return 0;
}

/* fsync the directory holding path, so a rename into it is durable */
static int sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir) {
        errno = ENOMEM;
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    if (rc != 0 && (saved == EINVAL || saved == EROFS))
        return 0; /* file systems that cannot sync a directory */
    errno = saved;
    return rc;
}

/* A failed write step's status: storage that is full, read-only or failing is a runtime failure
 * (SC_ERR_WRITE); anything else (a path that is a directory, no permission) is the path's
 * fault (SC_ERR_IO). */
static sc_status write_failure_status(int e) {
    switch (e) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EIO:
    case EROFS: return SC_ERR_WRITE;
    default: return SC_ERR_IO;
    }
}

sc_status sc_file_write_atomic_chunks(const char *path, const sc_file_chunk *chunks, size_t count,
                                      sc_error *err) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += chunks[i].len;
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp)
        return sc_fail(err, SC_ERR_OOM, "cannot write %s: out of memory", path);
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        int e = errno;
        sc_status st = sc_fail(err, write_failure_status(e), "cannot write %s: creating the temporary file %s failed: %s",
                               path, tmp, strerror(e));
        free(tmp);
        return st;
    }
    const char *step = NULL;
    size_t written = 0;
    for (size_t i = 0; i < count && !step; i++)
        if (write_fully(fd, chunks[i].data, chunks[i].len, &written) != 0)
            step = "writing";
    if (!step && fsync(fd) != 0)
        step = "syncing";
    int e = errno;
    if (close(fd) != 0 && !step) {
        e = errno;
        step = "closing";
    }
    if (!step && rename(tmp, path) != 0) {
        e = errno;
        step = "renaming";
    }
    if (step) {
        unlink(tmp);
        sc_status st = sc_fail(err, write_failure_status(e), "cannot write %s: %s the temporary file %s failed after %zu of %zu bytes: %s",
                               path, step, tmp, written, total, strerror(e));
        free(tmp);
        return st;
    }
    free(tmp);
    if (sync_parent_dir(path) != 0)
        return sc_fail(err, write_failure_status(errno), "wrote %s but syncing its directory failed: %s", path,
                       strerror(errno));
    return SC_OK;
}

sc_status sc_file_write_atomic(const char *path, const void *data, size_t len, sc_error *err) {
    sc_file_chunk chunk = {data, len};
    return sc_file_write_atomic_chunks(path, &chunk, 1, err);
}

const char *sc_file_kind_name(unsigned mode) {
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

sc_status sc_file_check_regular(const char *path, sc_error *err) {
    struct stat st;
    if (stat(path, &st) != 0)
        return sc_fail(err, SC_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return sc_fail(err, SC_ERR_IO, "cannot read %s: it is %s, expected a regular file", path,
                       sc_file_kind_name(st.st_mode));
    return SC_OK;
}

sc_status sc_file_read_all(const char *path, size_t max_bytes, char **out_data, size_t *out_len,
                           sc_error *err) {
    *out_data = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sc_fail(err, SC_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sc_fail(err, SC_ERR_IO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return sc_fail(err, SC_ERR_IO, "cannot read %s: it is %s, expected a regular file", path,
                       sc_file_kind_name(st.st_mode));
    }
    if ((uint64_t)st.st_size > (uint64_t)max_bytes) {
        close(fd);
        return sc_fail(err, SC_ERR_IO, "cannot read %s: the file is %lld bytes, over the limit of %zu",
                       path, (long long)st.st_size, max_bytes);
    }
    /* the size from stat is the first guess; the loop reads to end of file (a file may grow
     * while read), up to one byte past the limit, which tells a file over the limit */
    size_t limit_cap = max_bytes < SIZE_MAX - 2 ? max_bytes + 2 : SIZE_MAX;
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    size_t len = 0;
    sc_status status = SC_OK;
    while (buf) {
        if (len + 1 == cap) {
            if (len > max_bytes)
                break;
            size_t grown_cap = cap > limit_cap / 2 ? limit_cap : cap * 2;
            char *grown = realloc(buf, grown_cap);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap = grown_cap;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            status = sc_fail(err, SC_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (!buf)
        return sc_fail(err, SC_ERR_OOM, "cannot read %s: out of memory after %zu bytes", path, len);
    if (status == SC_OK && len > max_bytes)
        status = sc_fail(err, SC_ERR_IO, "cannot read %s: the file is over the limit of %zu bytes",
                         path, max_bytes);
    if (status != SC_OK) {
        free(buf);
        return status;
    }
    buf[len] = '\0';
    *out_data = buf;
    *out_len = len;
    return SC_OK;
}
