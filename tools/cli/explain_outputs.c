/* The output directory of `scaat explain`: checkpoint names, directories, the per-image
 * heatmaps and raw maps, and the comparison grid (see explain_cli.h). Every file is written
 * atomically by the heatmap and .npy writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/class_names.h"
#include "explain_cli.h"
#include "host/core/log.h"
#include "host/explain/heatmap.h"
#include "host/explain/npy.h"
#include "host/train/run_files.h"

sc_status sc_explain_results_init(explain_results *r, const explain_options *o,
                                  const sc_dataset *ds, int64_t count, sc_error *err) {
    memset(r, 0, sizeof *r);
    r->n_checkpoints = o->session.n_checkpoints;
    r->count = count;
    r->grid_rows = count < SC_EXPLAIN_GRID_ROWS ? (int)count : SC_EXPLAIN_GRID_ROWS;
    size_t per = (size_t)o->session.n_checkpoints * (size_t)count;
    size_t grid = (size_t)o->session.n_checkpoints * (size_t)r->grid_rows * (size_t)ds->height *
                  (size_t)ds->width;
    r->targets = malloc(per * sizeof *r->targets);
    r->predictions = malloc(per * sizeof *r->predictions);
    r->grid_maps = malloc(grid * sizeof *r->grid_maps);
    int ig = o->method.kind == SC_METHOD_INTEGRATED_GRADIENTS;
    if (ig)
        r->ig_gaps = malloc(per * sizeof *r->ig_gaps);
    if (!r->targets || !r->predictions || !r->grid_maps || (ig && !r->ig_gaps)) {
        sc_explain_results_free(r);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the results of %lld images",
                       (long long)count);
    }
    return SC_OK;
}

void sc_explain_results_free(explain_results *r) {
    free(r->targets);
    free(r->predictions);
    free(r->ig_gaps);
    free(r->grid_maps);
    memset(r, 0, sizeof *r);
}

/* The file name of path without its directory and a ".safetensors" ending. */
static void file_stem(const char *path, char *out, size_t len) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, len, "%s", base);
    size_t n = strlen(out);
    const char *ext = ".safetensors";
    if (n > strlen(ext) && strcmp(out + n - strlen(ext), ext) == 0)
        out[n - strlen(ext)] = '\0';
}

/* The name of the directory holding path ("." when there is none). */
static void parent_name(const char *path, char *out, size_t len) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        snprintf(out, len, ".");
        return;
    }
    *slash = '\0';
    const char *base = strrchr(dir, '/');
    snprintf(out, len, "%s", base ? base + 1 : dir);
}

static void sanitize(char *s) {
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            *s = '_';
}

static int name_taken(const explain_results *r, int upto, const char *name) {
    for (int i = 0; i < upto; i++)
        if (strcmp(r->names[i], name) == 0)
            return 1;
    return 0;
}

void sc_explain_checkpoint_names(const explain_options *o, explain_results *r) {
    char stems[SC_EXPLAIN_MAX_CHECKPOINTS][SC_EXPLAIN_NAME_LEN];
    for (int i = 0; i < o->session.n_checkpoints; i++)
        file_stem(o->session.checkpoints[i], stems[i], sizeof stems[i]);
    for (int i = 0; i < o->session.n_checkpoints; i++) {
        int shared = 0;
        for (int j = 0; j < o->session.n_checkpoints; j++)
            shared |= j != i && strcmp(stems[i], stems[j]) == 0;
        char parent[SC_EXPLAIN_NAME_LEN] = "";
        if (shared)
            parent_name(o->session.checkpoints[i], parent, sizeof parent);
        snprintf(r->names[i], sizeof r->names[i], "%s%s%s", parent, shared ? "-" : "", stems[i]);
        sanitize(r->names[i]);
        if (name_taken(r, i, r->names[i]) || strcmp(r->names[i], ".") == 0 ||
            strcmp(r->names[i], "..") == 0) { /* same file twice, or no usable name */
            char numbered[SC_EXPLAIN_NAME_LEN];
            snprintf(numbered, sizeof numbered, "%.50s-%d", r->names[i], i + 1);
            snprintf(r->names[i], sizeof r->names[i], "%s", numbered);
        }
    }
}

int sc_explain_scale(int height, int width) {
    int side = height > width ? height : width;
    return side <= 32 ? 8 : side <= 112 ? 2 : 1;
}

