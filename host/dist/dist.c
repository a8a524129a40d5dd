/* Data-parallel context (see dist.h): launcher detection, timing of every collective, sums
 * in rank order. The transport (MPI or single process) is in transport_*.c. */
#include "dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/core/log.h"
#include "transport.h"

int sc_dist_mpi_compiled(void) {
#ifdef SCAAT_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int sc_dist_nccl_compiled(void) {
#ifdef SCAAT_HAVE_NCCL
    return 1;
#else
    return 0;
#endif
}

void sc_dist_describe_build(char *buf, size_t len) {
    if (!sc_dist_mpi_compiled())
        snprintf(buf, len, "no (built without MPI: single-process runs only)");
    else if (!sc_backend_cuda_compiled())
        snprintf(buf, len, "MPI yes (mpirun / srun), NCCL not used (no CUDA backend)");
    else
        snprintf(buf, len, "MPI yes (mpirun / srun), NCCL %s", sc_dist_nccl_compiled()
                 ? "yes (GPU gradients all-reduced on the stream)"
                 : "no (GPU gradients go through MPI in host memory)");
}

/* A job size above 1 announced by a launcher's environment. */
static int launched_by_mpi(void) {
    static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *v = getenv(sizes[i]);
        if (v && atoi(v) >= 1)
            return 1;
    }
    if (getenv("PMIX_RANK"))
        return 1;
    const char *ntasks = getenv("SLURM_NTASKS");
    return ntasks && atoi(ntasks) > 1 && getenv("SLURM_PROCID") && getenv("SLURM_STEP_ID");
}

sc_status sc_dist_init(sc_dist *d, sc_error *err) {
    memset(d, 0, sizeof *d);
    d->world_size = 1;
    int launched = launched_by_mpi();
    if (launched && !sc_dist_mpi_compiled())
        return sc_fail(err, SC_ERR_USAGE, "started by mpirun / srun, but this scaat was built "
                       "without MPI: reconfigure with libopenmpi-dev installed (scaat info says "
                       "whether a build has it)");
    return sc_transport_init(d, launched, err);
}

void sc_dist_finalize(sc_dist *d) {
    if (d)
        sc_transport_finalize(d);
}

void sc_dist_abort(sc_dist *d, int exit_code) {
    if (d && d->launched && d->world_size > 1)
        sc_transport_abort(d, exit_code);
}

int sc_dist_failed_together(sc_dist *d, int exit_code, const char *message) {
    if (!sc_dist_active(d))
        return 0;
    unsigned long long hash = 1469598103934665603ull; /* FNV-1a of the code and the message */
    hash = (hash ^ (unsigned)exit_code) * 1099511628211ull;
    for (const char *c = message; c && *c; c++)
        hash = (hash ^ (unsigned char)*c) * 1099511628211ull;
    return sc_transport_failed_together(d, (long long)(hash >> 1), SC_DIST_FAILURE_WAIT_S);
}

sc_status sc_dist_select_gpu(const sc_dist *d, sc_error *err) {
    if (!sc_dist_active(d))
        return SC_OK;
    const char *visible = getenv("CUDA_VISIBLE_DEVICES");
    char chosen[64];
    if (!visible) {
        snprintf(chosen, sizeof chosen, "%d", d->local_rank);
    } else {
        int entries = 1;
        for (const char *p = visible; *p; p++)
            entries += *p == ',';
        if (entries == 1)
            return SC_OK;
        const char *start = visible;
        for (int i = 0; i < d->local_rank % entries; i++)
            start = strchr(start, ',') + 1;
        size_t len = strcspn(start, ",");
        if (len >= sizeof chosen)
            return sc_fail(err, SC_ERR_USAGE, "CUDA_VISIBLE_DEVICES entry too long: %s", visible);
        memcpy(chosen, start, len);
        chosen[len] = '\0';
    }
    if (setenv("CUDA_VISIBLE_DEVICES", chosen, 1) != 0)
        return sc_fail(err, SC_ERR_IO, "cannot set CUDA_VISIBLE_DEVICES for rank %d", d->rank);
    return SC_OK;
}

int sc_dist_is_root(const sc_dist *d) {
    return !d || d->rank == 0;
}

int sc_dist_active(const sc_dist *d) {
    return d && d->world_size > 1;
}

sc_status sc_dist_allgather(sc_dist *d, const double *mine, int count, double *all,
                            sc_error *err) {
    if (!sc_dist_active(d)) {
        memmove(all, mine, (size_t)count * sizeof *all);
        return SC_OK;
    }
    double started = sc_now_seconds();
    sc_status st = sc_transport_allgather(d, mine, count, all, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

sc_status sc_dist_sum(sc_dist *d, double *values, int count, sc_error *err) {
    if (!sc_dist_active(d) || count <= 0)
        return SC_OK;
    double *all = malloc((size_t)d->world_size * (size_t)count * sizeof *all);
    if (!all)
        return sc_fail(err, SC_ERR_OOM, "no host memory to sum %d values over %d ranks", count,
                       d->world_size);
    sc_status st = sc_dist_allgather(d, values, count, all, err);
    if (st == SC_OK) {
        for (int i = 0; i < count; i++) {
            double total = 0.0;
            for (int r = 0; r < d->world_size; r++)
                total += all[(size_t)r * (size_t)count + (size_t)i];
            values[i] = total;
        }
    }
    free(all);
    return st;
}

sc_status sc_dist_any(sc_dist *d, int *flag, sc_error *err) {
    if (!sc_dist_active(d))
        return SC_OK;
    *flag = *flag != 0;
    double started = sc_now_seconds();
    sc_status st = sc_transport_max_int(d, flag, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

sc_status sc_dist_broadcast(sc_dist *d, void *bytes, size_t size, sc_error *err) {
    if (!sc_dist_active(d))
        return SC_OK;
    double started = sc_now_seconds();
    sc_status st = sc_transport_broadcast(d, bytes, size, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

sc_status sc_dist_sum_floats_start(sc_dist *d, float *data, int64_t count, sc_error *err) {
    if (!sc_dist_active(d) || count <= 0)
        return SC_OK;
    double started = sc_now_seconds();
    sc_status st = sc_transport_sum_floats_start(d, data, count, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

sc_status sc_dist_sum_floats_progress(sc_dist *d, sc_error *err) {
    if (!sc_dist_active(d))
        return SC_OK;
    double started = sc_now_seconds();
    sc_status st = sc_transport_sum_floats_progress(d, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

sc_status sc_dist_sum_floats_wait(sc_dist *d, sc_error *err) {
    if (!sc_dist_active(d))
        return SC_OK;
    double started = sc_now_seconds();
    sc_status st = sc_transport_sum_floats_wait(d, err);
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}
