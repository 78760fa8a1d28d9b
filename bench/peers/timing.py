"""What the peers' scripts share: reporting how long writing took."""

import os
import sys


def report(wall, cpu):
    """Prints the write's wall and CPU time (seconds) in milliseconds, as
    `write_ms=<wall> write_cpu_ms=<cpu>`, to the file that BENCH_WRITE_TIMES
    names (bench/export.sh collects every run there) or to standard error."""
    line = f"write_ms={wall * 1000:.1f} write_cpu_ms={cpu * 1000:.1f}"
    path = os.environ.get("BENCH_WRITE_TIMES")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            print(line, file=f)
    else:
        print(line, file=sys.stderr)
