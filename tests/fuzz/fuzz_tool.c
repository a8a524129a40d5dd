/* fuzz_tool: the harnesses without libFuzzer, in every build.
 *
 *   fuzz_tool list                 each harness and its longest input, one "name max_len" a line
 *   fuzz_tool seeds DIR            write the seed corpora as DIR/<harness>/<seed>
 *   fuzz_tool check-seeds          every seed of every harness is accepted by its reader
 *   fuzz_tool replay DIR           every file of DIR/<harness>/ through that harness (the kept
 *                                  crash inputs, tests/fuzz/regressions); a missing DIR holds none
 *
 * Exit status: 0 when everything passed, 1 when a seed was refused or a file could not be
 * read, 2 for a usage error; a harness that finds a broken promise aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

static const sc_fuzz_target *const k_targets[] = {
    &sc_fuzz_target_idx,  &sc_fuzz_target_cifar,      &sc_fuzz_target_safetensors,
    &sc_fuzz_target_json, &sc_fuzz_target_checkpoint, &sc_fuzz_target_image,
#ifdef SCAAT_HAVE_HDF5
    &sc_fuzz_target_pcam,
#endif
};
#define TARGET_COUNT (sizeof k_targets / sizeof k_targets[0])

static const sc_fuzz_target *find_target(const char *name) {
    for (size_t i = 0; i < TARGET_COUNT; i++)
        if (strcmp(k_targets[i]->name, name) == 0)
            return k_targets[i];
    return NULL;
}

/* ---- seeds ---------------------------------------------------------------------------------- */

typedef struct seed_writer {
    char dir[1024]; /* DIR/<harness> */
} seed_writer;

static int write_seed_file(void *ctx, const char *seed_name, const void *data, size_t size) {
    const seed_writer *w = ctx;
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", w->dir, seed_name);
    FILE *f = fopen(path, "wb");
    int ok = f && (size == 0 || fwrite(data, 1, size, f) == size);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "fuzz_tool: cannot write %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static int make_dir(const char *path) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "fuzz_tool: cannot make %s: %s\n", path, strerror(errno));
    return -1;
}

static int write_seeds(const char *dir) {
    if (make_dir(dir) != 0)
        return 1;
    for (size_t i = 0; i < TARGET_COUNT; i++) {
        seed_writer w;
        snprintf(w.dir, sizeof w.dir, "%s/%s", dir, k_targets[i]->name);
        if (make_dir(w.dir) != 0 || k_targets[i]->write_seeds(write_seed_file, &w) != 0) {
            fprintf(stderr, "fuzz_tool: writing the %s seeds failed\n", k_targets[i]->name);
            return 1;
        }
    }
    return 0;
}

typedef struct seed_checker {
    const sc_fuzz_target *target;
    int seeds, refused;
} seed_checker;

static int check_seed(void *ctx, const char *seed_name, const void *data, size_t size) {
    seed_checker *c = ctx;
    c->seeds++;
    if (size > c->target->max_len)
        fprintf(stderr, "fuzz_tool: %s seed %s is %zu bytes, longer than the fuzzer's %zu\n",
                c->target->name, seed_name, size, c->target->max_len);
    else if (c->target->run(data, size))
        return 0;
    else
        fprintf(stderr, "fuzz_tool: %s seed %s was refused\n", c->target->name, seed_name);
    c->refused++;
    return 0;
}

static int check_seeds(void) {
    int failed = 0;
    for (size_t i = 0; i < TARGET_COUNT; i++) {
        seed_checker c = {k_targets[i], 0, 0};
        if (k_targets[i]->write_seeds(check_seed, &c) != 0 || c.seeds == 0 || c.refused > 0) {
            fprintf(stderr, "fuzz_tool: %s: %d seeds, %d refused\n", k_targets[i]->name, c.seeds,
                    c.refused);
            failed = 1;
            continue;
        }
        printf("%s: %d seeds accepted\n", k_targets[i]->name, c.seeds);
    }
    return failed;
}

/* ---- replay --------------------------------------------------------------------------------- */

static int replay_file(const sc_fuzz_target *t, const char *path) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    int ok = f != NULL;
    while (ok) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            unsigned char *grown = realloc(buf, cap);
            if (!grown) {
                ok = 0;
                break;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            ok = !ferror(f);
            break;
        }
    }
    if (f)
        fclose(f);
    if (!ok) {
        fprintf(stderr, "fuzz_tool: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    int accepted = t->run(buf, len);
    free(buf);
    printf("%s: %s (%s, %zu bytes)\n", t->name, path, accepted ? "accepted" : "refused", len);
    return 0;
}

static int replay(const char *dir) {
    DIR *top = opendir(dir);
    if (!top) {
        int missing = errno == ENOENT;
        if (missing)
            printf("%s: no kept inputs\n", dir);
        else
            fprintf(stderr, "fuzz_tool: cannot read %s: %s\n", dir, strerror(errno));
        return missing ? 0 : 1;
    }
    int failed = 0, files = 0;
    for (struct dirent *e; (e = readdir(top)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        const sc_fuzz_target *t = find_target(e->d_name);
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        DIR *d = t ? opendir(sub) : NULL;
        if (!d) {
            fprintf(stderr, "fuzz_tool: %s is not the directory of a harness\n", sub);
            failed = 1;
            continue;
        }
        for (struct dirent *k; (k = readdir(d)) != NULL;) {
            if (k->d_name[0] == '.')
                continue;
            char path[1300];
            snprintf(path, sizeof path, "%s/%s", sub, k->d_name);
            if (replay_file(t, path) != 0)
                failed = 1;
            files++;
        }
        closedir(d);
    }
    closedir(top);
    printf("%d kept inputs replayed\n", files);
    return failed;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < TARGET_COUNT; i++)
            printf("%s %zu\n", k_targets[i]->name, k_targets[i]->max_len);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "seeds") == 0)
        return write_seeds(argv[2]);
    if (argc == 2 && strcmp(argv[1], "check-seeds") == 0)
        return check_seeds();
    if (argc == 3 && strcmp(argv[1], "replay") == 0)
        return replay(argv[2]);
    fprintf(stderr, "usage: fuzz_tool list | seeds DIR | check-seeds | replay DIR\n");
    return 2;
}
