/* Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011), identical on CPU and GPU.
 *
 * Every random draw in the engine (weight init, data order, augmentation, SGT fills, SCAAT's
 * initial perturbation, SmoothGrad noise) is a pure function of a key (seed, step, purpose)
 * and an element index: there is no generator state to carry, so a run resumes exactly and
 * the CPU and CUDA backends produce bit-identical noise.
 *
 *   Philox counter = (block index low, block index high, step, purpose), Philox key = seed.
 *   Element i of a stream is word i % 4 of block i / 4 (sc_rng_u32), or, for normals, a
 *   Box-Muller transform of words 0 and 1 of block i (sc_rng_normal).
 *
 * The normal transform uses its own log and sin/cos built from + - * / and sqrt only (all
 * correctly rounded in IEEE-754), so glibc and CUDA's libm differences cannot leak in. */
#ifndef SC_RNG_H
#define SC_RNG_H

#include <math.h>
#include <stdint.h>

#include "hd.h"

/* What a random stream is for; part of the counter so streams never overlap. */
typedef enum sc_rng_purpose {
    SC_RNG_INIT = 1,     /* parameter initialisation (step = parameter index) */
    SC_RNG_SHUFFLE = 2,  /* data order (step = epoch) */
    SC_RNG_AUGMENT = 3,  /* crop offsets and flips (step = global step) */
    SC_RNG_FILL = 4,     /* SGT's masked-pixel fill values */
    SC_RNG_DELTA = 5,    /* initial adversarial perturbation */
    SC_RNG_NOISE = 6,    /* SmoothGrad / sensitivity noise */
    SC_RNG_METRIC = 7,   /* random subsets drawn by metrics */
    SC_RNG_TEST = 100    /* tests */
} sc_rng_purpose;

typedef struct sc_rng_key {
    uint64_t seed;
    uint32_t step;
    uint32_t purpose;
} sc_rng_key;

SC_HD static inline sc_rng_key sc_rng_key_make(uint64_t seed, uint32_t step, uint32_t purpose) {
    sc_rng_key k;
    k.seed = seed;
    k.step = step;
    k.purpose = purpose;
    return k;
}

SC_HD static inline uint32_t sc_mulhilo32(uint32_t a, uint32_t b, uint32_t *hi) {
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(p >> 32);
    return (uint32_t)p;
}

/* Philox-4x32 with 10 rounds: out = philox(ctr, key). */
SC_HD static inline void sc_philox4x32_10(const uint32_t ctr_in[4], const uint32_t key_in[2],
                                          uint32_t out[4]) {
    uint32_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
    uint32_t k0 = key_in[0], k1 = key_in[1];
    for (int round = 0; round < 10; round++) {
        uint32_t hi0, hi1;
        uint32_t lo0 = sc_mulhilo32(0xD2511F53u, c0, &hi0);
        uint32_t lo1 = sc_mulhilo32(0xCD9E8D57u, c2, &hi1);
        uint32_t n0 = hi1 ^ c1 ^ k0;
        uint32_t n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The four words of block `block` of the stream `key`. */
SC_HD static inline void sc_rng_block(sc_rng_key key, uint64_t block, uint32_t out[4]) {
    uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), key.step, key.purpose};
    uint32_t k[2] = {(uint32_t)key.seed, (uint32_t)(key.seed >> 32)};
    sc_philox4x32_10(ctr, k, out);
}

/* Element i of the stream as a 32-bit word. */
SC_HD static inline uint32_t sc_rng_u32(sc_rng_key key, uint64_t i) {
    uint32_t w[4];
    sc_rng_block(key, i >> 2, w);
    return w[i & 3];
}

/* A word mapped to [0, 1) with 24 random bits (exact in float). */
SC_HD static inline float sc_u32_to_unit(uint32_t w) {
    return (float)(w >> 8) * (1.0f / 16777216.0f);
}

/* Element i as a uniform float in [0, 1). */
SC_HD static inline float sc_rng_uniform(sc_rng_key key, uint64_t i) {
    return sc_u32_to_unit(sc_rng_u32(key, i));
}

/* Uniform integer in [0, n) for n > 0 (multiply-shift; bias below 2^-32 * n). */
SC_HD static inline uint32_t sc_rng_below(sc_rng_key key, uint64_t i, uint32_t n) {
    return (uint32_t)(((uint64_t)sc_rng_u32(key, i) * (uint64_t)n) >> 32);
}

/* ln(x) for finite x > 0, from basic operations only (relative error ~1e-7). */
SC_HD static inline float sc_portable_logf(float x) {
    int e;
    float m = frexpf(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678f) {
        m = m * 2.0f;
        e = e - 1;
    }
    float s = (m - 1.0f) / (m + 1.0f); /* |s| <= 0.1716 */
    float s2 = s * s;
    float p = 1.0f / 11.0f;
    p = p * s2;
    p = p + 1.0f / 9.0f;
    p = p * s2;
    p = p + 1.0f / 7.0f;
    p = p * s2;
    p = p + 1.0f / 5.0f;
    p = p * s2;
    p = p + 1.0f / 3.0f;
    p = p * s2;
    p = p + 1.0f;
    float log_m = 2.0f * s * p;
    return log_m + (float)e * 0.69314718f;
}

/* sin(2*pi*u) and cos(2*pi*u) for u in [0, 1), from basic operations only. */
SC_HD static inline void sc_portable_sincos_2pi(float u, float *sin_out, float *cos_out) {
    float t = u * 4.0f;
    int quadrant = (int)t;
    float a = (t - (float)quadrant) * 1.57079632679f; /* [0, pi/2) */
    float a2 = a * a;
    float sn = 1.0f - a2 * (1.0f / 156.0f);
    sn = 1.0f - a2 * (1.0f / 110.0f) * sn;
    sn = 1.0f - a2 * (1.0f / 72.0f) * sn;
    sn = 1.0f - a2 * (1.0f / 42.0f) * sn;
    sn = 1.0f - a2 * (1.0f / 20.0f) * sn;
    sn = 1.0f - a2 * (1.0f / 6.0f) * sn;
    sn = a * sn;
    float cs = 1.0f - a2 * (1.0f / 182.0f);
    cs = 1.0f - a2 * (1.0f / 132.0f) * cs;
    cs = 1.0f - a2 * (1.0f / 90.0f) * cs;
    cs = 1.0f - a2 * (1.0f / 56.0f) * cs;
    cs = 1.0f - a2 * (1.0f / 30.0f) * cs;
    cs = 1.0f - a2 * (1.0f / 12.0f) * cs;
    cs = 1.0f - a2 * (1.0f / 2.0f) * cs;
    switch (quadrant & 3) {
    case 0: *sin_out = sn; *cos_out = cs; break;
    case 1: *sin_out = cs; *cos_out = -sn; break;
    case 2: *sin_out = -sn; *cos_out = -cs; break;
    default: *sin_out = -cs; *cos_out = sn; break;
    }
}

/* Element i as a standard normal (Box-Muller on words 0 and 1 of block i). */
SC_HD static inline float sc_rng_normal(sc_rng_key key, uint64_t i) {
    uint32_t w[4];
    sc_rng_block(key, i, w);
    float u1 = (float)((w[0] >> 8) + 1u) * (1.0f / 16777216.0f); /* (0, 1] */
    float u2 = sc_u32_to_unit(w[1]);                              /* [0, 1) */
    float radius = sqrtf(-2.0f * sc_portable_logf(u1));
    float sn, cs;
    sc_portable_sincos_2pi(u2, &sn, &cs);
    return radius * cs;
}

#endif
