#!/usr/bin/env bash
# Measures exporting a generated society of 100,000 people and 10,000
# meetings in the three formats (site, vCard, iCalendar) with nspm, side by
# side with the peers that do the same work:
#   site   Hugo building one page per person and a list of them
#   vcard  Python's vobject writing the same public cards as one .vcf
#   ics    Python's icalendar writing the same meetings as one .ics
# and `cp -r` of the bytes nspm wrote (the floor). Every tool runs once per
# round, the tools alternating, so a busy spell on the machine hits them all.
# Prints a Markdown table of medians (hyperfine for time, /usr/bin/time for
# peak memory), the ratios and the goals. See BENCHMARKS.md.
#
# Usage: bench/export.sh      (RUNS=N rounds, default 5; WORK=DIR to measure
#                              on another file system than mktemp's;
#                              FORMATS="site vcard ics" to measure fewer)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

default_runs=5
# shellcheck source=bench/common.sh
. bench/common.sh

# The tools: hyperfine, GNU time, Hugo (Debian's), and a Python with
# vobject and icalendar (the test tools' pinned versions).
need hyperfine time hugo
venv=$root/.tools/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/tools/requirements.txt
fi
python=$venv/bin/python
peers=$root/bench/peers

build_binaries

work=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/nspm-export-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
soc=$work/society
"$gen" --people "$people" --meetings "$meetings" --institutions "$institutions" \
  --seed "$seed" --out "$soc" >&2

# Everything the timed commands read is made here, once: the peers' records
# as nspm lists them, Hugo's content, and nspm's own output for `cp`.
export SOURCE_DATE_EPOCH=1765395153
"$nspm" people list --format json --data "$soc" >"$work/people.json"
"$nspm" meetings list --format json --data "$soc" >"$work/meetings.json"
"$nspm" society --format json --data "$soc" >"$work/society.json"
formats=${FORMATS:-site vcard ics}
ref=$work/ref
mkdir "$ref"
if [[ " $formats " == *" site "* ]]; then
  "$python" "$peers/hugo_content.py" "$work/people.json" "$work/hugo"
  "$nspm" export site --out "$ref/site" --data "$soc" 2>/dev/null
fi
"$nspm" export vcard --out "$ref/people.vcf" --data "$soc"
"$nspm" export ics --out "$ref/meetings.ics" --data "$soc"
stamp=$(grep -m1 '^DTSTAMP:' "$ref/meetings.ics" | tr -d '\r' |
  sed -E 's/DTSTAMP:(....)(..)(..)T(..)(..)(..)Z/\1-\2-\3T\4:\5:\6Z/')
out=$work/out

# name|format|command; each writes to $out, which is removed before each run.
cases=(
  "nspm export site|site|$nspm export site --data $soc --out $out"
  "hugo|site|hugo --quiet --source $work/hugo --destination $out"
  "cp -r (nspm's site)|site|cp -r $ref/site $out"
  "nspm export vcard|vcard|$nspm export vcard --vcard-version 3.0 --audience public --data $soc --out $out"
  "vobject (Python)|vcard|$python $peers/vobject_write.py $work/people.json $work/society.json $out"
  "cp (nspm's .vcf)|vcard|cp $ref/people.vcf $out"
  "nspm export ics|ics|$nspm export ics --audience public --data $soc --out $out"
  "icalendar (Python)|ics|$python $peers/icalendar_write.py $work/meetings.json $work/society.json $stamp $out"
  "cp (nspm's .ics)|ics|cp $ref/meetings.ics $out"
  "nspm check (load + check only)|-|$nspm check --data $soc"
)

# The cases of the formats asked for; the load + check row always runs.
chosen=()
for i in "${!cases[@]}"; do
  IFS='|' read -r _ format _ <<<"${cases[$i]}"
  if [ "$format" = - ] || [[ " $formats " == *" $format "* ]]; then chosen+=("$i"); fi
done

