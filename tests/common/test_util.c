/* Helpers shared by the tests (see test_util.h). */
#include "test_util.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/core/fileio.h"
#include "host/core/json.h"
#include "host/core/rng.h"

char *sc_test_tmpdir(const char *tag, char *buf, size_t len) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(buf, len, "%s/scaat-test-%s-XXXXXX", base, tag);
    return mkdtemp(buf);
}

void sc_test_rmtree(const char *path) {
    if (!path || strncmp(path, "/", 1) != 0 || strstr(path, "scaat-test-") == NULL)
        return; /* refuse anything that is not one of our scratch directories */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

int sc_test_dir_entries(const char *dir, char *names, size_t len) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    names[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        strncat(names, e->d_name, len - strlen(names) - 2);
        strcat(names, " ");
    }
    closedir(d);
    return n;
}

void sc_test_fill_uniform(float *x, size_t n, uint64_t seed, float lo, float hi) {
    sc_rng_key key = sc_rng_key_make(seed, 0, SC_RNG_TEST);
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * sc_rng_uniform(key, i);
}

double sc_test_max_rel_err(const float *a, const float *b, size_t n, double floor) {
    double scale = floor;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)b[i]) > scale)
            scale = fabs((double)b[i]);
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d))
            return INFINITY; /* a NaN never passes */
        if (d > worst)
            worst = d;
    }
    return worst / scale;
}

size_t sc_test_count_nonfinite(const float *x, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            bad++;
    return bad;
}

double sc_test_json_number(const char *path, const char *key) {
    char *text = NULL;
    size_t len = 0;
    sc_error err;
    double value = NAN;
    if (sc_file_read_all(path, 1 << 24, &text, &len, &err) != SC_OK)
        return NAN;
    sc_json_doc doc;
    if (sc_json_parse(&doc, text, len, path, &err) == SC_OK) {
        if (!sc_json_get_double(sc_json_object_get(doc.root, key), &value))
            value = NAN;
        sc_json_doc_free(&doc);
    }
    free(text);
    return value;
}

const char *sc_test_source_path(const char *rel, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", SCAAT_SOURCE_DIR, rel);
    return buf;
}
