/* Paired tensors for backend parity tests: every tensor lives on a reference backend and on the
 * backend under test with the same initial contents, framed by GUARD sentinel elements on both
 * sides. After the op ran on both, sc_parity_verify checks that no guard changed (no write
 * outside a tensor; a read outside one pulls in NaN), that inputs came back bit-unchanged, and
 * that every F32 output is finite and within its limit of the reference, measured as
 * max |tested - reference| / max |reference| (never below SC_PARITY_ERR_FLOOR); an output
 * marked nan_expected may hold NaN exactly where the reference does. I32 outputs must equal
 * the reference element for element. */
#ifndef SC_TEST_BACKEND_PARITY_H
#define SC_TEST_BACKEND_PARITY_H

#include <stdint.h>

#include "host/backend/backend.h"

#define SC_PARITY_GUARD       64          /* sentinel elements before and after every tensor */
#define SC_PARITY_GUARD_BITS  0xFFC5A5A5u /* a quiet NaN with a recognisable payload */
#define SC_PARITY_MAX_TENSORS 12
#define SC_PARITY_ERR_FLOOR   1e-6
#define SC_PARITY_REF         0 /* index of the reference backend */
#define SC_PARITY_TESTED      1 /* index of the backend under test */

typedef enum sc_parity_role { SC_PARITY_INPUT, SC_PARITY_OUTPUT } sc_parity_role;

/* One tensor on both backends. t[side] is the tensor an op is given on that side. */
typedef struct sc_parity_tensor {
    const char *name;
    sc_parity_role role;
    sc_dtype dtype;   /* F32 or I32 */
    double limit;     /* F32 outputs: the largest normalised error that passes */
    int nan_expected; /* F32 outputs: NaN passes where the reference has NaN (set after new) */
    int64_t n;        /* elements */
    uint32_t *init;   /* (n) initial contents as bits (floats or int32) */
    void *base[2];    /* the allocations, guards included */
    sc_tensor t[2];
} sc_parity_tensor;

/* One case: the two backends, its tensors, and the first thing that went wrong. */
typedef struct sc_parity_run {
    sc_backend *be[2];
    sc_parity_tensor tensors[SC_PARITY_MAX_TENSORS];
    int n_tensors;
    sc_parity_tensor overflow; /* handed out, without memory, past SC_PARITY_MAX_TENSORS */
    uint64_t seed;             /* of the next tensor's random contents */
    int failed;
    int unsupported; /* the tested backend answered SC_ERR_UNSUPPORTED */
    char why[512];
    double err; /* largest normalised error over the verified outputs */
} sc_parity_run;

void sc_parity_begin(sc_parity_run *r, sc_backend *reference, sc_backend *tested, uint64_t seed);
/* Releases every tensor of the run. */
void sc_parity_end(sc_parity_run *r);

/* Marks the run failed with a message (the first one is kept). */
void sc_parity_fail(sc_parity_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records the status of a backend call on side; returns 1 when it succeeded. */
int sc_parity_step(sc_parity_run *r, int side, sc_status status);

/* A new tensor on both backends, uniform in [lo, hi) (F32) or zero (I32), uploaded. On failure
 * the run is marked failed and the tensor has no memory. */
sc_parity_tensor *sc_parity_tensor_new(sc_parity_run *r, const char *name, sc_dtype dtype, int ndim,
                                       const int64_t *shape, sc_parity_role role, double limit,
                                       float lo, float hi);
/* An F32 input uniform in [lo, hi), which must come back bit-unchanged; an F32 output starting
 * uniform in [lo, hi) (accumulating ops add to it), compared with the reference within limit;
 * an I32 tensor of zeros (an input, or an output compared exactly). */
sc_parity_tensor *sc_parity_input(sc_parity_run *r, const char *name, int ndim,
                                  const int64_t *shape, float lo, float hi);
sc_parity_tensor *sc_parity_output(sc_parity_run *r, const char *name, int ndim,
                                   const int64_t *shape, double limit, float lo, float hi);
sc_parity_tensor *sc_parity_i32(sc_parity_run *r, const char *name, int ndim, const int64_t *shape,
                                sc_parity_role role);
/* The initial contents as floats, to edit before sc_parity_upload. */
float *sc_parity_values(sc_parity_tensor *t);
/* Uploads the (edited) initial contents, with fresh guards, to both backends. */
void sc_parity_upload(sc_parity_run *r, sc_parity_tensor *t);

/* Both backends must have refused a call (status[side]) with the same status; a refusal
 * leaves every tensor unchanged, which sc_parity_verify then checks. */
void sc_parity_expect_rejected(sc_parity_run *r, const sc_status status[2]);

/* Checks every tensor of the run (see the top of this file); failures go into r. */
void sc_parity_verify(sc_parity_run *r);

/* Runs `call`, an expression in `be` (the backend) and `side` (SC_PARITY_REF, then
 * SC_PARITY_TESTED), on both backends; returns from the enclosing void function when either
 * call fails. */
#define SC_PARITY_ON_BOTH(r, call)                                                                 \
    for (int side = 0; side < 2; side++) {                                                         \
        sc_backend *be = (r)->be[side];                                                            \
        if (!sc_parity_step((r), side, (call)))                                                    \
            return;                                                                                \
    }

/* Runs `call` (as in SC_PARITY_ON_BOTH) on both backends, expecting both to refuse it. */
#define SC_PARITY_EXPECT_REJECTED(r, call)                                                         \
    do {                                                                                           \
        sc_status rejected_[2];                                                                    \
        for (int side = 0; side < 2; side++) {                                                     \
            sc_backend *be = (r)->be[side];                                                        \
            rejected_[side] = (call);                                                              \
        }                                                                                          \
        sc_parity_expect_rejected((r), rejected_);                                                 \
    } while (0)

#endif
