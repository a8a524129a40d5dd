/* Ctrl-C / SIGTERM handling without a global flag: the signals are blocked in every thread
 * and the training loop asks, once per step, whether one is pending. The first one stops the
 * run after a checkpoint; it stays pending, so later polls see it too. */
#include <signal.h>
#include <time.h>

#include "commands.h"

void sc_signals_block(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

int sc_stop_requested(void *unused) {
    (void)unused;
    sigset_t pending;
    if (sigpending(&pending) != 0)
        return 0;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}
