/* The data-check walk (see data_check.h): workers claim samples in blocks from a shared
 * counter, decode each, and record its size or its failure. */
#include "data_check.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/log.h"
#include "imagefolder.h"

#define CHECK_BLOCK 16 /* samples claimed at a time */

typedef struct check_pool {
    const sc_source *src;
    const sc_folder_index *folder; /* image folders: decode in full; NULL: read_sample */
    sc_data_check_result *r;
    int64_t bad_index[SC_DATA_CHECK_NAMED_BAD];
    pthread_mutex_t mutex; /* guards next, r->bad, r->bad_lines, bad_index, failure */
    int64_t next;
    int failed;
    sc_error failure;
} check_pool;

/* Keep the messages of the lowest-indexed bad samples. */
static void note_bad(check_pool *p, int64_t index, const sc_error *why) {
    pthread_mutex_lock(&p->mutex);
    sc_data_check_result *r = p->r;
    r->bad++;
    int slot = r->named_bad;
    if (slot == SC_DATA_CHECK_NAMED_BAD) { /* replace the highest index if this one is lower */
        slot = 0;
        for (int i = 1; i < SC_DATA_CHECK_NAMED_BAD; i++)
            if (p->bad_index[i] > p->bad_index[slot])
                slot = i;
        if (p->bad_index[slot] < index)
            slot = -1;
    } else {
        r->named_bad++;
    }
    if (slot >= 0) {
        p->bad_index[slot] = index;
        memcpy(r->bad_lines[slot], why->msg, sizeof r->bad_lines[slot]);
    }
    pthread_mutex_unlock(&p->mutex);
}

typedef struct check_scratch {
    uint8_t *file;
    size_t capacity;
    sc_image image;
    float *sample; /* (C, H, W) for read_sample */
    void *source_scratch;
} check_scratch;

static sc_status check_one(check_pool *p, check_scratch *s, int64_t i, sc_error *err) {
    const sc_source *src = p->src;
    if (!p->folder) {
        sc_sample_request req = {i, 0, 0, 0, 0};
        return src->ops->read_sample(src, s->source_scratch, &req, s->sample, err);
    }
    char path[2048];
    sc_folder_index_path(p->folder, i, path, sizeof path);
    size_t bytes = 0;
    SC_TRY(sc_imagefolder_read_file(path, &s->file, &s->capacity, &bytes, err));
    sc_image_format format;
    int height, width;
    SC_TRY(sc_image_probe(s->file, bytes, path, &format, &height, &width, err));
    sc_status st = sc_image_decode(s->file, bytes, path, sc_imagefolder_decode_options(src),
                                   &s->image, err);
    if (st != SC_OK)
        return st;
    p->r->widths[i] = width; /* each index is written by one worker only */
    p->r->heights[i] = height;
    return SC_OK;
}

static void *check_worker(void *arg) {
    check_pool *p = arg;
    const sc_source *src = p->src;
    check_scratch s;
    memset(&s, 0, sizeof s);
    sc_error err = {0};
    sc_status st = src->ops->scratch_create(src, &s.source_scratch, &err);
    s.sample = malloc((size_t)src->channels * src->height * src->width * sizeof(float));
    if (st == SC_OK && !s.sample)
        st = sc_fail(&err, SC_ERR_OOM, "data-check: cannot allocate a sample");
    for (;;) {
        pthread_mutex_lock(&p->mutex);
        if (st != SC_OK && !p->failed) {
            p->failed = 1;
            p->failure = err;
        }
        int64_t first = p->failed ? src->count : p->next;
        p->next = first + CHECK_BLOCK;
        pthread_mutex_unlock(&p->mutex);
        if (first >= src->count)
            break;
        int64_t end = first + CHECK_BLOCK < src->count ? first + CHECK_BLOCK : src->count;
        for (int64_t i = first; i < end && st == SC_OK; i++) {
            sc_status one = check_one(p, &s, i, &err);
            if (one == SC_ERR_FORMAT || one == SC_ERR_IO || one == SC_ERR_UNSUPPORTED)
                note_bad(p, i, &err);
            else if (one != SC_OK)
                st = one;
            else
                __atomic_fetch_add(&p->r->class_counts[src->labels[i]], 1, __ATOMIC_RELAXED);
        }
    }
    free(s.file);
    free(s.sample);
    sc_image_free(&s.image);
    if (s.source_scratch)
        src->ops->scratch_free(s.source_scratch);
    return NULL;
}

/* The named bad samples in index order. */
static void sort_bad_lines(check_pool *p) {
    sc_data_check_result *r = p->r;
    for (int i = 1; i < r->named_bad; i++)
        for (int j = i; j > 0 && p->bad_index[j - 1] > p->bad_index[j]; j--) {
            int64_t index = p->bad_index[j];
            p->bad_index[j] = p->bad_index[j - 1];
            p->bad_index[j - 1] = index;
            char line[SC_ERROR_MSG_LEN];
            memcpy(line, r->bad_lines[j], sizeof line);
            memcpy(r->bad_lines[j], r->bad_lines[j - 1], sizeof line);
            memcpy(r->bad_lines[j - 1], line, sizeof line);
        }
}

sc_status sc_data_check_run(const sc_source *src, int workers, sc_data_check_result *r,
                            sc_error *err) {
    memset(r, 0, sizeof *r);
    r->count = src->count;
    r->class_counts = calloc((size_t)src->num_classes, sizeof *r->class_counts);
    r->widths = calloc((size_t)src->count, sizeof *r->widths);
    r->heights = calloc((size_t)src->count, sizeof *r->heights);
    pthread_t *threads = calloc((size_t)workers, sizeof *threads);
    if (!r->class_counts || !r->widths || !r->heights || !threads) {
        free(threads);
        sc_data_check_free(r);
        return sc_fail(err, SC_ERR_OOM, "data-check: cannot allocate the results of %lld "
                       "samples", (long long)src->count);
    }
    check_pool p;
    memset(&p, 0, sizeof p);
    p.src = src;
    p.folder = sc_imagefolder_index_of(src);
    p.r = r;
    pthread_mutex_init(&p.mutex, NULL);
    double start = sc_now_seconds();
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int started = 0;
    while (started < workers && pthread_create(&threads[started], NULL, check_worker, &p) == 0)
        started++;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (started == 0)
        check_worker(&p); /* no thread could start: walk on this one */
    for (int w = 0; w < started; w++)
        pthread_join(threads[w], NULL);
    r->seconds = sc_now_seconds() - start;
    sort_bad_lines(&p);
    free(threads);
    pthread_mutex_destroy(&p.mutex);
    if (p.failed) {
        sc_data_check_free(r);
        if (err)
            *err = p.failure;
        return p.failure.code;
    }
    return SC_OK;
}

static int compare_int32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void sc_data_check_sizes(const sc_data_check_result *r, int which, int32_t *min, int32_t *median,
                         int32_t *max) {
    const int32_t *all = which == 0 ? r->widths : r->heights;
    int32_t *good = malloc((size_t)(r->count > 0 ? r->count : 1) * sizeof *good);
    int64_t n = 0;
    for (int64_t i = 0; good && i < r->count; i++)
        if (all[i] > 0)
            good[n++] = all[i];
    *min = *median = *max = 0;
    if (n > 0) {
        qsort(good, (size_t)n, sizeof *good, compare_int32);
        *min = good[0];
        *median = good[(n - 1) / 2];
        *max = good[n - 1];
    }
    free(good);
}

void sc_data_check_free(sc_data_check_result *r) {
    free(r->class_counts);
    free(r->widths);
    free(r->heights);
    memset(r, 0, sizeof *r);
}
