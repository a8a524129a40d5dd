/* Data-parallel pieces that need no second process: the gradient buckets (boundaries, sizes
 * not divisible by the bucket, a single bucket), the single-process identity of every
 * collective, the GPU each rank of a node picks, the default CPU threads of a rank
 * (sc_cpu_share), and the split batch-norm backward sync-BN uses (bn_bwd_sums + bn_bwd_apply):
 * equal to bn_train_bwd on one batch, equal to the whole batch's gradient when two halves
 * add their sums (what two ranks do), and checked against finite differences. The runs with
 * two MPI ranks are in test_dist_mpi.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/gradcheck.h"
#include "common/op_test.h"
#include "common/test_util.h"
#include "host/dist/cpu_share.h"
#include "host/dist/dist.h"
#include "host/dist/gradient_sync.h"
#include "tests/common/check_run.h"

/* Every float of [0, total) in exactly one bucket, the buckets listed from the end. */
static void expect_cover(int64_t total, int64_t bucket, int expected_count) {
    sc_dist_bucket b[128];
    int n = sc_dist_plan_buckets(total, bucket, b, 128);
    ck_assert_int_eq(n, expected_count);
    int64_t next_end = total;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(b[i].offset + b[i].count, next_end);
        ck_assert(b[i].count > 0 && b[i].count <= bucket);
        if (i < n - 1)
            ck_assert_int_eq(b[i].count, bucket);
        next_end = b[i].offset;
    }
    ck_assert_int_eq(next_end, 0);
}

START_TEST(test_bucket_plan) {
    expect_cover(10, 4, 3);  /* not divisible: 4, 4, then 2 at the start */
    expect_cover(8, 4, 2);   /* divisible: the boundary falls on a bucket edge */
    expect_cover(5, 100, 1); /* a single bucket bigger than the buffer */
    expect_cover(1, 1, 1);
    expect_cover(77754, 1000, 78);
    sc_dist_bucket b[2];
    ck_assert_int_eq(sc_dist_plan_buckets(0, 4, b, 2), 0);
    ck_assert_int_eq(sc_dist_plan_buckets(10, 0, b, 2), 0);
    /* the count is returned even when out holds fewer: the first ones are written */
    ck_assert_int_eq(sc_dist_plan_buckets(10, 4, b, 2), 3);
    ck_assert_int_eq(b[0].offset, 6);
    ck_assert_int_eq(b[1].offset, 2);
    ck_assert_int_eq(sc_dist_plan_buckets(10, 4, NULL, 0), 3);
}
END_TEST

/* Without a launcher a run is one process of rank 0 and every collective leaves its data. */
START_TEST(test_single_process) {
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    unsetenv("PMIX_SIZE");
    unsetenv("PMIX_RANK");
    unsetenv("SLURM_NTASKS");
    sc_dist d;
    sc_error err;
    ck_assert_int_eq(sc_dist_init(&d, &err), SC_OK);
    ck_assert_int_eq(d.rank, 0);
    ck_assert_int_eq(d.world_size, 1);
    ck_assert_int_eq(d.launched, 0);
    ck_assert_int_eq(d.local_size, 1);
    ck_assert(sc_dist_is_root(&d) && !sc_dist_active(&d));
    double v[3] = {1.5, -2.0, 3.25}, all[3];
    ck_assert_int_eq(sc_dist_sum(&d, v, 3, &err), SC_OK);
    ck_assert(v[0] == 1.5 && v[1] == -2.0 && v[2] == 3.25);
    ck_assert_int_eq(sc_dist_allgather(&d, v, 3, all, &err), SC_OK);
    ck_assert(memcmp(v, all, sizeof v) == 0);
    int flag = 0;
    ck_assert_int_eq(sc_dist_any(&d, &flag, &err), SC_OK);
    ck_assert_int_eq(flag, 0);
    float f[5] = {1, 2, 3, 4, 5};
    ck_assert_int_eq(sc_dist_sum_floats_start(&d, f, 5, &err), SC_OK);
    ck_assert_int_eq(sc_dist_sum_floats_wait(&d, &err), SC_OK);
    ck_assert(f[0] == 1 && f[4] == 5);
    sc_dist_finalize(&d);
}
END_TEST

/* The default CPU threads of a rank: the node's cores shared by its ranks, capped by the
 * rank's affinity mask, at least 1. */
