#!/usr/bin/env bash
# Measures `nspm serve` against nginx serving the same exported site, on
# loopback: requests per second and p99 latency from wrk for the committee
# page and the calendar, each with and without gzip, in alternating rounds;
# then the time from start to the first answered request and the resident
# memory, for the embedded data and a generated society of 100,000 people.
# Prints Markdown tables of medians and whether each goal is met. See
# BENCHMARKS.md, "Serving".
#
# Usage: bench/server.sh
#   ROUNDS=5 DURATION=10 CONNECTIONS=64             wrk rounds and their load
#   THREADS=N                                       wrk threads; default one per core wrk runs on
#   PIN=1                                           servers on one core, wrk on the rest
#   PACE_MS=5 PACED_ROUNDS=9 PACED_DURATION=4       the rounds at an equal, lower load
#   STARTS=5 BIG_STARTS=3                           starts timed per data set
#   PEOPLE=100000 MEETINGS=10000 INSTITUTIONS=2000 SEED=1   the large society
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

default_runs=5
# shellcheck source=bench/common.sh
. bench/common.sh
rounds=${ROUNDS:-$runs}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
starts=${STARTS:-5}
big_starts=${BIG_STARTS:-3}
pace_ms=${PACE_MS:-5}
paced_rounds=${PACED_ROUNDS:-9}
paced_duration=${PACED_DURATION:-4}

need wrk nginx curl taskset
nginx=$(command -v nginx || echo /usr/sbin/nginx)

# wrk needs CPU too, and on a small machine it competes with the server it
# measures. With PIN=1 (the default when there are at least two cores) the
# servers get the last core and wrk the others, the way a load generator on
# its own machine would be; each server then runs one worker (nginx one
# worker process, nspm one tokio worker thread, as tokio counts the cores it
# may use). PIN=0 shares every core between wrk and the server.
cores=$(nproc)
pin=${PIN:-$([ "$cores" -ge 2 ] && echo 1 || echo 0)}
if [ "$pin" = 1 ]; then
  server_cpus=$((cores - 1))
  wrk_cpus=0-$((cores - 2))
  workers=1
  on_server=(taskset -c "$server_cpus")
  on_wrk=(taskset -c "$wrk_cpus")
  wrk_cores=$((cores - 1))
else
  workers=$cores
  wrk_cores=$cores
  on_server=()
  on_wrk=()
fi
# One wrk thread per core wrk runs on. Two threads on one core take turns
# in the kernel's time slices, and a response that arrives while the other
# thread has the core waits for it: that wait, a millisecond or more, lands
# in the latency wrk records, and most for the server that keeps wrk
# busiest. (Seen here: with -t2 on one core, nspm's p99 at full load was
# 2.0 to 2.6 times its median; with -t1, 1.4 to 1.6 times, near nginx's.)
threads=${THREADS:-$wrk_cores}

build_binaries

scratch

# Runs from an empty directory without NSPM_DATA, so that `nspm` serves and
# exports the data compiled into it. The server logs one line per request
# at level info; warn is the production-like setting measured here.
cd "$work"
unset NSPM_DATA
export RUST_LOG=warn

# The exported site, and beside each file nspm would compress (text, 512
# bytes or more) its gzip at nspm's level, for nginx's gzip_static.
"$nspm" export site --out "$work/site" >&2
find "$work/site" -type f -size +511c \
  \( -name '*.html' -o -name '*.css' -o -name '*.svg' -o -name '*.xml' \
  -o -name '*.txt' -o -name '*.ics' -o -name '*.vcf' \) \
  -exec gzip -6 -k -n {} +

nspm_port=$(free_port)
"${on_server[@]}" "$nspm" serve --addr "127.0.0.1:$nspm_port" 2>"$work/nspm.log" &
nspm_pid=$!
pids+=("$nspm_pid")

ngx_dynamic=$(free_port)
ngx_static=$(free_port)
while [ "$ngx_static" = "$ngx_dynamic" ] || [ "$ngx_static" = "$nspm_port" ]; do ngx_static=$(free_port); done
mkdir -p "$work/nginx/tmp"
sed -e "s#@PREFIX@#$work/nginx#g; s#@ROOT@#$work/site#g" \
  -e "s#@PORT_DYNAMIC@#$ngx_dynamic#g; s#@PORT_STATIC@#$ngx_static#g; s#@WORKERS@#$workers#g" \
  "$root/bench/peers/nginx.conf" >"$work/nginx/nginx.conf"
