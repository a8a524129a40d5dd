/* Run directory files (see run_files.h). */
#include "run_files.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/core/fileio.h"
#include "host/core/log.h"
#include "run_recover.h"

sc_status sc_mkdirs(const char *path, sc_error *err) {
    char buf[SC_PATH_LEN];
    int n = snprintf(buf, sizeof buf, "%s", path);
    if (n <= 0 || (size_t)n >= sizeof buf)
        return sc_fail(err, SC_ERR_USAGE, "output directory path is empty or too long");
    for (char *p = buf + 1; ; p++) {
        char saved = *p;
        if (saved != '/' && saved != '\0')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return sc_fail(err, SC_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return sc_fail(err, SC_ERR_IO, "%s exists and is not a directory", path);
    return SC_OK;
}

sc_status sc_write_json_file(const char *path, const sc_json_writer *w, sc_error *err) {
    SC_TRY(sc_json_writer_finish(w, err));
    sc_file_chunk chunks[2] = {{w->buf, w->len}, {"\n", 1}};
    return sc_file_write_atomic_chunks(path, chunks, 2, err);
}

sc_status sc_run_files_open(sc_run_files *f, const sc_train_config *cfg, int append,
                            sc_error *err) {
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", cfg->out_dir);
    SC_TRY(sc_mkdirs(f->dir, err));
    SC_TRY(sc_run_lock_acquire(&f->lock, f->dir, err));
    int removed = sc_run_remove_stale_temporaries(f->dir);
    if (removed > 0)
        sc_log("removed %d temporary file%s of interrupted writes from %s", removed,
               removed == 1 ? "" : "s", f->dir);
    char path[SC_PATH_LEN + 32];
    snprintf(path, sizeof path, "%s/config.json", f->dir);
    sc_json_writer w;
    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_train_config_write_json(cfg, &w);
    sc_json_end_object(&w);
    sc_status st = sc_write_json_file(path, &w, err);
    sc_json_writer_free(&w);
    SC_TRY(st);
    snprintf(path, sizeof path, "%s/log.jsonl", f->dir);
    f->log = fopen(path, append ? "a" : "w");
    if (!f->log)
        return sc_fail(err, SC_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    sc_json_writer_init(&f->line, 0);
    return SC_OK;
}

sc_status sc_run_files_sync_log(sc_run_files *f, int64_t *log_bytes, sc_error *err) {
    struct stat st;
    if (fflush(f->log) != 0 || fsync(fileno(f->log)) != 0 || fstat(fileno(f->log), &st) != 0)
        return sc_fail(err, SC_ERR_WRITE, "syncing %s/log.jsonl: %s", f->dir, strerror(errno));
    *log_bytes = (int64_t)st.st_size;
    return SC_OK;
}

static sc_status write_line(sc_run_files *f, sc_error *err) {
    SC_TRY(sc_json_writer_finish(&f->line, err));
    if (fprintf(f->log, "%s\n", f->line.buf) < 0 || fflush(f->log) != 0)
        return sc_fail(err, SC_ERR_WRITE, "writing %s/log.jsonl: %s", f->dir, strerror(errno));
    return SC_OK;
}

sc_status sc_run_files_log_step(sc_run_files *f, const sc_step_record *r, sc_error *err) {
    sc_json_writer *w = &f->line;
    sc_json_writer_reset(w);
    sc_json_begin_object(w);
    sc_json_field_string(w, "type", "step");
    sc_json_field_int(w, "epoch", r->epoch + 1);
    sc_json_field_int(w, "step", r->global_step);
    sc_json_field_double(w, "loss", r->loss);
    sc_json_field_double(w, "ce", r->ce);
    sc_json_field_double(w, "ce_adv", r->ce_adv);
    sc_json_field_double(w, "kl", r->kl);
    sc_json_field_double(w, "accuracy", r->accuracy);
    sc_json_field_float(w, "lr", r->lr);
    sc_json_field_double(w, "images_per_s", r->images_per_s);
    sc_json_end_object(w);
    return write_line(f, err);
}

sc_status sc_run_files_log_epoch(sc_run_files *f, const sc_epoch_record *r, sc_error *err) {
    sc_json_writer *w = &f->line;
    sc_json_writer_reset(w);
    sc_json_begin_object(w);
    sc_json_field_string(w, "type", "epoch");
    sc_json_field_int(w, "epoch", r->epoch + 1);
    sc_json_field_int(w, "step", r->global_step);
    sc_json_field_double(w, "train_loss", r->train_loss);
    sc_json_field_double(w, "train_accuracy", r->train_accuracy);
    sc_json_field_double(w, "test_loss", r->test_loss);
    sc_json_field_double(w, "test_accuracy", r->test_accuracy);
    sc_json_field_double(w, "train_saliency_gini", r->saliency_gini);
    sc_json_field_double(w, "delta_mean", r->delta_mean);
    sc_json_field_double(w, "mask_fraction", r->mask_fraction);
    sc_json_field_double(w, "images_per_s", r->images_per_s);
    sc_json_field_double(w, "comm_seconds", r->comm_seconds);
    sc_json_end_object(w);
    return write_line(f, err);
}

sc_status sc_run_files_write_metrics(sc_run_files *f, const sc_train_config *cfg,
                                     const sc_train_result *r, sc_error *err) {
    sc_json_writer w;
    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_json_field_string(&w, "model", cfg->model);
    sc_json_field_string(&w, "dataset", cfg->dataset);
    sc_json_field_string(&w, "mode", sc_mode_name(cfg->mode.kind));
    sc_json_field_double(&w, "test_accuracy", r->test_accuracy);
    sc_json_field_double(&w, "test_loss", r->test_loss);
    sc_json_field_double(&w, "best_test_accuracy", r->best_test_accuracy);
    sc_json_field_double(&w, "test_saliency_gini", r->test_saliency_gini);
    sc_json_field_int(&w, "test_saliency_degenerate", r->test_saliency_degenerate);
    sc_json_field_double(&w, "train_images_per_s", r->train_images_per_s);
    sc_json_field_int(&w, "ranks", r->ranks);
    sc_json_field_double(&w, "train_images_per_s_per_rank",
                         r->ranks > 0 ? r->train_images_per_s / r->ranks : r->train_images_per_s);
    sc_json_field_double(&w, "comm_seconds", r->comm_seconds);
    sc_json_field_int(&w, "epochs", r->epochs_completed);
    sc_json_field_int(&w, "global_step", r->global_step);
    sc_json_field_double(&w, "wall_seconds", r->wall_seconds);
    sc_json_field_bool(&w, "interrupted", r->interrupted);
    sc_json_end_object(&w);
    char path[SC_PATH_LEN + 32];
    snprintf(path, sizeof path, "%s/metrics.json", f->dir);
    sc_status st = sc_write_json_file(path, &w, err);
    sc_json_writer_free(&w);
    return st;
}

void sc_run_files_close(sc_run_files *f) {
    if (f->log)
        fclose(f->log);
    f->log = NULL;
    sc_json_writer_free(&f->line);
    if (f->lock.held)
        sc_run_remove_stale_temporaries(f->dir);
    sc_run_lock_release(&f->lock);
}