START_TEST(test_cpu_share) {
    ck_assert_int_eq(sc_cpu_share(16, 16, 1), 16);  /* a plain run: every core */
    ck_assert_int_eq(sc_cpu_share(16, 0, 1), 16);   /* affinity unknown */
    ck_assert_int_eq(sc_cpu_share(16, 16, 4), 4);   /* mpirun --bind-to none, 4 ranks */
    ck_assert_int_eq(sc_cpu_share(16, 16, 3), 5);   /* rounded down */
    ck_assert_int_eq(sc_cpu_share(16, 8, 4), 4);    /* bound to a socket of 8 cores */
    ck_assert_int_eq(sc_cpu_share(16, 1, 2), 1);    /* bound to one core (mpirun -np 2) */
    ck_assert_int_eq(sc_cpu_share(96, 12, 8), 12);  /* srun --cpus-per-task=12 */
    ck_assert_int_eq(sc_cpu_share(64, 12, 4), 12);
    ck_assert_int_eq(sc_cpu_share(2, 2, 4), 1);     /* more ranks than cores */
    ck_assert_int_eq(sc_cpu_share(0, 0, 1), 1);     /* sysconf failed */
    ck_assert_int_eq(sc_cpu_share(-1, 4, 2), 1);
    /* this process: a plain run gets at most its online cores, at least 1 */
    ck_assert_int_ge(sc_dist_cpu_share(NULL), 1);
    ck_assert_int_le(sc_dist_cpu_share(NULL), (int)sysconf(_SC_NPROCESSORS_ONLN));
}
END_TEST

/* Rank 1 of a node picks its GPU from CUDA_VISIBLE_DEVICES (no MPI call involved). */
START_TEST(test_gpu_selection) {
    sc_dist d = {.rank = 3, .world_size = 4, .local_rank = 1};
    sc_error err;
    unsetenv("CUDA_VISIBLE_DEVICES");
    ck_assert_int_eq(sc_dist_select_gpu(&d, &err), SC_OK);
    ck_assert_str_eq(getenv("CUDA_VISIBLE_DEVICES"), "1");
    setenv("CUDA_VISIBLE_DEVICES", "4,6,GPU-abc", 1);
    ck_assert_int_eq(sc_dist_select_gpu(&d, &err), SC_OK);
    ck_assert_str_eq(getenv("CUDA_VISIBLE_DEVICES"), "6");
    setenv("CUDA_VISIBLE_DEVICES", "7", 1); /* one device per task: left alone */
    ck_assert_int_eq(sc_dist_select_gpu(&d, &err), SC_OK);
    ck_assert_str_eq(getenv("CUDA_VISIBLE_DEVICES"), "7");
    unsetenv("CUDA_VISIBLE_DEVICES");
    d.world_size = 1; /* a single process changes nothing */
    ck_assert_int_eq(sc_dist_select_gpu(&d, &err), SC_OK);
    ck_assert_ptr_null(getenv("CUDA_VISIBLE_DEVICES"));
}
END_TEST

/* A BN fixture on the CPU backend: x, dy (N, C, H, W), gamma (C) and the batch statistics
 * of x from bn_train_fwd. */
typedef struct bn_case {
    sc_backend *be;
    int n, c, h, w;
    float *x, *dy, *y, *gamma, *beta, *mean, *invstd, *rm, *rv, *sums;
} bn_case;

static size_t big(const bn_case *b) { return (size_t)b->n * b->c * b->h * b->w; }

static sc_tensor t4(const bn_case *b, float *data, int n) {
    return sc_tensor_4d(data, SC_F32, n, b->c, b->h, b->w);
}

static sc_tensor t1(const bn_case *b, float *data) { return sc_tensor_1d(data, SC_F32, b->c); }

static sc_status bn_stats(void *ctx, float *out) {
    bn_case *b = ctx;
    sc_bn_params p = {1e-5f, 0.0f};
    sc_tensor x = t4(b, b->x, b->n), y = t4(b, out, b->n);
    sc_tensor g = t1(b, b->gamma), be = t1(b, b->beta), rm = t1(b, b->rm), rv = t1(b, b->rv);
    sc_tensor m = t1(b, b->mean), s = t1(b, b->invstd);
    return b->be->ops->bn_train_fwd(b->be, &p, &x, &g, &be, &rm, &rv, &m, &s, &y);
}

