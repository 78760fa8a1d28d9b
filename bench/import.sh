#!/usr/bin/env bash
# Measures `nspm people import` of a 10,000-row CSV into a society of 10
# people: the rows are the people of a generated society of 10,000 (as
# `nspm people list --format csv` writes them), so 10 rows are unchanged and
# the rest added. With NSPM_BEFORE=/path/to/nspm, that build is timed side
# by side in the same run (the "before" of BENCHMARKS.md). Each run imports
# into a fresh copy of the small society. Prints a Markdown table of medians.
#
# Usage: bench/import.sh   (RUNS=N runs per command, default 5; ROWS=N rows)
set -euo pipefail
cd "$(dirname "$0")/.."

default_runs=5
# shellcheck source=bench/common.sh
. bench/common.sh
rows=${ROWS:-10000}

need hyperfine

build_binaries

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same seed and institutions: the small society's institutions are the
# large one's, so every row's institution is known.
"$gen" --people "$rows" --meetings 10 --institutions 200 --seed "$seed" --out "$work/large" >&2
"$gen" --people 10 --meetings 10 --institutions 200 --seed "$seed" --out "$work/small" >&2
"$nspm" --data "$work/large" people list --format csv >"$work/people.csv"
echo "rows: $(($(wc -l <"$work/people.csv") - 1))" >&2

declare -A ms
names=()
for build in after ${NSPM_BEFORE:+before}; do
  bin=$nspm
  [ "$build" = before ] && bin=$NSPM_BEFORE
  printf 'rm -rf %s/into && cp -r %s/small %s/into\n' "$work" "$work" "$work" >"$work/prepare.sh"
  prepare="sh $work/prepare.sh"
  cmd="$bin --data $work/into people import $work/people.csv"
  # The import must succeed, and add every row the small society lacks.
  $prepare && $cmd >/dev/null
  hyperfine -N --style basic --runs "$runs" --prepare "$prepare" --export-csv "$work/t.csv" "$cmd" >&2
  ms[$build]=$(awk -F, 'NR == 2 { printf "%.0f", $4 * 1000 }' "$work/t.csv")
  names+=("$build")
done

echo
echo "| nspm people import, $rows rows into 10 people | median ms |"
echo "|---|---:|"
for build in "${names[@]}"; do
  echo "| $build | ${ms[$build]} |"
done
if [ -n "${NSPM_BEFORE:-}" ]; then
  awk -v a="${ms[after]}" -v b="${ms[before]}" 'BEGIN { printf "\nbefore / after: %.1f×\n", b / a }'
fi
