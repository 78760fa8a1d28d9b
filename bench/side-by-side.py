#!/usr/bin/env python3
"""Measures commands side by side: one run of each in turn, round after
round (every other round in reverse order), so that a busy spell on a shared
machine hits them all alike. Prints a Markdown table of medians (wall time;
user + system CPU time of the process and all its threads) and, for every
command after the first, the median over the rounds of its time divided by
the first command's in the same round.

Usage: bench/side-by-side.py ROUNDS NAME COMMAND [NAME COMMAND ...]

COMMAND is split like a shell line, and leading VAR=value words set its
environment. A COMMAND written `prep: SHELL ;; COMMAND` runs SHELL, untimed,
before each run (to remove an output directory, say). Peak memory is left
to bench/load.sh: a child's ru_maxrss counts the Python process it was
forked from.
"""

import os
import shlex
import statistics
import subprocess
import sys
import time


def parse(command):
    prepare = None
    if command.startswith("prep:") and ";;" in command:
        prepare, command = command[len("prep:"):].split(";;", 1)
    words = shlex.split(command)
    env = {}
    while words and "=" in words[0] and not words[0].startswith("/"):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    return prepare, env, words


def run(prepare, env, words):
    if prepare:
        subprocess.run(prepare, shell=True, check=True)
    start = time.perf_counter()
    child = subprocess.Popen(
        words,
        env=dict(os.environ, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {shlex.join(words)}")
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    if len(sys.argv) < 4 or len(sys.argv) % 2 != 0:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    cases = [(sys.argv[i], parse(sys.argv[i + 1])) for i in range(2, len(sys.argv), 2)]
    for _, case in cases:  # one warm-up run each
        run(*case)
    times = {name: [] for name, _ in cases}
    for r in range(rounds):
        for name, case in cases if r % 2 == 0 else reversed(cases):
            times[name].append(run(*case))
    print(f"{rounds} rounds")
    print()
    print("| command | median wall (ms) | median CPU user+sys (ms) |")
    print("|---|---:|---:|")
    for name, _ in cases:
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    print()
    first = cases[0][0]
    for name, _ in cases[1:]:
        pairs = list(zip(times[first], times[name]))
        wall = statistics.median(b[0] / a[0] for a, b in pairs)
        cpu = statistics.median(b[1] / a[1] for a, b in pairs)
        print(f"{name} ÷ {first}, per round, median: wall {wall:.3f}, CPU {cpu:.3f}")


if __name__ == "__main__":
    main()
