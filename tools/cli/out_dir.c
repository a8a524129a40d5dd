/* Create and lock a command's output directory (see out_dir.h). */
#include "out_dir.h"

#include "host/train/run_files.h"

sc_status sc_cli_out_dir_lock(const char *dir, sc_run_lock *lock, sc_error *err) {
    SC_TRY(sc_mkdirs(dir, err));
    return sc_run_lock_acquire(lock, dir, err);
}
