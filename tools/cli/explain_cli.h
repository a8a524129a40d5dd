/* `scaat explain`, shared between its files: the options (cmd_explain.c parses them), the
 * per-image results every checkpoint fills, and the writers of the output directory
 * (explain_outputs.c: heatmaps, grid, raw maps, explain.json; explain_checkpoint.c: one
 * checkpoint's batches). */
#ifndef SC_EXPLAIN_CLI_H
#define SC_EXPLAIN_CLI_H

#include <stdint.h>

#include "datasets/dataset.h"
#include "host/explain/explain_model.h"
#include "host/explain/methods.h"
#include "host/explain/selection.h"
#include "explain_session.h"

#define SC_EXPLAIN_MAX_CHECKPOINTS SC_SESSION_MAX_CHECKPOINTS
#define SC_EXPLAIN_GRID_ROWS 24 /* the grid shows the first images only, so it stays readable */
#define SC_EXPLAIN_NAME_LEN 64

typedef struct explain_options {
    sc_session_request session; /* checkpoints, dataset, --indices / --limit (default 16), device */
    int target_label;    /* 0: the predicted class (default), 1: the label */
    sc_method_config method;
    int method_given;
    int batch;
    int raw;
    char out_dir[1024];
} explain_options;

/* Everything one run produces besides the image files, for explain.json and the grid. */
typedef struct explain_results {
    int n_checkpoints;
    int64_t count;          /* images explained */
    int grid_rows;          /* min(count, SC_EXPLAIN_GRID_ROWS) */
    char names[SC_EXPLAIN_MAX_CHECKPOINTS][SC_EXPLAIN_NAME_LEN]; /* directory names */
    int32_t *targets;       /* (n_checkpoints, count) the explained class */
    int32_t *predictions;   /* (n_checkpoints, count) */
    float *ig_gaps;         /* (n_checkpoints, count) integrated-gradients only, else NULL */
    float *grid_maps;       /* (n_checkpoints, grid_rows, H, W) */
} explain_results;

sc_status sc_explain_results_init(explain_results *r, const explain_options *o,
                                  const sc_dataset *ds, int64_t count, sc_error *err);
void sc_explain_results_free(explain_results *r);

/* Unique directory names of the checkpoints: the file name without .safetensors, prefixed by
 * the parent directory's name when two checkpoints share a file name ("standard-checkpoint-best"),
 * characters other than [A-Za-z0-9._-] replaced by '_'. */
void sc_explain_checkpoint_names(const explain_options *o, explain_results *r);

/* Nearest-neighbour upscale of a map of this size: 8 up to 32 px, 2 up to 112, else 1. */
int sc_explain_scale(int height, int width);

/* Creates out/heatmaps/<name> (and out/raw/<name> with --raw) for every checkpoint. */
sc_status sc_explain_make_dirs(const explain_options *o, const explain_results *r, sc_error *err);

/* The files of one explained image of checkpoint ck: map (H, W), the image's dataset index,
 * its target class. */
sc_status sc_explain_write_image(const explain_options *o, const sc_dataset *ds,
                                 const explain_results *r, int ck, int64_t index, int target,
                                 const float *map, sc_error *err);

/* heatmaps/grid.png; prints a note when the build cannot draw its text. */
sc_status sc_explain_write_grid(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, const explain_results *r, sc_error *err);

/* explain.json: every parameter used, each checkpoint's mode, and per image its index, label,
 * target, prediction and (integrated gradients) completeness gap per checkpoint. */
sc_status sc_explain_write_json(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, const sc_explain_model *models,
                                const explain_results *r, const char *device, sc_error *err);

/* Explains every selected image with checkpoint ck: writes its per-image files and fills its
 * part of r. */
sc_status sc_explain_checkpoint(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, sc_explain_model *m, int ck,
                                explain_results *r, sc_error *err);

#endif
