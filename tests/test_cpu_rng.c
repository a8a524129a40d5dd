/* Random numbers: Philox-4x32-10 against the Random123 known-answer vectors, the CPU
 * backend's uniform and normal fills (exact mapping, independence from the thread count,
 * moments of the normal), and the portable log / sin / cos of rng.h against libm. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/core/rng.h"
#include "tests/common/check_ops.h"
#include "tests/common/check_run.h"

/* Random123's kat_vectors for philox4x32_10: counter, key, expected output. */
static const uint32_t philox_kat[3][10] = {
    {0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
     0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
    {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
     0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
    {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
     0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u},
};

START_TEST(test_philox_known_answers) {
    for (int v = 0; v < 3; v++) {
        uint32_t out[4];
        sc_philox4x32_10(philox_kat[v], philox_kat[v] + 4, out);
        for (int j = 0; j < 4; j++)
            ck_assert_msg(out[j] == philox_kat[v][6 + j], "vector %d word %d: %08x, expected %08x",
                          v, j, out[j], philox_kat[v][6 + j]);
        /* the same block through the stream API: counter = (block lo, block hi, step, purpose) */
        sc_rng_key key = sc_rng_key_make((uint64_t)philox_kat[v][5] << 32 | philox_kat[v][4],
                                         philox_kat[v][2], philox_kat[v][3]);
        uint64_t block = (uint64_t)philox_kat[v][1] << 32 | philox_kat[v][0];
        uint32_t words[4];
        sc_rng_block(key, block, words);
        ck_assert(memcmp(words, out, sizeof words) == 0);
    }
}
END_TEST

START_TEST(test_uniform_fill) {
    sc_backend *be = sc_check_cpu(2);
    /* key 0 block 0 is the first known-answer vector: element j = (word j >> 8) / 2^24 */
    float first[4];
    sc_tensor t4 = sc_tensor_1d(first, SC_F32, 4);
    ck_assert_int_eq(be->ops->rng_uniform(be, sc_rng_key_make(0, 0, 0), 0.0f, 1.0f, &t4), SC_OK);
    for (int j = 0; j < 4; j++)
        ck_assert_float_eq(first[j], (float)(philox_kat[0][6 + j] >> 8) / 16777216.0f);

    /* a large fill (parallel) maps every element exactly and stays in [lo, hi) */
    const int64_t n = 100003;
    float *out = malloc((size_t)n * sizeof(float)), *again = malloc((size_t)n * sizeof(float));
    ck_assert(out && again);
    sc_tensor t = sc_tensor_1d(out, SC_F32, n), t_again = sc_tensor_1d(again, SC_F32, n);
    sc_rng_key key = sc_rng_key_make(1234567, 89, SC_RNG_FILL);
    ck_assert_int_eq(be->ops->rng_uniform(be, key, -2.0f, 3.0f, &t), SC_OK);
    for (int64_t i = 0; i < n; i++) {
        ck_assert(out[i] == -2.0f + 5.0f * sc_rng_uniform(key, (uint64_t)i));
        ck_assert(out[i] >= -2.0f && out[i] < 3.0f);
    }
    sc_backend *single = sc_check_cpu(1);
    ck_assert_int_eq(single->ops->rng_uniform(single, key, -2.0f, 3.0f, &t_again), SC_OK);
    ck_assert(memcmp(out, again, (size_t)n * sizeof(float)) == 0);
    free(out);
    free(again);
    sc_backend_destroy(single);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_normal_fill_moments) {
    sc_backend *be = sc_check_cpu(2);
    const int64_t n = 100000;
    float *out = malloc((size_t)n * sizeof(float));
    ck_assert_ptr_nonnull(out);
    sc_tensor t = sc_tensor_1d(out, SC_F32, n);
    sc_rng_key key = sc_rng_key_make(42, 7, SC_RNG_NOISE);
    ck_assert_int_eq(be->ops->rng_normal(be, key, 3.0f, 2.0f, &t), SC_OK);
    double sum = 0.0, sq = 0.0;
    int64_t within_one_std = 0;
    for (int64_t i = 0; i < n; i++) {
        ck_assert(out[i] == 3.0f + 2.0f * sc_rng_normal(key, (uint64_t)i));
        ck_assert(isfinite(out[i]));
        sum += out[i];
        within_one_std += fabs(out[i] - 3.0) <= 2.0;
    }
    double mean = sum / (double)n;
    for (int64_t i = 0; i < n; i++)
        sq += (out[i] - mean) * (out[i] - mean);
    double std = sqrt(sq / (double)(n - 1));
    /* standard errors: mean 2 / sqrt(n) = 0.0063, std ~ 2 / sqrt(2n) = 0.0045 */
    ck_assert_msg(fabs(mean - 3.0) < 0.03, "mean %g", mean);
    ck_assert_msg(fabs(std - 2.0) < 0.02, "std %g", std);
    double fraction = (double)within_one_std / (double)n; /* 0.6827 for a normal; se 0.0015 */
    ck_assert_msg(fabs(fraction - 0.6827) < 0.008, "fraction within one std %g", fraction);
    free(out);
    sc_backend_destroy(be);
}
END_TEST

START_TEST(test_portable_math_against_libm) {
    /* log over the whole range the normal transform uses: (k + 1) / 2^24, plus a sweep */
    double worst_log = 0.0;
    for (uint32_t k = 0; k < (1u << 24); k += 97) {
        float u = (float)(k + 1) * (1.0f / 16777216.0f);
        double ref = log((double)u);
        double err = fabs((double)sc_portable_logf(u) - ref) / fmax(1.0, fabs(ref));
        worst_log = fmax(worst_log, err);
    }
    for (float x = 1e-30f; x < 1e30f; x *= 1.37f) {
        double ref = log((double)x);
        worst_log = fmax(worst_log, fabs((double)sc_portable_logf(x) - ref) / fmax(1.0, fabs(ref)));
    }
    ck_assert_msg(worst_log <= 1e-6, "portable log: worst error %g", worst_log);

    double worst_trig = 0.0;
    for (uint32_t k = 0; k < (1u << 24); k += 61) {
        float u = (float)k * (1.0f / 16777216.0f);
        float sn, cs;
        sc_portable_sincos_2pi(u, &sn, &cs);
        double angle = 6.283185307179586 * (double)u;
        worst_trig = fmax(worst_trig, fabs((double)sn - sin(angle)));
        worst_trig = fmax(worst_trig, fabs((double)cs - cos(angle)));
    }
    ck_assert_msg(worst_trig <= 1e-6, "portable sincos: worst error %g", worst_trig);
}
END_TEST

static Suite *rng_suite(void) {
    Suite *s = suite_create("cpu_rng");
    TCase *tc = tcase_create("philox");
    tcase_add_test(tc, test_philox_known_answers);
    tcase_add_test(tc, test_uniform_fill);
    tcase_add_test(tc, test_normal_fill_moments);
    tcase_add_test(tc, test_portable_math_against_libm);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(rng_suite());
}
