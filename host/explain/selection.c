/* Selections of test images and their normalised host batches (see selection.h). */
#include "selection.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/augment.h"

/* Number of comma-separated entries of a list ("0,5,9" -> 3). */
static int64_t count_entries(const char *list) {
    int64_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

static sc_status parse_indices(const sc_dataset *ds, const char *list, sc_selection *out,
                               sc_error *err) {
    int64_t n = count_entries(list);
    out->indices = malloc((size_t)n * sizeof *out->indices);
    if (!out->indices)
        return sc_fail(err, SC_ERR_OOM, "no host memory for %lld indices", (long long)n);
    const char *p = list;
    for (int64_t i = 0; i < n; i++) {
        char *end = NULL;
        errno = 0;
        long long v = (*p >= '0' && *p <= '9') ? strtoll(p, &end, 10) : -1;
        if (v < 0 || errno != 0 || (*end != ',' && *end != '\0')) {
            sc_selection_free(out);
            return sc_fail(err, SC_ERR_USAGE, "--indices: '%s' is not a comma-separated list of "
                           "image indices (e.g. 0,5,9)", list);
        }
        if (v >= ds->count) {
            sc_selection_free(out);
            return sc_fail(err, SC_ERR_USAGE, "--indices: index %lld is out of range (the %s test "
                           "split has %lld images, indices 0..%lld)", v, ds->name,
                           (long long)ds->count, (long long)ds->count - 1);
        }
        out->indices[i] = v;
        p = end + (*end == ',');
    }
    out->count = n;
    return SC_OK;
}

sc_status sc_selection_make(const sc_dataset *ds, const char *indices_or_null, int64_t limit,
                            sc_selection *out, sc_error *err) {
    memset(out, 0, sizeof *out);
    if (indices_or_null)
        return parse_indices(ds, indices_or_null, out, err);
    if (limit < 0)
        return sc_fail(err, SC_ERR_USAGE, "--limit must be at least 1, got %lld", (long long)limit);
    int64_t n = (limit == 0 || limit > ds->count) ? ds->count : limit;
    if (n == 0)
        return sc_fail(err, SC_ERR_USAGE, "the %s test split holds no image to select", ds->name);
    out->indices = malloc((size_t)n * sizeof *out->indices);
    if (!out->indices)
        return sc_fail(err, SC_ERR_OOM, "no host memory for %lld indices", (long long)n);
    for (int64_t i = 0; i < n; i++)
        out->indices[i] = i;
    out->count = n;
    return SC_OK;
}

void sc_selection_free(sc_selection *s) {
    free(s->indices);
    s->indices = NULL;
    s->count = 0;
}

sc_status sc_selection_batch(const sc_dataset *ds, const sc_selection *s, int64_t first, int n,
                             float *images, int32_t *labels, sc_error *err) {
    if (first < 0 || n < 0 || first + n > s->count)
        return sc_fail(err, SC_ERR_INTERNAL, "selection batch [%lld, %lld) outside the %lld "
                       "selected images", (long long)first, (long long)first + n,
                       (long long)s->count);
    sc_normalizer norm;
    sc_normalizer_init(&norm, ds->channels, ds->mean, ds->std);
    const sc_augment_draw identity = {0, 0, 0};
    int64_t image_bytes = sc_dataset_image_bytes(ds);
    for (int i = 0; i < n; i++) {
        int64_t index = s->indices[first + i];
        sc_augment_image(ds->images + index * image_bytes, ds->height, ds->width, 0, &identity,
                         &norm, images + (size_t)i * (size_t)image_bytes);
        labels[i] = ds->labels[index];
    }
    return SC_OK;
}
