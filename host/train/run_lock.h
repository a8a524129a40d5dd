/* The lock of a run directory: one training run at a time per --out. The lock is an
 * open-file-description lock (fcntl F_OFD_SETLK, a POSIX record lock where that is missing) on
 * <dir>/run.lock, held while the run lives and released by the kernel when the process ends,
 * however it ends: a lock file left by a killed run is simply taken over. The file says who
 * holds it ("pid 1234 on host node7"); it stays in the directory after the run. In a
 * data-parallel run only the rank that writes the run directory (rank 0) takes it. */
#ifndef SC_RUN_LOCK_H
#define SC_RUN_LOCK_H

#include "host/core/status.h"

typedef struct sc_run_lock {
    int held; /* 0 when not held (a zeroed struct is a lock not held) */
    int fd;
} sc_run_lock;

/* Take the lock of the existing directory dir. A directory locked by another run (in this
 * process or another, on this host or another sharing the file system) is SC_ERR_USAGE naming
 * the holder; a file system without locks is SC_ERR_IO. */
sc_status sc_run_lock_acquire(sc_run_lock *lock, const char *dir, sc_error *err);
/* Release (no-op when not held). */
void sc_run_lock_release(sc_run_lock *lock);

#endif
