/* scaat train in a data-parallel job (see dist_job.h). */
#include "dist_job.h"

#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "datasets/registry.h"
#include "host/core/log.h"
#include "host/dist/cpu_share.h"

void sc_cli_stop_init(sc_cli_stop *s) {
    const char *after = getenv("SCAAT_TEST_STOP_AFTER_STEPS");
    s->polls = 0;
    s->stop_after = after ? atoll(after) : 0;
}

int sc_cli_should_stop(void *ctx) {
    sc_cli_stop *s = ctx;
    s->polls++;
    return sc_stop_requested(NULL) || (s->stop_after > 0 && s->polls > s->stop_after);
}

sc_status sc_cli_dist_join(sc_dist *d, sc_train_config *cfg, sc_error *err) {
    SC_TRY(sc_dist_init(d, err));
    SC_TRY(sc_dist_select_gpu(d, err));
    const char *bad_rank = getenv("SCAAT_TEST_BAD_DATA_RANK");
    if (bad_rank && atoi(bad_rank) == d->rank && sc_dist_active(d)) {
        char bad[SC_PATH_LEN];
        snprintf(bad, sizeof bad, "%s/missing-on-rank-%d", cfg->data_dir[0] ? cfg->data_dir : ".",
                 d->rank);
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", bad);
    }
    if (d->launched) { /* the ranks on a node share its cores (tools/docs/cluster.md) */
        const int share = sc_dist_cpu_share(d);
        const sc_reader *reader = sc_reader_find(cfg->dataset);
        if (cfg->data.workers == 0 && reader && !reader->load) /* in-memory sets: 1 worker */
            cfg->data.workers = share;
        if (cfg->threads == 0 && !getenv("OMP_NUM_THREADS")) /* else OpenMP's count */
            cfg->threads = share;
    }
    if (sc_dist_active(d) && d->rank == 0)
        sc_log("data-parallel run: %d ranks, global batch %d (%d per rank)%s; rank 0: CPU "
               "threads %d, decode workers %d", d->world_size, cfg->batch,
               cfg->batch / d->world_size, cfg->sync_bn ? ", sync-BN" : "", cfg->threads,
               cfg->data.workers);
    return SC_OK;
}

int sc_cli_dist_exit(sc_dist *d, int exit_code, const sc_error *err) {
    if (exit_code == 0 || exit_code == 130) {
        sc_dist_finalize(d);
        return exit_code;
    }
    if (sc_dist_failed_together(d, exit_code, err->msg)) { /* every rank: one line */
        if (d->rank == 0)
            sc_log_error("%s (on every rank)", err->msg);
    } else if (sc_dist_active(d)) {
        sc_log_error("rank %d of %d: %s", d->rank, d->world_size, err->msg);
        fflush(stderr);
        sc_dist_abort(d, exit_code);
    } else {
        sc_log_error("%s", err->msg);
    }
    sc_dist_finalize(d);
    return exit_code;
}
