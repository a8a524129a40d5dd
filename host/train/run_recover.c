/* Run directory recovery (see run_recover.h). */
#include "run_recover.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "checkpoint.h"
#include "train_config.h"

/* The pid of a "<name>.tmp.<pid>" file name, or 0 when the name is not of that form. */
static long temporary_file_pid(const char *name) {
    const char *tag = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
        tag = p;
    if (!tag || tag == name)
        return 0;
    const char *digits = tag + 5;
    long pid = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9' || pid > 100000000L)
            return 0;
        pid = pid * 10 + (*p - '0');
    }
    return digits[0] ? pid : 0;
}

static int process_is_gone(long pid) {
    return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int sc_run_remove_stale_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = temporary_file_pid(e->d_name);
        if (pid <= 0 || !process_is_gone(pid))
            continue;
        char path[SC_PATH_LEN + 512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* 1 when path's directory is dir (the same directory, however either is spelled). */
static int lies_in(const char *path, const char *dir) {
    char parent[SC_PATH_LEN + 8];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == path)
        snprintf(parent, sizeof parent, "/");
    else
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    struct stat a, b;
    return stat(parent, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

sc_status sc_run_truncate_log(const char *dir, const char *checkpoint_path, int64_t log_bytes,
                              int64_t *cut_bytes, sc_error *err) {
    *cut_bytes = 0;
    if (log_bytes < 0 || !lies_in(checkpoint_path, dir))
        return SC_OK;
    char path[SC_PATH_LEN + 16];
    snprintf(path, sizeof path, "%s/log.jsonl", dir);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (int64_t)st.st_size <= log_bytes)
        return SC_OK;
    if (truncate(path, (off_t)log_bytes) != 0)
        return sc_fail(err, SC_ERR_IO, "cannot cut %s back to the checkpoint's %lld bytes: %s",
                       path, (long long)log_bytes, strerror(errno));
    *cut_bytes = (int64_t)st.st_size - log_bytes;
    return SC_OK;
}

int sc_run_best_checkpoint_holds(const char *dir, const char *model, uint64_t seed,
                                 double best_accuracy) {
    char path[SC_PATH_LEN + 32];
    snprintf(path, sizeof path, "%s/checkpoint-best.safetensors", dir);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    sc_checkpoint_meta meta;
    sc_error err;
    if (sc_checkpoint_read_meta(path, &meta, &err) != SC_OK)
        return 0;
    return strcmp(meta.model.name, model) == 0 && meta.seed == seed &&
           meta.test_accuracy == best_accuracy;
}
