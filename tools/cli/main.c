/* scaat: command-line entry point. Dispatches to the subcommands (train, eval, info, bench, explain, evaluate,
 * data-check, data-stats). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static void print_usage(FILE *out) {
    fputs("usage: scaat <command> [options]\n"
          "\n"
          "Saliency-constrained adversarial training engine (C11 + CUDA).\n"
          "\n"
          "commands:\n"
          "  train   train a classifier (standard, adv, sgt, scaat or asgt; see scaat train --help)\n"
          "  eval    evaluate a checkpoint on a dataset's test split\n"
          "  info    show the build, the CPU backend and the GPU (if any)\n"
          "  bench   training-step or metric throughput on synthetic data (vs the PyTorch peer)\n"
          "  explain saliency maps of test images as heatmaps, for one or more checkpoints\n"
          "  evaluate saliency-quality metrics and robust accuracy of one or more checkpoints\n"
          "  data-check decode every image of a dataset: counts, sizes, bad files, throughput\n"
          "  data-stats per-channel mean / std of a training split (for --norm-mean/--norm-std)\n"
          "\n"
          "Run 'scaat <command> --help' for the options of a command.\n"
          "Exit codes: 0 success, 2 usage or input error, 1 runtime failure.\n",
          out);
}

/* libgomp reads OMP_WAIT_POLICY once, when it is loaded (before main), and its default lets
 * threads spin between parallel regions, which makes every CPU op several times slower when
 * another process holds a core. Unless the user chose a policy, run this program again with
 * PASSIVE: same speed on an idle machine. If the exec fails, carry on as we are. */
static void prefer_passive_openmp(char **argv) {
    if (getenv("OMP_WAIT_POLICY") || setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
}

int main(int argc, char **argv) {
    prefer_passive_openmp(argv);
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "train") == 0)
        return sc_cmd_train(argc - 2, argv + 2);
    if (strcmp(cmd, "eval") == 0)
        return sc_cmd_eval(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return sc_cmd_info(argc - 2, argv + 2);
    if (strcmp(cmd, "bench") == 0)
        return sc_cmd_bench(argc - 2, argv + 2);
    if (strcmp(cmd, "explain") == 0)
        return sc_cmd_explain(argc - 2, argv + 2);
    if (strcmp(cmd, "evaluate") == 0)
        return sc_cmd_evaluate(argc - 2, argv + 2);
    if (strcmp(cmd, "data-check") == 0)
        return sc_cmd_data_check(argc - 2, argv + 2);
    if (strcmp(cmd, "data-stats") == 0)
        return sc_cmd_data_stats(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("scaat 0.1.0\n");
        return 0;
    }
    fprintf(stderr, "scaat: error: unknown command '%s' (expected train, eval, info, bench, explain, evaluate, data-check or data-stats)\n", cmd);
    return 2;
}
