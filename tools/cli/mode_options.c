/* Parsing and help of the training-mode options (see mode_options.h). Ranges are checked by
 * sc_mode_config_resolve, which also refuses options the chosen mode does not use. */
#include "mode_options.h"

#include <stdio.h>
#include <string.h>

static sc_status parse_choice(sc_args *a, const char *const *names, int count, int *out,
                              sc_error *err) {
    char value[32];
    SC_TRY(sc_args_string(a, value, sizeof value, err));
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0) {
            *out = i;
            return SC_OK;
        }
    char expected[128] = "";
    for (int i = 0; i < count; i++)
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
                 i ? (i == count - 1 ? " or " : ", ") : "", names[i]);
    return sc_fail(err, SC_ERR_USAGE, "option %s: expected %s, got '%s'", a->name, expected, value);
}

static sc_status parse_float(sc_args *a, float *out, sc_error *err) {
    return sc_args_float(a, -1e9, 1e9, out, err);
}

int sc_cli_mode_option(sc_args *a, sc_mode_config *m, sc_status *st, sc_error *err) {
    static const char *const reduce_names[] = {"mean", "max", "sum", "signed"};
    static const char *const mask_names[] = {"lowest", "mass"};
    static const char *const fill_names[] = {"uniform", "mean"};
    static const char *const bn_names[] = {"eval", "batch"};
    int choice = 0;
    long long v = 0;
    unsigned bit = 0;
    if (sc_args_is(a, "--mode")) {
        char name[32];
        *st = sc_args_string(a, name, sizeof name, err);
        if (*st == SC_OK)
            *st = sc_mode_parse(name, &m->kind, err);
        return 1;
    } else if (sc_args_is(a, "--lambda")) {
        bit = SC_OPT_LAMBDA;
        *st = parse_float(a, &m->lambda, err);
    } else if (sc_args_is(a, "--k")) {
        bit = SC_OPT_K;
        *st = parse_float(a, &m->k, err);
    } else if (sc_args_is(a, "--tau")) {
        bit = SC_OPT_TAU;
        *st = parse_float(a, &m->tau, err);
    } else if (sc_args_is(a, "--k-min")) {
        bit = SC_OPT_K_MIN;
        *st = parse_float(a, &m->k_min, err);
    } else if (sc_args_is(a, "--k-max")) {
        bit = SC_OPT_K_MAX;
        *st = parse_float(a, &m->k_max, err);
    } else if (sc_args_is(a, "--eps")) {
        bit = SC_OPT_EPS;
        *st = parse_float(a, &m->eps, err);
    } else if (sc_args_is(a, "--eps-warmup")) {
        bit = SC_OPT_EPS_WARMUP;
        *st = parse_float(a, &m->eps_warmup, err);
    } else if (sc_args_is(a, "--gamma")) {
        bit = SC_OPT_GAMMA;
        *st = parse_float(a, &m->gamma, err);
    } else if (sc_args_is(a, "--step-size")) {
        bit = SC_OPT_STEP_SIZE;
        *st = parse_float(a, &m->step_size, err);
    } else if (sc_args_is(a, "--steps")) {
        bit = SC_OPT_STEPS;
        *st = sc_args_int(a, 1, 1000, &v, err);
        m->steps = (int)v;
    } else if (sc_args_is(a, "--mask")) {
        bit = SC_OPT_MASK;
        *st = parse_choice(a, mask_names, 2, &choice, err);
        m->mask = (sc_mask_kind)choice;
    } else if (sc_args_is(a, "--fill")) {
        bit = SC_OPT_FILL;
        *st = parse_choice(a, fill_names, 2, &choice, err);
        m->fill = (sc_fill_kind)choice;
    } else if (sc_args_is(a, "--saliency")) {
        bit = SC_OPT_SALIENCY;
        *st = parse_choice(a, reduce_names, 4, &choice, err);
        m->saliency = (sc_reduce_kind)choice;
    } else if (sc_args_is(a, "--saliency-bn")) {
        bit = SC_OPT_SALIENCY_BN;
        *st = parse_choice(a, bn_names, 2, &choice, err);
        m->saliency_bn_batch = choice;
    } else if (sc_args_is(a, "--kl-detach-target")) {
        bit = SC_OPT_KL_DETACH;
        m->kl_detach_target = 1;
        *st = sc_args_flag(a, err);
    } else {
        return 0;
    }
    m->given |= bit;
    return 1;
}

void sc_cli_mode_help(void) {
    printf(
        "training mode (tools/docs/training-modes.md; an option the mode does not use is an error):\n"
        "  --mode M              standard | adv | sgt | scaat | asgt (default standard)\n"
        "  --lambda L            weight of the KL term (sgt, scaat, asgt; default 1)\n"
        "  --k K                 fraction of least salient pixels in the mask, in (0, 1)\n"
        "                        (sgt, scaat: default 0.5; asgt: default 0.3)\n"
        "  --mask lowest|mass    mask rule (sgt, scaat; default lowest): the k lowest pixels, or\n"
        "                        the complement of the smallest set holding --tau of the mass\n"
        "  --tau T               mass rule: share of the saliency mass kept (default 0.9)\n"
        "  --k-min A, --k-max B  mass rule: bounds of the mask fraction (default 0.1, 0.9)\n"
        "  --fill uniform|mean   masked pixels: U(min, max) of the image channel, or its mean\n"
        "                        (sgt, asgt; default uniform)\n"
        "  --eps E               perturbation budget in pixel units (adv, scaat, asgt; default\n"
        "                        8/255 = 0.0314)\n"
        "  --eps-warmup W        scaat: eps grows linearly over W epochs, epoch e (from 1) using\n"
        "                        eps * min(1, e / W); 0 turns it off (default 5)\n"
        "  --gamma G             scaat: budget exponent, e = eps (1 - s/max s)^G (default 1)\n"
        "  --steps T             attack steps (adv, scaat; default 1)\n"
        "  --step-size B         step as a fraction of the budget (adv, scaat: default 2.5/T)\n"
        "  --saliency R          mean | max | sum | signed channel reduction of the input\n"
        "                        gradient (sgt, scaat, asgt; default mean of |grad|)\n"
        "  --saliency-bn eval|batch  batch norm during saliency and attack passes: running\n"
        "                        statistics (default) or batch statistics (reuses the clean\n"
        "                        training forward; never updates running statistics)\n"
        "  --kl-detach-target    detach the first argument of the KL term\n");
}
