/* Helpers shared by the fuzz harnesses (see fuzz_target.h): failing loudly, checking a
 * refusal, touching every byte of a result, and the scratch directory for readers that take a
 * path. The scratch directory is the one piece of process-wide state: a fuzzer calls a harness
 * millions of times and the directory is made once. */
#include "fuzz_target.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sc_fuzz_fail(const char *harness, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz %s: ", harness);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

int sc_fuzz_refused(const char *harness, sc_status st, const sc_error *err) {
    if (st != SC_ERR_FORMAT && st != SC_ERR_SHAPE && st != SC_ERR_UNSUPPORTED && st != SC_ERR_IO &&
        st != SC_ERR_NUMERIC)
        sc_fuzz_fail(harness, "refused with status %s, expected an input error (%s)",
                     sc_status_name(st), err->msg);
    const char *end = memchr(err->msg, '\0', sizeof err->msg);
    if (!end)
        sc_fuzz_fail(harness, "refused with a message that is not NUL-terminated");
    if (end == err->msg)
        sc_fuzz_fail(harness, "refused with status %s and an empty message", sc_status_name(st));
    if (memchr(err->msg, '\n', (size_t)(end - err->msg)))
        sc_fuzz_fail(harness, "refused with a message of several lines: %s", err->msg);
    return 0;
}

unsigned sc_fuzz_touch(const void *buf, size_t size) {
    const volatile unsigned char *p = buf;
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += p[i];
    return sum;
}

/* ---- the scratch directory ------------------------------------------------------------------ */

static char scratch_dir[512];

static void remove_scratch_dir(void) {
    DIR *d = opendir(scratch_dir);
    if (d) {
        char path[1024];
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", scratch_dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(scratch_dir);
}

/* $TMPDIR, else /dev/shm (memory: rewriting a file on ext4 flushes it to disk at every close,
 * which made path-based harnesses 4x slower), else /tmp */
static void make_scratch_dir(const char *harness) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/scaat-fuzz-XXXXXX", tmp);
    if (!mkdtemp(scratch_dir))
        sc_fuzz_fail(harness, "cannot make a scratch directory %s", scratch_dir);
    atexit(remove_scratch_dir);
}

const char *sc_fuzz_scratch_write(const char *harness, const char *name, const void *data,
                                  size_t size) {
    static char path[1024];
    if (!scratch_dir[0])
        make_scratch_dir(harness);
    snprintf(path, sizeof path, "%s/%s", scratch_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        sc_fuzz_fail(harness, "cannot write the scratch file %s", path);
    return path;
}

int sc_fuzz_emit_file(sc_fuzz_emit_fn emit, void *ctx, const char *seed_name, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = fseek(f, 0, SEEK_END) == 0 ? 0 : -1;
    long end = rc == 0 ? ftell(f) : -1;
    if (end < 0 || fseek(f, 0, SEEK_SET) != 0)
        rc = -1;
    if (rc == 0) {
        len = (size_t)end;
        buf = malloc(len ? len : 1);
        if (!buf || fread(buf, 1, len, f) != len)
            rc = -1;
    }
    fclose(f);
    if (rc == 0)
        rc = emit(ctx, seed_name, buf, len);
    free(buf);
    return rc;
}