"${on_server[@]}" "$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/stderr" &
nginx_pid=$!
pids+=("$nginx_pid")

await "http://127.0.0.1:$nspm_port/healthz"
await "http://127.0.0.1:$ngx_dynamic/"
await "http://127.0.0.1:$ngx_static/"

# name|url path|content coding asked for (none or gzip)
cases=(
  "/committee/|/committee/|"
  "/committee/, gzip|/committee/|gzip"
  "/calendar.ics|/calendar.ics|"
  "/calendar.ics, gzip|/calendar.ics|gzip"
)
# name|port: nginx serves plain requests from one server, and gzip both
# ways: compressing as it sends, and sending the precompressed file.
peers_plain=("nginx|$ngx_dynamic")
peers_gzip=("nginx, gzip on (level 6)|$ngx_dynamic" "nginx, gzip_static|$ngx_static")

# Every server must send the same body for every case before any is timed.
for case in "${cases[@]}"; do
  IFS='|' read -r name path coding <<<"$case"
  header=()
  [ -n "$coding" ] && header=(-H "Accept-Encoding: $coding" --compressed)
  want=$(curl -sf "${header[@]}" "http://127.0.0.1:$nspm_port$path" | sha256sum)
  for port in "$ngx_dynamic" "$ngx_static"; do
    got=$(curl -sf "${header[@]}" "http://127.0.0.1:$port$path" | sha256sum)
    if [ "$got" != "$want" ]; then
      echo "nginx on port $port sends other bytes than nspm for $name" >&2
      exit 1
    fi
  done
  if [ -n "$coding" ]; then
    for port in "$nspm_port" "$ngx_dynamic" "$ngx_static"; do
      curl -sf -D - -o /dev/null -H "Accept-Encoding: gzip" "http://127.0.0.1:$port$path" |
        grep -qi '^content-encoding: gzip' || { echo "port $port sends $path uncompressed" >&2; exit 1; }
    done
  fi
done

# CPU time (user + system, in clock ticks) of a process and its children's
# threads: nginx's workers are the master's children.
ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

# One wrk run of $6 seconds: appends "req/s p99_us cpu_us_per_request" to a
# results file.
measure() {
  local key=$1 port=$2 path=$3 coding=$4 pid=$5 seconds=$6 before after line header=()
  [ -n "$coding" ] && header=(-H "Accept-Encoding: $coding")
  before=$(ticks "$pid")
  line=$("${on_wrk[@]}" wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -s "$root/bench/peers/wrk-report.lua" "${header[@]}" "http://127.0.0.1:$port$path" | grep '^RESULT')
  after=$(ticks "$pid")
  read -r _ requests _ rps _ p99 errors <<<"$line"
  if [ "$errors" != 0 ] || [ "$requests" = 0 ]; then
    echo "$key: $errors errors in $requests requests" >&2
    exit 1
  fi
  echo "$rps $p99 $(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" \
    'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" >>"$(result "$key")"
  echo "round $round: $key: $rps req/s, p99 $p99 us" >&2
}