sc_status sc_explain_make_dirs(const explain_options *o, const explain_results *r,
                               sc_error *err) {
    char path[1200];
    for (int i = 0; i < r->n_checkpoints; i++) {
        snprintf(path, sizeof path, "%s/heatmaps/%s", o->out_dir, r->names[i]);
        SC_TRY(sc_mkdirs(path, err));
        if (o->raw) {
            snprintf(path, sizeof path, "%s/raw/%s", o->out_dir, r->names[i]);
            SC_TRY(sc_mkdirs(path, err));
        }
    }
    return SC_OK;
}

/* Image `index` of ds in pixel units [0, 1]: (C, H, W) into out. */
static void image_pixels(const sc_dataset *ds, int64_t index, float *out) {
    int64_t bytes = sc_dataset_image_bytes(ds);
    const uint8_t *src = ds->images + index * bytes;
    for (int64_t i = 0; i < bytes; i++)
        out[i] = (float)src[i] / 255.0f;
}

static sc_heatmap_style style_of(const sc_dataset *ds) {
    sc_heatmap_style s = {0, sc_explain_scale(ds->height, ds->width), 0.5f};
    return s;
}

sc_status sc_explain_write_image(const explain_options *o, const sc_dataset *ds,
                                 const explain_results *r, int ck, int64_t index, int target,
                                 const float *map, sc_error *err) {
    int h = ds->height, w = ds->width;
    sc_heatmap_style style = style_of(ds);
    char path[1400];
    snprintf(path, sizeof path, "%s/heatmaps/%s/%lld_%d.png", o->out_dir, r->names[ck],
             (long long)index, target);
    SC_TRY(sc_heatmap_png(path, map, h, w, &style, err));
    float *image = malloc((size_t)sc_dataset_image_bytes(ds) * sizeof *image);
    if (!image)
        return sc_fail(err, SC_ERR_OOM, "no host memory for an image");
    image_pixels(ds, index, image);
    snprintf(path, sizeof path, "%s/heatmaps/%s/%lld_%d_overlay.png", o->out_dir, r->names[ck],
             (long long)index, target);
    sc_status st = sc_heatmap_overlay_png(path, image, ds->channels, map, h, w, &style, err);
    free(image);
    if (st != SC_OK || !o->raw)
        return st;
    snprintf(path, sizeof path, "%s/raw/%s/%lld.npy", o->out_dir, r->names[ck], (long long)index);
    int64_t shape[2] = {h, w};
    return sc_npy_write_f32(path, map, 2, shape, err);
}

sc_status sc_explain_write_grid(const explain_options *o, const sc_dataset *ds,
                                const sc_selection *sel, const explain_results *r,
                                sc_error *err) {
    int rows = r->grid_rows, hw = ds->height * ds->width;
    int64_t image_floats = sc_dataset_image_bytes(ds);
    float *images = malloc((size_t)rows * (size_t)image_floats * sizeof *images);
    char(*labels)[48] = malloc((size_t)rows * sizeof *labels);
    const char **label_ptrs = malloc((size_t)rows * sizeof *label_ptrs);
    if (!images || !labels || !label_ptrs) {
        free(images);
        free(labels);
        free(label_ptrs);
        return sc_fail(err, SC_ERR_OOM, "no host memory for the heatmap grid");
    }
    const float *maps[SC_EXPLAIN_MAX_CHECKPOINTS];
    const char *titles[SC_EXPLAIN_MAX_CHECKPOINTS];
    for (int ck = 0; ck < r->n_checkpoints; ck++) {
        maps[ck] = r->grid_maps + (size_t)ck * (size_t)rows * (size_t)hw;
        titles[ck] = r->names[ck];
    }
    for (int i = 0; i < rows; i++) {
        int64_t index = sel->indices[i];
        image_pixels(ds, index, images + (size_t)i * (size_t)image_floats);
        sc_dataset_class_name(ds, ds->labels[index], labels[i], sizeof labels[i]);
        label_ptrs[i] = labels[i];
    }
    sc_heatmap_grid g = {rows, r->n_checkpoints, ds->channels, ds->height, ds->width, images,
                         maps, label_ptrs, titles, style_of(ds)};
    char path[1100];
    snprintf(path, sizeof path, "%s/heatmaps/grid.png", o->out_dir);
    int wrote_text = 0;
    sc_status st = sc_heatmap_grid_png(path, &g, &wrote_text, err);
    if (st == SC_OK && !wrote_text)
        sc_log("note: %s has no class names or titles: this build renders %s", path,
               sc_explain_render_info());
    free(images);
    free(labels);
    free(label_ptrs);
    return st;
}