static void bn_case_init(bn_case *b, int n, int c, int h, int w) {
    memset(b, 0, sizeof *b);
    sc_error err;
    ck_assert_int_eq(sc_test_cpu_backend(1, &b->be, &err), SC_OK);
    b->n = n, b->c = c, b->h = h, b->w = w;
    b->x = malloc(big(b) * sizeof(float));
    b->dy = malloc(big(b) * sizeof(float));
    b->y = malloc(big(b) * sizeof(float));
    float **vec[] = {&b->gamma, &b->beta, &b->mean, &b->invstd, &b->rm, &b->rv};
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++)
        *vec[i] = calloc((size_t)c, sizeof(float));
    b->sums = calloc(2 * (size_t)c, sizeof(float));
    sc_test_fill_uniform(b->x, big(b), 11, -1.0f, 2.0f);
    sc_test_fill_uniform(b->dy, big(b), 12, -1.0f, 1.0f);
    sc_test_fill_uniform(b->gamma, (size_t)c, 13, 0.5f, 1.5f);
    ck_assert_int_eq(bn_stats(b, b->y), SC_OK);
}

static void bn_case_free(bn_case *b) {
    float *all[] = {b->x, b->dy, b->y, b->gamma, b->beta, b->mean, b->invstd, b->rm, b->rv, b->sums};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    sc_backend_destroy(b->be);
}

/* The split backward of rows [row, row + rows) with the given sums and count. */
static sc_status split_sums(bn_case *b, int row, int rows, float *sums) {
    size_t off = (size_t)row * b->c * b->h * b->w;
    sc_tensor x = t4(b, b->x + off, rows), dy = t4(b, b->dy + off, rows);
    sc_tensor m = t1(b, b->mean), s = t1(b, b->invstd);
    sc_tensor st = sc_tensor_2d(sums, SC_F32, 2, b->c);
    return b->be->ops->bn_bwd_sums(b->be, &x, &dy, &m, &s, &st);
}

static sc_status split_apply(bn_case *b, int row, int rows, const float *sums, double count,
                             float *dx, int accumulate) {
    size_t off = (size_t)row * b->c * b->h * b->w;
    sc_tensor x = t4(b, b->x + off, rows), dy = t4(b, b->dy + off, rows);
    sc_tensor out = t4(b, dx + off, rows);
    sc_tensor g = t1(b, b->gamma), m = t1(b, b->mean), s = t1(b, b->invstd);
    sc_tensor st = sc_tensor_2d((float *)sums, SC_F32, 2, b->c);
    return b->be->ops->bn_bwd_apply(b->be, count, &x, &dy, &g, &m, &s, &st, &out, accumulate);
}

START_TEST(test_split_matches_train_bwd) {
    bn_case b;
    bn_case_init(&b, 4, 3, 5, 6);
    size_t n = big(&b);
    float *dx_ref = calloc(n, sizeof(float)), *dx = calloc(n, sizeof(float));
    float *dgamma = calloc(3, sizeof(float)), *dbeta = calloc(3, sizeof(float));
    sc_bn_params p = {1e-5f, 0.0f};
    sc_tensor x = t4(&b, b.x, b.n), dy = t4(&b, b.dy, b.n), dxr = t4(&b, dx_ref, b.n);
    sc_tensor g = t1(&b, b.gamma), m = t1(&b, b.mean), s = t1(&b, b.invstd);
    sc_tensor dg = t1(&b, dgamma), db = t1(&b, dbeta);
    ck_assert_int_eq(b.be->ops->bn_train_bwd(b.be, &p, &x, &dy, &g, &m, &s, &dxr, &dg, &db, 0),
                     SC_OK);
    ck_assert_int_eq(split_sums(&b, 0, b.n, b.sums), SC_OK);
    ck_assert_int_eq(split_apply(&b, 0, b.n, b.sums, (double)b.n * b.h * b.w, dx, 0), SC_OK);
    ck_assert_msg(sc_test_max_rel_err(dx, dx_ref, n, 1e-3) < 1e-5, "dx differs from bn_train_bwd");
    ck_assert_msg(sc_test_max_rel_err(b.sums, dbeta, 3, 1e-3) < 1e-6, "sum dy is not dbeta");
    ck_assert_msg(sc_test_max_rel_err(b.sums + 3, dgamma, 3, 1e-3) < 1e-6,
                  "sum dy xhat is not dgamma");
    /* accumulate adds the same gradient on top */
    ck_assert_int_eq(split_apply(&b, 0, b.n, b.sums, (double)b.n * b.h * b.w, dx, 1), SC_OK);
    for (size_t i = 0; i < n; i++)
        dx_ref[i] *= 2.0f;
    ck_assert(sc_test_max_rel_err(dx, dx_ref, n, 1e-3) < 1e-5);
    free(dx_ref), free(dx), free(dgamma), free(dbeta);
    bn_case_free(&b);
}
END_TEST

