/* Opening the evaluation split of a checkpoint (see eval_source.h). */
#include "eval_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/class_names.h"

static sc_status check_fits(const sc_source *src, const char *path,
                            const sc_checkpoint_meta *meta, sc_error *err) {
    const sc_model_spec *m = &meta->model;
    if (src->channels != m->in_channels || src->height != m->in_h || src->width != m->in_w ||
        src->num_classes != m->num_classes)
        return sc_fail(err, SC_ERR_USAGE, "%s was trained on %dx%dx%d images with %d classes; %s "
                       "has %dx%dx%d images with %d classes", path, m->in_channels, m->in_h,
                       m->in_w, m->num_classes, src->name, src->channels, src->height,
                       src->width, src->num_classes);
    if (!meta->class_names[0] || !src->class_names)
        return SC_OK;
    for (int c = 0; c < src->num_classes; c++) {
        char trained[256];
        sc_class_name_in_list(meta->class_names, c, trained, sizeof trained);
        if (strcmp(trained, src->class_names[c]) != 0)
            return sc_fail(err, SC_ERR_USAGE, "%s: class %d was '%s' in training but is '%s' "
                           "here (expected the same class folders)", path, c, trained,
                           src->class_names[c]);
    }
    return SC_OK;
}

sc_status sc_cli_open_eval_source(const char *dataset, const char *dir, const char *path,
                                  const sc_checkpoint_meta *meta, sc_data_config *data,
                                  int64_t limit, sc_source **out, sc_error *err) {
    *out = NULL;
    data->image_size = meta->model.in_h;
    data->channels = meta->model.in_channels;
    if (data->resize == 0)
        data->resize = meta->image_resize; /* 0 = the default for the size */
    if (meta->norm_channels == meta->model.in_channels && data->norm_channels == 0) {
        data->norm_channels = data->norm_std_channels = meta->norm_channels;
        memcpy(data->norm_mean, meta->norm_mean, sizeof meta->norm_mean);
        memcpy(data->norm_std, meta->norm_std, sizeof meta->norm_std);
    }
    sc_data_request req;
    memset(&req, 0, sizeof req);
    req.dir = dir;
    req.data = data;
    SC_TRY(sc_source_open(dataset, &req, out, err));
    sc_source_limit(*out, limit);
    sc_status st = check_fits(*out, path, meta, err);
    if (st != SC_OK) {
        sc_source_close(*out);
        *out = NULL;
    }
    return st;
}

/* Samples a selection can reach: 1 + the largest index of the list, else limit (0 = all); a
 * malformed list asks for everything and is refused by sc_selection_make afterwards. */
static int64_t reachable(const char *indices, int64_t limit) {
    if (!indices || !indices[0])
        return limit;
    int64_t largest = -1;
    const char *at = indices;
    while (*at) {
        char *end;
        long long v = strtoll(at, &end, 10);
        if (end == at || v < 0)
            return 0;
        largest = v > largest ? v : largest;
        at = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0')
            return 0;
    }
    return largest + 1;
}

sc_status sc_cli_load_eval_dataset(const char *dataset, const char *dir, const char *path,
                                   const char *indices, int64_t limit, sc_dataset *out,
                                   sc_error *err) {
    memset(out, 0, sizeof *out);
    const sc_reader *reader = sc_reader_find(dataset);
    if (!reader || reader->load)
        return sc_dataset_load(dataset, dir && dir[0] ? dir : NULL, 0, out, err);
    sc_checkpoint_meta meta;
    SC_TRY(sc_checkpoint_read_meta(path, &meta, err));
    sc_data_config data;
    memset(&data, 0, sizeof data);
    sc_source *src;
    SC_TRY(sc_cli_open_eval_source(dataset, dir, path, &meta, &data, 0, &src, err));
    sc_status st = sc_source_materialize(src, reachable(indices, limit), sc_data_workers(&data),
                                         out, err);
    sc_source_close(src);
    return st;
}
