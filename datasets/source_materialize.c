/* Samples of a source stored as an in-memory dataset (see sc_source_materialize in source.h):
 * the loader writes them in dataset order, the caller's thread rounds them to 8 bits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "class_names.h"
#include "loader.h"
#include "source.h"

static uint8_t to_pixel(float x, float mean, float std) {
    float p = roundf((x * std + mean) * 255.0f);
    return (uint8_t)(p < 0.0f ? 0.0f : p > 255.0f ? 255.0f : p);
}

static void store_batch(const sc_batch *b, const sc_source *src, int64_t first, sc_dataset *ds) {
    size_t plane = (size_t)b->height * b->width;
    for (int n = 0; n < b->n; n++) {
        int64_t index = first + n;
        for (int c = 0; c < b->channels; c++) {
            const float *x = b->images + ((size_t)n * b->channels + c) * plane; /* (H, W) */
            uint8_t *p = ds->images + ((size_t)index * b->channels + c) * plane;
            for (size_t i = 0; i < plane; i++)
                p[i] = to_pixel(x[i], src->mean[c], src->std[c]);
        }
        ds->labels[index] = b->labels[n];
    }
}

sc_status sc_source_materialize(const sc_source *src, int64_t count, int workers,
                                sc_dataset *out, sc_error *err) {
    memset(out, 0, sizeof *out);
    if (count <= 0 || count > src->count)
        count = src->count;
    SC_TRY(sc_dataset_alloc(out, src->name, count, src->channels, src->height, src->width,
                            src->num_classes, err));
    memcpy(out->mean, src->mean, sizeof out->mean);
    memcpy(out->std, src->std, sizeof out->std);
    if (src->class_names) {
        size_t bytes = 1;
        for (int c = 0; c < src->num_classes; c++)
            bytes += strlen(src->class_names[c]) + 1;
        out->class_names = malloc(bytes);
        if (!out->class_names || sc_class_names_join(src->class_names, src->num_classes,
                                                     out->class_names, bytes) != 0) {
            free(out->class_names); /* names holding a newline: the class numbers instead */
            out->class_names = NULL;
        }
    }
    sc_loader_config lc;
    memset(&lc, 0, sizeof lc);
    lc.batch_size = 32;
    lc.workers = workers;
    lc.queue_depth = 4;
    sc_loader *loader = NULL;
    sc_source limited = *src; /* the same reader, fewer samples */
    limited.count = count;
    sc_status st = sc_loader_open_source(&loader, &limited, &lc, err);
    if (st == SC_OK)
        st = sc_loader_start_epoch(loader, 0, 0, 0, err);
    sc_batch b;
    int64_t first = 0;
    while (st == SC_OK && sc_loader_next(loader, &b)) {
        store_batch(&b, src, first, out);
        first += b.n;
    }
    if (st == SC_OK)
        st = sc_loader_status(loader, err);
    sc_loader_close(loader);
    if (st != SC_OK)
        sc_dataset_free(out);
    return st;
}
