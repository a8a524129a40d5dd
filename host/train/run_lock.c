/* Run directory lock (see run_lock.h). */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "train_config.h"

#ifdef F_OFD_SETLK
#define LOCK_COMMAND F_OFD_SETLK
#else
#define LOCK_COMMAND F_SETLK
#endif

/* The holder's line from the lock file, "unknown holder" when it cannot be read. */
static void read_holder(int fd, char *out, size_t len) {
    ssize_t n = pread(fd, out, len - 1, 0);
    if (n <= 0) {
        snprintf(out, len, "unknown holder");
        return;
    }
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

sc_status sc_run_lock_acquire(sc_run_lock *lock, const char *dir, sc_error *err) {
    lock->held = 0;
    char path[SC_PATH_LEN + 16];
    snprintf(path, sizeof path, "%s/run.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0)
        return sc_fail(err, SC_ERR_IO, "cannot open the run lock %s: %s", path, strerror(errno));
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET; /* l_start 0, l_len 0: the whole file */
    if (fcntl(fd, LOCK_COMMAND, &fl) != 0) {
        int e = errno;
        if (e == EACCES || e == EAGAIN) {
            char holder[256];
            read_holder(fd, holder, sizeof holder);
            close(fd);
            return sc_fail(err, SC_ERR_USAGE, "run directory %s is in use by another run (%s; lock "
                           "file %s): wait for it to end or give another --out", dir, holder, path);
        }
        close(fd);
        return sc_fail(err, SC_ERR_IO, "cannot lock the run directory %s (%s): %s", dir, path,
                       strerror(e));
    }
    char host[128] = "unknown";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    char line[256];
    int n = snprintf(line, sizeof line, "pid %ld on host %s\n", (long)getpid(), host);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return sc_fail(err, SC_ERR_IO, "cannot write the run lock %s: %s", path, strerror(e));
    }
    lock->fd = fd;
    lock->held = 1;
    return SC_OK;
}

void sc_run_lock_release(sc_run_lock *lock) {
    if (lock->held)
        close(lock->fd);
    lock->held = 0;
}