mkdir -p "$work/results"
# The file that collects the runs of one case and server.
result() { echo "$work/results/$(tr -c 'a-z0-9\n' _ <<<"$1")"; }
# Rounds of every case against every server; $1 prefixes the results'
# names ("" at full load, "paced " at the paced load), $2 is the count and
# $3 the seconds of each run.
run_rounds() {
  local phase=$1 count=$2 seconds=$3 case name path coding peer run server port pid i j t
  for round in $(seq "$count"); do
    for case in "${cases[@]}"; do
      IFS='|' read -r name path coding <<<"$case"
      if [ -n "$coding" ]; then peers=("${peers_gzip[@]}"); else peers=("${peers_plain[@]}"); fi
      runs=("nspm|$nspm_port|$nspm_pid")
      for peer in "${peers[@]}"; do runs+=("$peer|$nginx_pid"); done
      # Alternate who goes first, so that neither always meets a warmer or
      # a busier machine.
      if [ $((round % 2)) = 0 ]; then
        for ((i = 0, j = ${#runs[@]} - 1; i < j; i++, j--)); do
          t=${runs[i]}; runs[i]=${runs[j]}; runs[j]=$t
        done
      fi
      for run in "${runs[@]}"; do
        IFS='|' read -r server port pid <<<"$run"
        measure "$phase$name|$server" "$port" "$path" "$coding" "$pid" "$seconds"
      done
    done
  done
}

# Median of column $2 of file $1.
column_median() { awk -v c="$2" '{ print $c }' "$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# The table of one phase's medians, and its goals: at full load nspm must
# serve at least as many requests a second as the peer, and at both loads
# answer at least as fast at the 99th percentile. $2 and on name the
# measures that are goals ("req/s", "p99").
goals=()
print_table() {
  local phase=$1 case name path coding peer peer_name ours theirs measure
  echo "| case | peer | nspm req/s | peer req/s | nspm ÷ peer | nspm p99 (ms) | peer p99 (ms) | peer ÷ nspm | nspm CPU µs/req | peer CPU µs/req |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for case in "${cases[@]}"; do
    IFS='|' read -r name path coding <<<"$case"
    if [ -n "$coding" ]; then peers=("${peers_gzip[@]}"); else peers=("${peers_plain[@]}"); fi
    ours=$(result "$phase$name|nspm")
    for peer in "${peers[@]}"; do
      peer_name=${peer%%|*}
      theirs=$(result "$phase$name|$peer_name")
      rps=$(column_median "$ours" 1) peer_rps=$(column_median "$theirs" 1)
      p99=$(column_median "$ours" 2) peer_p99=$(column_median "$theirs" 2)
      cpu=$(column_median "$ours" 3) peer_cpu=$(column_median "$theirs" 3)
      r_rps=$(ratio "$rps" "$peer_rps")
      r_p99=$(ratio "$peer_p99" "$p99")
      echo "| $name | $peer_name | ${rps%.*} | ${peer_rps%.*} | $r_rps | $(ms "$p99") | $(ms "$peer_p99") | $r_p99 | $cpu | $peer_cpu |"
      for measure in "${@:2}"; do
        local r=$r_rps
        [ "$measure" = p99 ] && r=$r_p99
        verdict=FAIL
        awk -v a="$r" 'BEGIN { exit !(a >= 1) }' && verdict=pass
        goals+=("goal: nspm at least matches $peer_name on $name (${phase}$measure): ${r}x: $verdict")
      done
    done
  done
}

echo "load average before the rounds: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
unset WRK_PACE_MS
run_rounds "" "$rounds" "$duration"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
export WRK_PACE_MS=$pace_ms
run_rounds "paced " "$paced_rounds" "$paced_duration"
unset WRK_PACE_MS
load_paced=$(cut -d' ' -f1-3 /proc/loadavg)

echo
if [ "$pin" = 1 ]; then
  placement="servers pinned to CPU $server_cpus with $workers worker, wrk to CPU $wrk_cpus"
else
  placement="servers and wrk sharing all $cores CPUs, $workers workers"
fi
echo "Full load: wrk -t$threads -c$connections -d${duration}s --latency, $rounds alternating rounds, medians;" \
  "$placement; load average $load_after after the rounds"
echo
print_table "" "req/s" "p99"
echo
echo "Paced: the same for ${paced_duration}s, each connection waiting ${pace_ms} ms after every response," \
  "$paced_rounds alternating rounds, medians; load average $load_paced after the rounds"
echo
print_table "paced " "p99"
echo
printf '%s\n' "${goals[@]}"

# Start-up: the embedded data, then the large generated society.
soc=$work/society
"$gen" --people "$people" --meetings "$meetings" --institutions "$institutions" \
  --seed "$seed" --out "$soc" >&2
echo "timing $starts starts with the embedded data" >&2
"$startup" --runs "$starts" -- "$nspm" serve --addr '{addr}' >"$work/start-embedded"
echo "timing $big_starts starts with $people people" >&2
"$startup" --runs "$big_starts" --timeout 600 -- "$nspm" serve --addr '{addr}' --data "$soc" >"$work/start-big"

echo
echo "| data | starts | first answer (ms, median) | VmRSS then (MB, median) | VmHWM (MB, median) |"
echo "|---|---:|---:|---:|---:|"
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
for set in "embedded|$work/start-embedded" "$people people, $meetings meetings|$work/start-big"; do
  IFS='|' read -r name file <<<"$set"
  echo "| $name | $(wc -l <"$file") | $(column_median "$file" 1) | $(mb "$(column_median "$file" 2)") | $(mb "$(column_median "$file" 3)") |"
done
