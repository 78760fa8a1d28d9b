#!/usr/bin/env bash
# Measures exporting a generated society of 100,000 people and 10,000
# meetings in the three formats (site, vCard, iCalendar) with nspm, side by
# side with the peers that do the same work:
#   site   Hugo building one page per person and a list of them
#   vcard  Python's vobject writing the same public cards as one .vcf
#   ics    Python's icalendar writing the same meetings as one .ics
# and `cp -r` of the bytes nspm wrote (the floor). Every tool runs once per
# round, the tools alternating (every other round in reverse order), so a
# busy spell on the machine hits them all. Prints a Markdown table of
# medians (hyperfine for time, /usr/bin/time for peak memory), the ratios
# and the goals, and the site's cost per page, with the preview images' and
# QR codes' shares (their drawing and their files' writing) apart (from
# `nspm export site --timings`). See BENCHMARKS.md.
#
# Usage: bench/export.sh      (RUNS=N rounds, default 5; WORK=DIR to measure
#                              on another file system than mktemp's;
#                              FORMATS="site vcard ics" to measure fewer;
#                              PEERS=0 for nspm's rows alone, without Hugo,
#                              the Python peers and cp;
#                              NSPM_BEFORE="DIR/nspm ..." to time other
#                              builds' nspm rows in the same rounds, each
#                              named by its directory, with per-round ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

default_runs=5
# shellcheck source=bench/common.sh
. bench/common.sh

peers_on=${PEERS:-1}
# The tools: hyperfine, GNU time, Hugo (Debian's), and a Python with
# vobject and icalendar (the test tools' pinned versions).
need hyperfine time
python=python3
if [ "$peers_on" != 0 ]; then
  need hugo
  venv=$root/.tools/bench-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r tests/tools/requirements.txt
  fi
  python=$venv/bin/python
fi
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
if [ "$peers_on" != 0 ]; then
  "$nspm" people list --format json --data "$soc" >"$work/people.json"
  "$nspm" meetings list --format json --data "$soc" >"$work/meetings.json"
  "$nspm" society --format json --data "$soc" >"$work/society.json"
fi
formats=${FORMATS:-site vcard ics}
ref=$work/ref
mkdir "$ref"
if [[ " $formats " == *" site "* ]] && [ "$peers_on" != 0 ]; then
  "$python" "$peers/hugo_content.py" "$work/people.json" "$work/hugo"
  "$nspm" export site --out "$ref/site" --data "$soc" 2>/dev/null
fi
"$nspm" export vcard --out "$ref/people.vcf" --data "$soc"
"$nspm" export ics --out "$ref/meetings.ics" --data "$soc"
stamp=$(grep -m1 '^DTSTAMP:' "$ref/meetings.ics" | tr -d '\r' |
  sed -E 's/DTSTAMP:(....)(..)(..)T(..)(..)(..)Z/\1-\2-\3T\4:\5:\6Z/')
out=$work/out

# What a site export says on stderr (its --timings) is kept, one file per
# case: this runs a command with its stderr appended to the file named first.
mkdir "$work/m" "$work/err"
stderr_to=$work/stderr-to
printf '#!/bin/sh\nf=$1; shift; exec "$@" 2>>"$f"\n' >"$stderr_to"
chmod +x "$stderr_to"
# `nspm export site` of the binary $1, with --timings when it has them.
site_cmd() {
  local timings=
  "$1" export site --help | grep -q -- --timings && timings=--timings
  echo "$stderr_to $work/err/${#cases[@]} $1 export site $timings --data $soc --out $out"
}