mkdir "$work/m"
declare -A made
for i in "${chosen[@]}"; do
  # Every command must succeed before it is timed; what it wrote is counted:
  # the bytes of its files only (`du -sb` would add the directories' own
  # sizes, 4 KiB each on ext4 and next to nothing on tmpfs).
  cmd=${cases[$i]##*|}
  rm -rf "$out"
  $cmd >/dev/null 2>&1 || { echo "failed: $cmd" >&2; exit 1; }
  made[$i]="-"
  [ -e "$out" ] && made[$i]="$(find "$out" -type f -printf '%s\n' |
    awk '{ s += $1; n++ } END { printf "%d B, %d files", s, n }')"
done
for round in $(seq "$runs"); do
  for i in "${chosen[@]}"; do
    cmd=${cases[$i]##*|}
    # The Python peers time their own writing and append it here.
    export BENCH_WRITE_TIMES=$work/m/$i.write
    hyperfine -N --style none --runs 1 --prepare "rm -rf $out" --export-csv "$work/t.csv" \
      "/usr/bin/time -f %M -a -o $work/m/$i.kb $cmd" >/dev/null 2>&1
    # Columns: command, mean, stddev, median, user, system, min, max (seconds).
    awk -F, 'NR == 2 { print $4 * 1000 }' "$work/t.csv" >>"$work/m/$i.ms"
    awk -F, 'NR == 2 { print ($5 + $6) * 1000 }' "$work/t.csv" >>"$work/m/$i.cpu"
  done
  echo "round $round of $runs done" >&2
done

declare -A ms cpu kb write_ms write_cpu
for i in "${chosen[@]}"; do
  ms[$i]=$(median <"$work/m/$i.ms")
  cpu[$i]=$(median <"$work/m/$i.cpu")
  kb[$i]=$(median <"$work/m/$i.kb")
  if [ -f "$work/m/$i.write" ]; then
    write_ms[$i]=$(sed -E 's/.*write_ms=([0-9.]+).*/\1/' "$work/m/$i.write" | median)
    write_cpu[$i]=$(sed -E 's/.*write_cpu_ms=([0-9.]+).*/\1/' "$work/m/$i.write" | median)
  fi
done

fmt() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo
echo "| format | tool | median wall (ms) | median CPU user+sys (ms) | peak memory (KB, median) | output |"
echo "|---|---|---:|---:|---:|---:|"
for i in "${chosen[@]}"; do
  IFS='|' read -r name format _ <<<"${cases[$i]}"
  wall=$(fmt "${ms[$i]}") c=$(fmt "${cpu[$i]}")
  if [ -n "${write_ms[$i]:-}" ]; then
    wall="$(fmt "${write_ms[$i]}") writing (${wall} whole process)"
    c="$(fmt "${write_cpu[$i]}") writing (${c} whole process)"
  fi
  echo "| $format | $name | $wall | $c | ${kb[$i]} | ${made[$i]} |"
done
echo
echo "society: $people people, $meetings meetings, $institutions institutions, seed $seed;" \
  "$runs rounds; work dir on $(df --output=fstype "$work" | tail -1)"
echo "$(hugo version | cut -d' ' -f1-2); Python $("$python" -c 'import sys, icalendar, vobject; print(sys.version.split()[0], "icalendar", icalendar.__version__, "vobject 0.9.9")')"
echo

# The peers' time: writing alone for the Python scripts (they time it
# themselves, JSON reading left out); the whole process for Hugo and cp.
peer_ms() { echo "${write_ms[$1]:-${ms[$1]}}"; }
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; then echo pass; else echo FAIL; fi; }
goal() { # nspm case, peer case, cp case
  local n=$1 p=$2 c=$3 fast floor
  fast=$(ratio "$(peer_ms "$p")" "${ms[$n]}")
  floor=$(ratio "${ms[$n]}" "${ms[$c]}")
  echo "goal: ${cases[$n]%%|*} at least 20x faster than ${cases[$p]%%|*}: ${fast}x: $(verdict "$fast" 20)"
  echo "goal: ${cases[$n]%%|*} within 3x of ${cases[$c]%%|*}: ${floor}x: $(verdict 3 "$floor")"
}
[[ " $formats " == *" site "* ]] && goal 0 1 2
[[ " $formats " == *" vcard "* ]] && goal 3 4 5
[[ " $formats " == *" ics "* ]] && goal 6 7 8
echo "(nspm check, the load + check every nspm export starts with: $(fmt "${ms[9]}") ms)"
