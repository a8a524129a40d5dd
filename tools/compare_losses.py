#!/usr/bin/env python3
"""Compare the step losses of two run directories (their log.jsonl) step by step.

    tools/compare_losses.py RUN_A RUN_B [--rtol 1e-5]

Prints one line: the number of steps compared and the largest relative difference
|a - b| / |a|; exits 0 when both logs have the same steps and every loss agrees within
--rtol, 1 when they differ, 2 when a log is missing or has no step lines. Used by
tools/gpu_check.sh (a 1-rank NCCL run against the plain run); needs only the standard library.
"""
import argparse
import json
import math
import os
import sys


def step_losses(run):
    """{global step: loss} of the "step" lines of run/log.jsonl."""
    path = os.path.join(run, "log.jsonl")
    losses = {}
    try:
        with open(path) as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("type") == "step" and record.get("loss") is not None:
                    losses[int(record["step"])] = float(record["loss"])
    except OSError as e:
        sys.exit(f"compare_losses: cannot read {path}: {e.strerror}")
    if not losses:
        sys.exit(f"compare_losses: {path} has no step lines")
    return losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_a")
    parser.add_argument("run_b")
    parser.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance (default 1e-5)")
    args = parser.parse_args()
    try:
        a, b = step_losses(args.run_a), step_losses(args.run_b)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    if sorted(a) != sorted(b):
        print(f"different steps logged: {len(a)} in {args.run_a}, {len(b)} in {args.run_b}")
        return 1
    worst, worst_step = 0.0, None
    for step in sorted(a):
        diff = abs(a[step] - b[step]) / max(abs(a[step]), 1e-30)
        if math.isnan(diff) or diff > worst:
            worst, worst_step = (math.inf if math.isnan(diff) else diff), step
    where = f" (step {worst_step}: {a[worst_step]:.9g} vs {b[worst_step]:.9g})" if worst_step is not None else ""
    print(f"{len(a)} steps, max relative difference {worst:.3g}{where}")
    return 0 if worst <= args.rtol else 1


if __name__ == "__main__":
    sys.exit(main())