# name|format|command; each writes to $out, which is removed before each run.
cases=()
cases+=("nspm export site|site|$(site_cmd "$nspm")")
cases+=(
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
# The earlier builds' nspm rows, after this build's: case $i of build $b is
# case ${before_of[$b,$i]}, named "(before: DIR)" after its directory.
nspm_rows=(0 3 6 9)
befores=(${NSPM_BEFORE:-})
declare -A before_of
for b in "${!befores[@]}"; do
  bin=${befores[$b]}
  tag=" (before: $(basename "$(dirname "$bin")"))"
  before_of[$b,0]=${#cases[@]}
  cases+=("nspm export site$tag|site|$(site_cmd "$bin")")
  before_of[$b,3]=${#cases[@]}
  cases+=("nspm export vcard$tag|vcard|$bin export vcard --vcard-version 3.0 --audience public --data $soc --out $out")
  before_of[$b,6]=${#cases[@]}
  cases+=("nspm export ics$tag|ics|$bin export ics --audience public --data $soc --out $out")
  before_of[$b,9]=${#cases[@]}
  cases+=("nspm check$tag|-|$bin check --data $soc")
done

# The cases of the formats asked for; the load + check rows always run,
# the peers' and cp's unless PEERS=0.
is_nspm() { [[ ${cases[$1]} == "nspm "* ]]; }
chosen=()
for i in "${!cases[@]}"; do
  IFS='|' read -r _ format _ <<<"${cases[$i]}"
  is_nspm "$i" || [ "$peers_on" != 0 ] || continue
  if [ "$format" = - ] || [[ " $formats " == *" $format "* ]]; then chosen+=("$i"); fi
done

declare -A made pages previews
for i in "${chosen[@]}"; do
  # Every command must succeed before it is timed; what it wrote is counted:
  # the bytes of its files only (`du -sb` would add the directories' own
  # sizes, 4 KiB each on ext4 and next to nothing on tmpfs), and for a
  # site its HTML pages and preview images.
  cmd=${cases[$i]##*|}
  rm -rf "$out"
  $cmd >/dev/null 2>&1 || { echo "failed: $cmd" >&2; exit 1; }
  made[$i]="-"
  [ -e "$out" ] && made[$i]="$(find "$out" -type f -printf '%s\n' |
    awk '{ s += $1; n++ } END { printf "%d B, %d files", s, n }')"
  if [ -d "$out" ]; then
    pages[$i]=$(find "$out" -type f -name '*.html' | wc -l)
    previews[$i]=$(find "$out" -type f -path "$out/preview/*" -name '*.png' | wc -l)
  fi
  rm -f "$work/err/$i"
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$runs"); do
  order=("${chosen[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=()
    for ((k = ${#chosen[@]} - 1; k >= 0; k--)); do order+=("${chosen[$k]}"); done
  fi
  for i in "${order[@]}"; do
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
if [ "$peers_on" != 0 ]; then
  echo "$(hugo version | cut -d' ' -f1-2); Python $("$python" -c 'import sys, icalendar, vobject; print(sys.version.split()[0], "icalendar", icalendar.__version__, "vobject 0.9.9")')"
fi
echo "load average before and after the rounds: $load_before; $(cut -d' ' -f1-3 /proc/loadavg)"
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
if [ "$peers_on" != 0 ]; then
  [[ " $formats " == *" site "* ]] && goal 0 1 2
  [[ " $formats " == *" vcard "* ]] && goal 3 4 5
  [[ " $formats " == *" ics "* ]] && goal 6 7 8
fi
echo "(nspm check, the load + check every nspm export starts with: $(fmt "${ms[9]}") ms)"

# This build's time over another's, round by round: the median of the
# rounds' ratios, of the wall times and of the CPU times.
per_round() { # after case, before case, ms|cpu
  paste "$work/m/$1.$3" "$work/m/$2.$3" | awk '{ print $1 / $2 }' | median
}
if [ ${#befores[@]} -gt 0 ]; then
  echo
  echo "| command | this build ÷ before, per round: wall | CPU |"
  echo "|---|---:|---:|"
  for b in "${!befores[@]}"; do
    for i in "${nspm_rows[@]}"; do
      j=${before_of[$b,$i]}
      [ -f "$work/m/$j.ms" ] || continue
      printf '| %s |' "${cases[$j]%%|*}"
      printf ' %.3f | %.3f |\n' "$(per_round "$i" "$j" ms)" "$(per_round "$i" "$j" cpu)"
    done
  done
fi

# The site per page: the CPU time of the whole export (loading and writing
# included) less the images drawn with the pages (preview images and QR
# codes) and, where --timings says it, the writing of their files, over the
# HTML pages; and the drawing per image. Builds without --timings say
# nothing of their images and are counted whole; builds whose --timings has
# no QR codes' or image files' line had none to count apart.
site_rows=(0)
for b in "${!befores[@]}"; do site_rows+=("${before_of[$b,0]}"); done
# One number a run from the runs' --timings, in the rounds' order (0 for
# each run where the build says nothing of it).
per_run() { # case, sed expression
  local got
  got=$(sed -nE "$2" "$work/err/$1" 2>/dev/null || true)
  if [ -n "$got" ]; then echo "$got"; else sed 's/.*/0/' "$work/m/$1.cpu"; fi
}
if [[ " $formats " == *" site "* ]]; then
  echo
  echo "The images set apart run by run (each run's CPU less its own images' drawing and files), then the median:"
  echo
  echo "| command | HTML pages | preview images | QR codes | median CPU (ms) | previews' CPU (ms, median) | QR codes' CPU (ms, median) | image files' writing CPU (ms, median) | CPU per page less images (ms, median) | CPU per preview (ms) | CPU per QR code (ms) | rendering's CPU per page less images (ms, median) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${site_rows[@]}"; do
    timed=0
    grep -qs 'preview images drawn' "$work/err/$i" && timed=1
    per_run "$i" 's/.* preview images drawn in ([0-9]+) ms of CPU time.*/\1/p' >"$work/m/$i.drawn"
    per_run "$i" 's/.* QR codes drawn in ([0-9]+) ms of CPU time.*/\1/p' >"$work/m/$i.qr"
    per_run "$i" 's/.* image files written in ([0-9]+) ms of CPU time.*/\1/p' >"$work/m/$i.files"
    per_run "$i" 's/.*rendering [0-9]+ ms \(CPU ([0-9]+) ms\).*/\1/p' >"$work/m/$i.rendering"
    # A build from before --timings can be measured through a probe: a copy
    # that prints `probe loaded cpu N ms` and `probe rendered cpu N ms` (the
    # process's CPU time after loading and after rendering) on stderr.
    probe=0
    if grep -qs 'probe rendered cpu' "$work/err/$i"; then
      probe=1
      paste <(sed -nE 's/^probe loaded cpu ([0-9]+) ms$/\1/p' "$work/err/$i") \
        <(sed -nE 's/^probe rendered cpu ([0-9]+) ms$/\1/p' "$work/err/$i") |
        awk '{ print $2 - $1 }' >"$work/m/$i.rendering"
    fi
    codes=$(sed -nE 's/.* ([0-9]+) QR codes drawn.*/\1/p' "$work/err/$i" 2>/dev/null | head -n 1)
    paste "$work/m/$i.cpu" "$work/m/$i.drawn" "$work/m/$i.qr" "$work/m/$i.files" |
      awk '{ print $1 - $2 - $3 - $4 }' >"$work/m/$i.less"
    paste "$work/m/$i.rendering" "$work/m/$i.drawn" "$work/m/$i.qr" |
      awk '{ print $1 - $2 - $3 }' >"$work/m/$i.rendering-less"
    awk -v name="${cases[$i]%%|*}" -v pages="${pages[$i]}" -v png="${previews[$i]}" \
      -v cpu="${cpu[$i]}" -v timed="$timed" -v probe="$probe" -v codes="${codes:-0}" \
      -v drawn="$(median <"$work/m/$i.drawn")" -v qr="$(median <"$work/m/$i.qr")" \
      -v files="$(median <"$work/m/$i.files")" -v less="$(median <"$work/m/$i.less")" \
      -v rless="$(median <"$work/m/$i.rendering-less")" 'BEGIN {
        each = timed ? sprintf("%.3f", png ? drawn / png : 0) : "-"
        qeach = timed && codes ? sprintf("%.3f", qr / codes) : "-"
        r = timed || probe ? sprintf("%.3f", rless / pages) : "-"
        printf "| %s | %d | %d | %s | %.0f | %s | %s | %s | %.3f | %s | %s | %s |\n",
          name, pages, png, timed ? codes : "-", cpu, timed ? drawn : "-", timed ? qr : "-",
          timed ? files : "-", less / pages, each, qeach, r
      }'
  done
fi
