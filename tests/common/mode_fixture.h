/* A training-mode fixture for the mode tests: a small ResNet on the CPU (or any) backend with
 * the clean branch's activations and the mode state built the way the trainer builds them
 * (want_input_grad from sc_mode_needs_clean_input_grad as in host/train/trainer_setup.c, the
 * mode configuration resolved by sc_mode_config_resolve as in host/train/trainer.c), a
 * one-channel normalisation, and a random batch inside the valid range. No Check dependency:
 * every helper returns a status. */
#ifndef SC_TEST_MODE_FIXTURE_H
#define SC_TEST_MODE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "host/train/mode_state.h"
#include "host/train/train_step.h"

#define SC_FIXTURE_MEAN 0.286f /* the normalisation of the fixture's single channel */
#define SC_FIXTURE_STD 0.353f

typedef struct sc_mode_fixture {
    sc_backend *be; /* borrowed */
    sc_net *net;    /* resnet8, CIFAR stem, 1 channel, 10 classes */
    sc_acts *clean; /* the clean branch (trainer's train_acts) */
    sc_mode_state *mode;
    sc_train_config cfg; /* defaults, label smoothing 0, cfg.mode resolved, cfg.norm set */
    int batch, h, w;
} sc_mode_fixture;

/* The default knobs of a mode; set fields (and their `given` bits) before creating. */
sc_mode_config sc_mode_fixture_config(sc_mode_kind kind);

/* Resolves a copy of *mode, builds the network (weights from seed) and the buffers, and
 * uploads a random batch (sc_mode_fixture_fill_batch with the same seed). */
sc_status sc_mode_fixture_create(sc_backend *be, const sc_mode_config *mode, int batch, int h,
                                 int w, uint64_t seed, sc_mode_fixture *f, sc_error *err);
void sc_mode_fixture_destroy(sc_mode_fixture *f);

/* The arguments of one step on the fixture's batch. */
sc_train_step_args sc_mode_fixture_args(sc_mode_fixture *f, float lr, uint64_t global_step,
                                        int epoch);

/* Pixels u ~ U[0, 1) normalised as (u - mean) / std, labels uniform in [0, classes), from
 * Philox keyed by (seed, 1, SC_RNG_TEST); every row of the clean branch is used. */
sc_status sc_mode_fixture_fill_batch(sc_mode_fixture *f, uint64_t seed, sc_error *err);

/* A host copy of a device tensor (numel floats, malloc'ed; NULL when out of memory or the
 * download fails). */
float *sc_mode_fixture_download(const sc_mode_fixture *f, const sc_tensor *t);

/* Number of floats in the BN running statistics (every non-trainable parameter), and their
 * values read into / written from a host buffer of that size in parameter order. */
size_t sc_mode_fixture_running_count(const sc_mode_fixture *f);
sc_status sc_mode_fixture_get_running(const sc_mode_fixture *f, float *out, sc_error *err);
sc_status sc_mode_fixture_set_running(sc_mode_fixture *f, const float *in, sc_error *err);

/* The mode's statistics slots (SC_STAT_COUNT floats) read back, and reset to zero. */
sc_status sc_mode_fixture_read_stats(const sc_mode_fixture *f, float *out, sc_error *err);
sc_status sc_mode_fixture_zero_stats(sc_mode_fixture *f, sc_error *err);

/* scaat's step up to and including the attack (mode_scaat.c, in the same order): copy the
 * batch into branch[0], the clean training forward when --saliency-bn batch, the saliency
 * mask, the reference logits, the budget and sc_train_attack. branch[0] ends with x + delta. */
sc_status sc_mode_fixture_scaat_attack(const sc_train_step_args *args, sc_error *err);

#endif
