/* Opening a training run's data (see train_data.h). */
#include "train_data.h"

#include <string.h>

static sc_status open_splits(sc_train_config *cfg, sc_source **train, sc_source **test,
                             sc_error *err) {
    sc_data_request req;
    memset(&req, 0, sizeof req);
    req.dir = cfg->data_dir;
    req.data = &cfg->data;
    SC_TRY(sc_source_open(cfg->dataset, &req, test, err));
    sc_train_config_resolve(cfg, (*test)->height);
    req.train = 1;
    req.augment.crop_padding = cfg->crop_padding;
    req.augment.flip = cfg->flip;
    SC_TRY(sc_source_open(cfg->dataset, &req, train, err));
    sc_source_limit(*train, cfg->limit_train);
    sc_source_limit(*test, cfg->limit_test);
    if (cfg->eval_batch > (*test)->count) /* a bigger batch would only plan more memory */
        cfg->eval_batch = (int)(*test)->count;
    const sc_source *t = *train;
    if (t->channels > SC_MAX_CHANNELS)
        return sc_fail(err, SC_ERR_USAGE, "%s has %d channels; the engine supports up to %d",
                       cfg->dataset, t->channels, SC_MAX_CHANNELS);
    cfg->norm.channels = t->channels;
    for (int c = 0; c < t->channels; c++) {
        cfg->norm.mean[c] = t->mean[c];
        cfg->norm.std[c] = t->std[c];
    }
    if (t->count < cfg->batch)
        return sc_fail(err, SC_ERR_USAGE, "--batch %d is larger than the %lld training images",
                       cfg->batch, (long long)t->count);
    return SC_OK;
}

sc_status sc_train_data_open(sc_train_config *cfg, sc_source **train, sc_source **test,
                             sc_error *err) {
    *train = NULL;
    *test = NULL;
    sc_status st = open_splits(cfg, train, test, err);
    if (st != SC_OK) {
        sc_source_close(*train);
        sc_source_close(*test);
        *train = NULL;
        *test = NULL;
    }
    return st;
}

void sc_train_data_loader_config(const sc_data_config *data, const sc_source *src,
                                 sc_loader_config *lc) {
    int in_memory = src->dataset != NULL;
    lc->workers = in_memory ? (data->workers > 0 ? data->workers : 1) : sc_data_workers(data);
    lc->queue_depth = in_memory ? 2 : 4;
    lc->skip_bad = data->skip_bad;
}
