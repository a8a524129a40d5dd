/* scaat evaluate: saliency-quality metrics and robust accuracy of one or more checkpoints on
 * test images (host/explain/metrics.h), written as DIR/metrics.json, DIR/metrics.csv and PNG
 * plots of the mean curves, with a comparison table on stdout. Every option, the dataset and
 * every checkpoint (against the dataset) are checked before the evaluation starts, and the
 * files are written only once every model is done: a bad call leaves nothing behind. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "evaluate_cli.h"
#include "explain_session.h"
#include "out_dir.h"
#include "host/core/log.h"
#include "host/explain/explain_model.h"
#include "host/train/run_files.h"

typedef struct evaluate_options {
    sc_session_request session; /* checkpoints, dataset, --limit (default all), device */
    sc_metric_config cfg;
    char out_dir[1024];
} evaluate_options;

_Static_assert(SC_METRICS_MAX_RUNS >= SC_SESSION_MAX_CHECKPOINTS, "a run per checkpoint");

static void print_help(void) {
    puts("usage: scaat evaluate --checkpoint FILE [--checkpoint FILE ...] --out DIR [options]\n"
         "\n"
         "Saliency-quality metrics and robust accuracy on test images (BN in inference mode),\n"
         "batched on the device. Definitions: tools/docs/metrics.md.\n"
         "\n"
         "  --checkpoint FILE    a scaat checkpoint (.safetensors); repeat to compare up to 16\n"
         "  --dataset NAME       fashion-mnist | mnist | cifar10 | cifar100 (default: the first\n"
         "                       checkpoint's training dataset)\n"
         "  --data DIR           dataset directory (default: the dataset's default directory)\n"
         "  --method M           gradient (default) | input-x-gradient | smoothgrad |\n"
         "                       integrated-gradients | gradcam\n"
         "  --metrics LIST       comma-separated: gini, hoyer, entropy, deletion, insertion,\n"
         "                       masked-accuracy, road, faithfulness, max-sensitivity,\n"
         "                       randomisation, robust, or all (default: all but road and\n"
         "                       randomisation)\n"
         "  --limit N            the first N test images (default: all)\n"
         "  --correct-only       only the images the model classifies correctly\n"
         "  --target T           explained class: pred (default) | label (deletion and insertion\n"
         "                       always score the class predicted on the clean image)\n"
         "  --steps N            deletion / insertion steps (default 100)\n"
         "  --eps E              robust: l_inf budget in pixel units, [0, 1] (default 8/255)\n"
         "  --batch B            images per batch (default 64)\n"
         "  --internal-batch B   images per forward of perturbed copies, and the saliency\n"
         "                       method's internal batch (default 256)\n"
         "  --device D           auto | cpu | cuda (default auto)\n"
         "  --threads N          CPU threads (default: all cores)\n"
         "  --seed S             seed of every random draw (default 1)\n"
         "  --out DIR            output directory (required)\n"
         "\n"
         "Writes DIR/metrics.json (per checkpoint: path, training mode, accuracy, per metric\n"
         "mean, std, count, degenerate count and mean curve; every parameter used),\n"
         "DIR/metrics.csv (one row per image and checkpoint, curve points as columns) and,\n"
         "when the build has cairo, DIR/<curve>.png with one line per checkpoint.");
}

static sc_status parse_option(sc_args *a, evaluate_options *o, sc_error *err) {
    sc_metric_config *c = &o->cfg;
    long long v;
    char text[512];
    sc_status st = SC_OK;
    if (sc_session_option(a, &o->session, &st, err)) {
        return st;
    } else if (sc_args_is(a, "--method")) {
        SC_TRY(sc_args_string(a, text, sizeof text, err));
        return sc_method_parse(text, &c->method.kind, err);
    } else if (sc_args_is(a, "--metrics")) {
        SC_TRY(sc_args_string(a, text, sizeof text, err));
        return sc_metric_parse_list(text, &c->metrics, err);
    } else if (sc_args_is(a, "--target")) {
        SC_TRY(sc_args_string(a, text, sizeof text, err));
        if (strcmp(text, "pred") != 0 && strcmp(text, "label") != 0)
            return sc_fail(err, SC_ERR_USAGE, "option --target: expected pred or label, got '%s'",
                           text);
        c->target_label = strcmp(text, "label") == 0;
        return SC_OK;
    } else if (sc_args_is(a, "--correct-only")) {
        c->correct_only = 1;
        return sc_args_flag(a, err);
    } else if (sc_args_is(a, "--eps")) {
        return sc_args_float(a, 0.0, 1.0, &c->eps, err);
    } else if (sc_args_is(a, "--seed")) {
        SC_TRY(sc_args_u64(a, &c->seed, err));
        c->method.seed = c->seed;
        return SC_OK;
    } else if (sc_args_is(a, "--out")) {
        return sc_args_string(a, o->out_dir, sizeof o->out_dir, err);
    } else if (sc_args_is(a, "--steps")) {
        SC_TRY(sc_args_int(a, 1, 10000, &v, err));
        c->steps = (int)v;
    } else if (sc_args_is(a, "--batch")) {
        SC_TRY(sc_args_int(a, 1, 1 << 20, &v, err));
        c->batch = (int)v;
    } else if (sc_args_is(a, "--internal-batch")) {
        SC_TRY(sc_args_int(a, 1, 1 << 20, &v, err));
        c->internal_batch = (int)v;
    } else {
        return sc_args_unknown(a, "evaluate", err);
    }
    return SC_OK;
}

