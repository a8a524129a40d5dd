/* What a training mode needs besides the clean branch's activations: the activations of the
 * perturbed / masked branches, the per-sample maps (saliency, mask, budget), the reference
 * distribution of the attack, the channel ranges of the perturbation, and the statistics the
 * step accumulates. Everything is planned and allocated once, before the first step. */
#ifndef SC_MODE_STATE_H
#define SC_MODE_STATE_H

#include "host/nn/net.h"
#include "mode_config.h"
#include "train_stats.h"

#define SC_MODE_MAX_BRANCHES 2

/* Called right after a random draw lands in `drawn` (the filled input of sgt/asgt, the random
 * start x + delta0 of scaat/adv): tests overwrite it with a reference's draw. */
typedef sc_status (*sc_random_hook)(void *ctx, sc_rng_purpose purpose, const sc_tensor *drawn,
                                    sc_error *err);

typedef struct sc_mode_state {
    sc_mode_config cfg;      /* resolved */
    sc_net *net;
    int batch;
    int n_branches;
    sc_acts *branch[SC_MODE_MAX_BRANCHES]; /* [0]: x + delta or the masked x; [1]: asgt's masked x_a */
    sc_arena arena;
    sc_tensor map, mask, budget; /* (B, 1, H, W) */
    sc_tensor image_stats;       /* (B, C, 3) */
    sc_tensor ref_logits;        /* (B, K): the detached clean logits the attack moves away from */
    sc_tensor stats;             /* (SC_STAT_COUNT), see train_stats.h */
    sc_perturb_params perturb;   /* channels, std, valid range */
    sc_random_hook random_hook;
    void *random_hook_ctx;
} sc_mode_state;

/* Whether the clean branch's activations need an input gradient (saliency from the clean
 * training forward: --saliency-bn batch). */
int sc_mode_needs_clean_input_grad(const sc_mode_config *cfg);

sc_status sc_mode_state_create(sc_net *net, int batch, const sc_mode_config *cfg,
                               const sc_channel_norm *norm, sc_mode_state **out, sc_error *err);
void sc_mode_state_destroy(sc_mode_state *s);
/* Device bytes the state holds (branch activations included). */
size_t sc_mode_state_bytes(const sc_mode_state *s);
/* A slot of the statistics as a tensor of `count` floats (an op's stats argument). */
sc_tensor sc_mode_stat(const sc_mode_state *s, sc_train_stat slot, int count);

#endif
