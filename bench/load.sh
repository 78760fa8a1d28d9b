#!/usr/bin/env bash
# Measures loading and checking: the embedded data, a generated society of
# 100,000 people and 10,000 meetings, and `cat` of the same files for scale.
# Prints a Markdown table of medians (time from hyperfine, peak memory from
# /usr/bin/time) and whether each goal is met. See BENCHMARKS.md.
#
# Usage: bench/load.sh            (RUNS=N sets the runs per measurement, default 15;
#                                 NSPM_BEFORE="DIR/nspm ..." measures nspm's rows
#                                 of those builds too, side by side with this
#                                 one's, by bench/side-by-side.py)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

default_runs=15
# shellcheck source=bench/common.sh
. bench/common.sh

# The tools: hyperfine for time, GNU time for peak memory.
need hyperfine time

build_binaries

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
soc=$work/society
"$gen" --people "$people" --meetings "$meetings" --institutions "$institutions" \
  --seed "$seed" --out "$soc" >&2
files=(society.ron institutions.ron people.ron meetings.ron)
soc_files=("${files[@]/#/$soc/}")
data_files=("${files[@]/#/$root/data/}")
bytes() { stat -c %s "$@" | awk '{ s += $1 } END { print s }'; }
soc_bytes=$(bytes "${soc_files[@]}")
data_bytes=$(bytes "${data_files[@]}")

# Run from an empty directory without NSPM_DATA, so that a bare `nspm` reads
# the data compiled into it.
cd "$work"
unset NSPM_DATA

# name|command, in the order of the table.
cases=(
  "nspm check (embedded)|$nspm check"
  "cat data/*.ron (embedded's files)|cat ${data_files[*]}"
  "nspm people list (embedded)|$nspm people list"
  "nspm check --data (${people} people)|$nspm check --data $soc"
  "nspm-load, library only (${people} people)|$load $soc"
  "cat (${people} people's files)|cat ${soc_files[*]}"
  "nspm-gen (${people} people)|$gen --people $people --meetings $meetings --institutions $institutions --seed $seed --out $work/again"
)

declare -A ms cpu kb
for case in "${cases[@]}"; do
  name=${case%%|*}
  cmd=${case#*|}
  # Every command must succeed before it is timed.
  $cmd >/dev/null
  hyperfine -N --style basic --warmup 3 --runs "$runs" --export-csv "$work/t.csv" "$cmd" >&2
  # Columns: command, mean, stddev, median, user, system, min, max (seconds).
  ms[$name]=$(awk -F, 'NR == 2 { printf "%.1f", $4 * 1000 }' "$work/t.csv")
  cpu[$name]=$(awk -F, 'NR == 2 { printf "%.1f", ($5 + $6) * 1000 }' "$work/t.csv")
  kb[$name]=$(for _ in $(seq "$runs"); do
    /usr/bin/time -f %M -o "$work/m" $cmd >/dev/null
    cat "$work/m"
  done | median)
  echo "measured: $name" >&2
done

check_name="nspm check --data (${people} people)"
soc_cat="cat (${people} people's files)"
data_cat="cat data/*.ron (embedded's files)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo
echo "| command | median wall time (ms) | × cat | CPU user+sys (ms, mean) | peak memory (KB, median) | × file size |"
echo "|---|---:|---:|---:|---:|---:|"
for case in "${cases[@]}"; do
  name=${case%%|*}
  case $name in
    *embedded*) cat_ms=${ms[$data_cat]}; size=$data_bytes ;;
    *) cat_ms=${ms[$soc_cat]}; size=$soc_bytes ;;
  esac
  echo "| $name | ${ms[$name]} | $(ratio "${ms[$name]}" "$cat_ms") | ${cpu[$name]} | ${kb[$name]} | $(ratio "$((${kb[$name]} * 1024))" "$size") |"
done
echo
echo "files: embedded data $data_bytes bytes; generated society $soc_bytes bytes" \
  "($people people, $meetings meetings, $institutions institutions, seed $seed)"
echo

verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; then echo pass; else echo FAIL; fi; }
load_ms=${ms[$check_name]}
mem_ratio=$(ratio "$((${kb[$check_name]} * 1024))" "$soc_bytes")
list_ms=${ms["nspm people list (embedded)"]}
echo "goal: load + check of $people people under 1 s: ${load_ms} ms: $(verdict "$load_ms" 1000)"
echo "goal: its peak memory under 10x the files' size: ${mem_ratio}x: $(verdict "$mem_ratio" 10)"
echo "goal: nspm people list on the embedded data under 10 ms: ${list_ms} ms: $(verdict "$list_ms" 10)"

# The earlier builds, named by their directories: nspm's rows side by side
# with this build's, round after round (every other round in reverse
# order), and their peak memory.
befores=(${NSPM_BEFORE:-})
[ ${#befores[@]} -gt 0 ] || exit 0
echo
for case in "${cases[@]:0:5}"; do
  case $case in cat*) continue ;; esac
  name=${case%%|*}
  cmd=${case#*|}
  args=("this build" "$cmd")
  for bin in "${befores[@]}"; do
    dir=$(dirname "$bin")
    before_cmd=${cmd/#$nspm/$bin}
    before_cmd=${before_cmd/#$load/$dir/nspm-load}
    $before_cmd >/dev/null
    peak=$(for _ in $(seq "$runs"); do
      /usr/bin/time -f %M -o "$work/m" $before_cmd >/dev/null
      cat "$work/m"
    done | median)
    args+=("before: $(basename "$dir"), peak $peak KB" "$before_cmd")
  done
  echo "### $name (this build's peak memory: ${kb[$name]} KB)"
  echo
  python3 "$root/bench/side-by-side.py" "$runs" "${args[@]}"
  echo
done