static sc_status parse(int argc, char **argv, evaluate_options *o, int *help, sc_error *err) {
    memset(o, 0, sizeof *o);
    sc_metric_config_default(&o->cfg);
    sc_session_request_default(&o->session, 0);
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
    SC_TRY(st);
    o->cfg.method.internal_batch = o->cfg.internal_batch;
    if (o->session.n_checkpoints == 0)
        return sc_fail(err, SC_ERR_USAGE, "scaat evaluate needs --checkpoint FILE");
    if (!o->out_dir[0])
        return sc_fail(err, SC_ERR_USAGE, "scaat evaluate needs --out DIR");
    return SC_OK;
}

/* metrics.csv, metrics.json, then the plots (a note instead when the build cannot draw). */
static sc_status write_outputs(const evaluate_options *o, const sc_metrics_report *r,
                               sc_error *err) {
    char path[1100];
    SC_TRY(sc_mkdirs(o->out_dir, err));
    snprintf(path, sizeof path, "%s/metrics.csv", o->out_dir);
    SC_TRY(sc_metrics_write_csv(path, r, err));
    snprintf(path, sizeof path, "%s/metrics.json", o->out_dir);
    SC_TRY(sc_metrics_write_json(path, r, err));
    int plots = 0;
    sc_error plot_err = {0};
    sc_status st = sc_metrics_write_plots(o->out_dir, r, &plots, &plot_err);
    if (st == SC_ERR_UNSUPPORTED) {
        sc_log("no PNG plots (%s); the curves are in metrics.csv", plot_err.msg);
        return SC_OK;
    }
    if (st != SC_OK)
        *err = plot_err;
    return st;
}

static sc_status evaluate_models(const evaluate_options *o, const sc_dataset *ds,
                                 const sc_selection *sel, sc_backend *be,
                                 sc_explain_model *models, sc_metrics_run *runs, sc_error *err) {
    for (int i = 0; i < o->session.n_checkpoints; i++) {
        sc_metrics_run *run = &runs[i];
        run->checkpoint = models[i].path;
        run->mode = models[i].meta.mode;
        run->model = models[i].meta.model.name;
        char name[160];
        sc_metrics_run_name(run, name, sizeof name);
        evaluate_progress p;
        sc_evaluate_progress_start(&p, i + 1, o->session.n_checkpoints, name, o->cfg.batch);
        sc_status st = sc_metrics_evaluate(models[i].net, ds, sel, &o->cfg,
                                           sc_evaluate_progress_update, &p, &run->table, err);
        sc_evaluate_progress_finish(&p);
        SC_TRY(st);
        run->seconds = sc_now_seconds() - p.started;
    }
    const sc_session_request *q = &o->session;
    sc_metrics_report r = {ds->name, q->data_dir[0] ? q->data_dir : NULL, be->name, q->threads,
                           q->limit, &o->cfg, runs, q->n_checkpoints};
    SC_TRY(write_outputs(o, &r, err));
    sc_evaluate_print_table(stdout, &r);
    printf("%s on %lld images of %s (%s): %s/metrics.json, %s/metrics.csv\n",
           sc_method_name(o->cfg.method.kind), (long long)sel->count, ds->name, be->name,
           o->out_dir, o->out_dir);
    return SC_OK;
}

static sc_status run_evaluate(evaluate_options *o, sc_error *err) {
    sc_session s;
    SC_TRY(sc_session_open(&o->session, &s, err));
    sc_metrics_run runs[SC_METRICS_MAX_RUNS];
    memset(runs, 0, sizeof runs);
    sc_run_lock lock = {0};
    sc_status st = sc_cli_out_dir_lock(o->out_dir, &lock, err);
    if (st == SC_OK)
        st = evaluate_models(o, &s.ds, &s.sel, s.be, s.models, runs, err);
    sc_run_lock_release(&lock);
    for (int i = 0; i < o->session.n_checkpoints; i++)
        sc_metric_table_free(&runs[i].table);
    sc_session_close(&s);
    return st;
}

int sc_cmd_evaluate(int argc, char **argv) {
    evaluate_options o;
    sc_error err = {0};
    int help = 0;
    sc_status st = parse(argc, argv, &o, &help, &err);
    if (help) {
        print_help();
        return 0;
    }
    if (st == SC_OK)
        st = run_evaluate(&o, &err);
    return sc_cli_exit(st, &err);
}