/* Two ranks' halves of one batch: the halves' sums added and the whole count give each half
 * exactly its part of the whole batch's gradient. */
START_TEST(test_split_two_halves) {
    bn_case b;
    bn_case_init(&b, 6, 4, 3, 3);
    size_t n = big(&b);
    float *dx_whole = calloc(n, sizeof(float)), *dx_halves = calloc(n, sizeof(float));
    float lo[8], hi[8], total[8];
    double count = (double)b.n * b.h * b.w;
    ck_assert_int_eq(split_sums(&b, 0, b.n, b.sums), SC_OK);
    ck_assert_int_eq(split_apply(&b, 0, b.n, b.sums, count, dx_whole, 0), SC_OK);
    ck_assert_int_eq(split_sums(&b, 0, 3, lo), SC_OK);
    ck_assert_int_eq(split_sums(&b, 3, 3, hi), SC_OK);
    for (int i = 0; i < 8; i++)
        total[i] = lo[i] + hi[i];
    ck_assert(sc_test_max_rel_err(total, b.sums, 8, 1e-3) < 1e-5);
    ck_assert_int_eq(split_apply(&b, 0, 3, total, count, dx_halves, 0), SC_OK);
    ck_assert_int_eq(split_apply(&b, 3, 3, total, count, dx_halves, 0), SC_OK);
    ck_assert_msg(sc_test_max_rel_err(dx_halves, dx_whole, n, 1e-3) < 1e-5,
                  "halves with global sums differ from the whole batch");
    /* a wrong sums shape and a zero count are refused with a message */
    float small[3];
    sc_tensor bad = sc_tensor_1d(small, SC_F32, 3);
    sc_tensor x = t4(&b, b.x, b.n), dy = t4(&b, b.dy, b.n);
    sc_tensor m = t1(&b, b.mean), s = t1(&b, b.invstd);
    ck_assert_int_eq(b.be->ops->bn_bwd_sums(b.be, &x, &dy, &m, &s, &bad), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(b.be->err.msg, "sums"));
    ck_assert_int_ne(split_apply(&b, 0, b.n, b.sums, 0.0, dx_halves, 0), SC_OK);
    free(dx_whole), free(dx_halves);
    bn_case_free(&b);
}
END_TEST

/* The split backward against central differences of the training forward. */
START_TEST(test_split_finite_differences) {
    bn_case b;
    bn_case_init(&b, 3, 2, 4, 4);
    size_t n = big(&b);
    float *dx = calloc(n, sizeof(float));
    ck_assert_int_eq(split_sums(&b, 0, b.n, b.sums), SC_OK);
    ck_assert_int_eq(split_apply(&b, 0, b.n, b.sums, (double)b.n * b.h * b.w, dx, 0), SC_OK);
    sc_gradcheck_opts opts = sc_gradcheck_opts_default();
    sc_gradcheck_result res;
    sc_error err;
    ck_assert_int_eq(sc_gradcheck_run(bn_stats, &b, b.x, n, n, b.dy, dx, &opts, &res, &err),
                     SC_OK);
    char text[256];
    ck_assert_msg(res.max_err < 2e-3, "split BN backward: %s",
                  sc_gradcheck_describe(&res, text, sizeof text));
    free(dx);
    bn_case_free(&b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("dist");
    tcase_add_test(tc, test_bucket_plan);
    tcase_add_test(tc, test_single_process);
    tcase_add_test(tc, test_gpu_selection);
    tcase_add_test(tc, test_cpu_share);
    tcase_add_test(tc, test_split_matches_train_bwd);
    tcase_add_test(tc, test_split_two_halves);
    tcase_add_test(tc, test_split_finite_differences);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
