/* Assembly of one batch from the epoch order (see batch.h). */
#include "batch.h"

#include <stddef.h>

int64_t sc_batch_steps_per_epoch(int64_t count, int batch_size, int drop_last) {
    if (count <= 0 || batch_size <= 0)
        return 0;
    return drop_last ? count / batch_size : (count + batch_size - 1) / batch_size;
}

void sc_batch_shard(int n, int rank, int count, int *begin, int *end) {
    if (count <= 1) {
        *begin = 0;
        *end = n;
        return;
    }
    *begin = (int)((int64_t)n * rank / count);
    *end = (int)((int64_t)n * (rank + 1) / count);
}

int sc_batch_assemble(const sc_batch_source *src, int64_t step, uint64_t global_step,
                      float *images, int32_t *labels) {
    const sc_dataset *ds = src->ds;
    int64_t first = step * src->batch_size;
    if (step < 0 || first >= ds->count)
        return 0;
    int64_t left = ds->count - first;
    int n = left < src->batch_size ? (int)left : src->batch_size;
    int begin, end;
    sc_batch_shard(n, src->shard_rank, src->shard_count, &begin, &end);
    size_t image_bytes = (size_t)sc_dataset_image_bytes(ds);
    for (int b = begin; b < end; b++) {
        int32_t sample = src->order[first + b];
        sc_batch_write_sample(ds, &src->augment, src->norm, src->seed, global_step, b, sample,
                              images + (size_t)(b - begin) * image_bytes);
        labels[b - begin] = ds->labels[sample];
    }
    return end - begin;
}

void sc_batch_write_sample(const sc_dataset *ds, const sc_augment_config *augment,
                           const sc_normalizer *norm, uint64_t seed, uint64_t global_step,
                           int64_t position, int64_t index, float *dst) {
    size_t image_bytes = (size_t)sc_dataset_image_bytes(ds);
    sc_augment_draw draw = sc_augment_draw_sample(augment, seed, global_step, position);
    sc_augment_image(ds->images + (size_t)index * image_bytes, ds->height, ds->width,
                     augment->crop_padding, &draw, norm, dst);
}
