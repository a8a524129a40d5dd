/* scaat explain: saliency maps of test images for one or more checkpoints, as heatmap PNGs,
 * a comparison grid, optional raw .npy maps and explain.json. Everything the command line
 * says is validated (method, files, checkpoints against the dataset, image selection) before
 * the output directory is created, so a bad call leaves nothing behind. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "explain_cli.h"
#include "explain_session.h"
#include "out_dir.h"
#include "host/core/log.h"

static void print_help(void) {
    puts("usage: scaat explain --checkpoint FILE [--checkpoint FILE ...] --method M --out DIR\n"
         "                     [options]\n"
         "\n"
         "Saliency maps of test images, one set per checkpoint (BN in inference mode).\n"
         "\n"
         "  --checkpoint FILE   a scaat checkpoint (.safetensors); repeat to compare up to 16\n"
         "  --dataset NAME      fashion-mnist | mnist | cifar10 | cifar100 (default: the first\n"
         "                      checkpoint's training dataset)\n"
         "  --data DIR          dataset directory (default: the dataset's default directory)\n"
         "  --method M          gradient | input-x-gradient | smoothgrad | integrated-gradients |\n"
         "                      gradcam (required)\n"
         "  --indices I,J,...   explain these test images (indices into the test split)\n"
         "  --limit N           else the first N test images (default 16)\n"
         "  --target T          pred (the predicted class, default) | label\n"
         "  --samples N         smoothgrad: noisy copies per image (default 25)\n"
         "  --noise F           smoothgrad: noise sigma as a fraction of the image's value range\n"
         "                      (default 0.15)\n"
         "  --steps N           integrated-gradients: Gauss-Legendre steps on [0,1] (default 32)\n"
         "  --internal-batch N  smoothgrad / integrated-gradients: images per device batch of\n"
         "                      the noisy copies or path points (default: --batch)\n"
         "  --batch N           images explained together (default 64)\n"
         "  --raw               also write raw/<checkpoint>/<index>.npy (float32 H x W maps)\n"
         "  --device D          auto | cpu | cuda (default auto)\n"
         "  --threads N         CPU threads (default: all cores)\n"
         "  --seed S            seed of smoothgrad's noise (default 0)\n"
         "  --out DIR           output directory (required)\n"
         "\n"
         "Writes DIR/heatmaps/<checkpoint>/<index>_<class>.png (the map; class = the explained\n"
         "class) and <index>_<class>_overlay.png (over the image), DIR/heatmaps/grid.png (the\n"
         "first 24 images, one overlay column per checkpoint) and DIR/explain.json (parameters,\n"
         "each checkpoint's training mode, per image label, target, prediction and, for\n"
         "integrated-gradients, the completeness gap sum(IG) - (f_t(x) - f_t(0))).");
}

static sc_status parse_option(sc_args *a, explain_options *o, sc_error *err) {
    long long v;
    sc_status st = SC_OK;
    char text[32];
    if (sc_session_option(a, &o->session, &st, err)) {
        return st;
    } else if (sc_args_is(a, "--indices")) {
        return sc_args_string(a, o->session.indices, sizeof o->session.indices, err);
    } else if (sc_args_is(a, "--method")) {
        SC_TRY(sc_args_string(a, text, sizeof text, err));
        o->method_given = 1;
        return sc_method_parse(text, &o->method.kind, err);
    } else if (sc_args_is(a, "--target")) {
        SC_TRY(sc_args_string(a, text, sizeof text, err));
        if (strcmp(text, "pred") != 0 && strcmp(text, "label") != 0)
            return sc_fail(err, SC_ERR_USAGE, "option --target: expected pred or label, got '%s'",
                           text);
        o->target_label = strcmp(text, "label") == 0;
    } else if (sc_args_is(a, "--samples")) {
        st = sc_args_int(a, 1, 100000, &v, err);
        o->method.samples = (int)v;
    } else if (sc_args_is(a, "--noise")) {
        return sc_args_float(a, 0.0, 100.0, &o->method.noise, err);
    } else if (sc_args_is(a, "--steps")) {
        st = sc_args_int(a, 1, 4096, &v, err);
        o->method.steps = (int)v;
    } else if (sc_args_is(a, "--internal-batch")) {
        st = sc_args_int(a, 1, 1 << 20, &v, err);
        o->method.internal_batch = (int)v;
    } else if (sc_args_is(a, "--batch")) {
        st = sc_args_int(a, 1, 1 << 20, &v, err);
        o->batch = (int)v;
    } else if (sc_args_is(a, "--raw")) {
        o->raw = 1;
        return sc_args_flag(a, err);
    } else if (sc_args_is(a, "--seed")) {
        return sc_args_u64(a, &o->method.seed, err);
    } else if (sc_args_is(a, "--out")) {
        return sc_args_string(a, o->out_dir, sizeof o->out_dir, err);
    } else {
        return sc_args_unknown(a, "explain", err);
    }
    return st;
}

static sc_status parse(int argc, char **argv, explain_options *o, int *help, sc_error *err) {
    memset(o, 0, sizeof *o);
    sc_method_config_default(&o->method);
    sc_session_request_default(&o->session, 16);
    o->batch = 64;
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st = SC_OK;
    while (st == SC_OK && sc_args_next(&a, &st, err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            *help = 1;
            return SC_OK;
        }
        st = parse_option(&a, o, err);
    }
    if (st != SC_OK)
        return st;
    if (o->session.n_checkpoints == 0)
        return sc_fail(err, SC_ERR_USAGE, "scaat explain needs --checkpoint FILE");
    if (!o->method_given)
        return sc_fail(err, SC_ERR_USAGE, "scaat explain needs --method (gradient, "
                       "input-x-gradient, smoothgrad, integrated-gradients or gradcam)");
    if (!o->out_dir[0])
        return sc_fail(err, SC_ERR_USAGE, "scaat explain needs --out DIR");
    return SC_OK;
}

/* Loads every checkpoint (each checked against the dataset) before anything is written. */
static sc_status explain_all(const explain_options *o, const sc_dataset *ds,
                             const sc_selection *sel, sc_backend *be, sc_explain_model *models,
                             sc_error *err) {
    explain_results r;
    SC_TRY(sc_explain_results_init(&r, o, ds, sel->count, err));
    sc_explain_checkpoint_names(o, &r);
    sc_run_lock lock = {0};
    sc_status st = sc_cli_out_dir_lock(o->out_dir, &lock, err);
    if (st == SC_OK)
        st = sc_explain_make_dirs(o, &r, err);
    for (int ck = 0; ck < o->session.n_checkpoints && st == SC_OK; ck++)
        st = sc_explain_checkpoint(o, ds, sel, &models[ck], ck, &r, err);
    if (st == SC_OK)
        st = sc_explain_write_grid(o, ds, sel, &r, err);
    if (st == SC_OK)
        st = sc_explain_write_json(o, ds, sel, models, &r, be->name, err);
    if (st == SC_OK)
        printf("explained %lld images with %s for %d checkpoint%s on %s: %s/heatmaps\n",
               (long long)sel->count, sc_method_name(o->method.kind), o->session.n_checkpoints,
               o->session.n_checkpoints == 1 ? "" : "s", be->name, o->out_dir);
    sc_run_lock_release(&lock);
    sc_explain_results_free(&r);
    return st;
}

static sc_status run_explain(explain_options *o, sc_error *err) {
    sc_session s;
    SC_TRY(sc_session_open(&o->session, &s, err));
    sc_status st = explain_all(o, &s.ds, &s.sel, s.be, s.models, err);
    sc_session_close(&s);
    return st;
}

int sc_cmd_explain(int argc, char **argv) {
    explain_options o;
    sc_error err = {0};
    int help = 0;
    sc_status st = parse(argc, argv, &o, &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    if (st == SC_OK)
        st = run_explain(&o, &err);
    return sc_cli_exit(st, &err);
}
