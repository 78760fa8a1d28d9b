#!/usr/bin/env bash
# Measures the members' address book and calendars over DAV: `nspm serve`
# against Radicale (what a society would otherwise run) holding the same
# cards and meetings, with vdirsyncer as the client, on loopback, side by
# side in alternating rounds. Each round times vdirsyncer's first sync of
# the address book and both calendars into empty folders, then one person's
# edit (nspm: `nspm people edit`; Radicale: that one .vcf replaced, as a
# client's PUT would) and the sync after it, which must transfer exactly
# that card. vdirsyncer's own work is much of a sync's time, so one first
# sync and one after an edit are also recorded (tests/tools/dav_record.py)
# and their requests replayed alone (bench/peers/dav_replay.py): the
# servers' share. Also the servers' and vdirsyncer's CPU time per sync and
# the servers' memory. The sync after an edit is timed from the moment both
# servers serve the edit (the address book's getctag has changed), so the
# reload is not in it. Prints Markdown tables of medians. See BENCHMARKS.md,
# "DAV".
#
# Usage: bench/dav.sh
#   ROUNDS=5                                   rounds (each server syncs once per round)
#   REPLAYS=ROUNDS                             rounds of the recorded syncs' replay
#   PEOPLE=10000 MEETINGS=100 INSTITUTIONS=200 SEED=1   the generated society
#   PIN=1                                      servers on the last core, vdirsyncer on the others
#   NSPM_WITHOUT_DAV=PATH                      an nspm binary without DAV, for the memory row
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

default_runs=5
: "${PEOPLE:=10000}" "${MEETINGS:=100}" "${INSTITUTIONS:=200}"
# shellcheck source=bench/common.sh
. bench/common.sh
rounds=${ROUNDS:-$runs}

venv=$root/.tools/dav-venv/bin
for tool in vdirsyncer radicale python; do
  [ -x "$venv/$tool" ] || { echo "no $venv/$tool: run tests/tools/install" >&2; exit 1; }
done
need curl taskset time

cores=$(nproc)
pin=${PIN:-$([ "$cores" -ge 2 ] && echo 1 || echo 0)}
if [ "$pin" = 1 ]; then
  on_server=(taskset -c "$((cores - 1))")
  on_client=(taskset -c "0-$((cores - 2))")
else
  on_server=()
  on_client=()
fi

build_binaries

# Everything, Radicale's storage too, lives in memory (/dev/shm where there
# is one), as nspm's collections do: on a disk shared with other jobs,
# Radicale's writes of its item cache were seen to stall for minutes.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
scratch "$shm"
trap 'exit 143' INT TERM
cd "$work"
unset NSPM_DATA

"$gen" --people "$people" --meetings "$meetings" --institutions "$institutions" \
  --seed "$seed" --out "$work/data" >&2
# The member who syncs: the society's contact, the first person; the one
# whose card is edited: one from the middle of the file.
member=$(grep -m1 -o 'id: "[^"]*"' "$work/data/people.ron" | cut -d'"' -f2)
edited=$(grep -o 'id: "[^"]*"' "$work/data/people.ron" | sed -n "$((people / 2))p" | cut -d'"' -f2)
credential=$("$nspm" --data "$work/data" access grant "$member" 2>/dev/null |
  grep -o 'nspm_[A-Za-z0-9_-]\{43\}' | head -1)
[ -n "$credential" ] || { echo "no credential granted" >&2; exit 1; }

# Radicale's storage holds what nspm serves, one object per card and meeting.
export_objects() {
  "$nspm" --data "$work/data" export vcard --audience members --out "$work/cards.vcf"
  "$nspm" --data "$work/data" export ics --out "$work/public.ics"
  "$nspm" --data "$work/data" export ics --audience members --out "$work/members.ics"
}
export_objects
"$venv/python" "$root/bench/peers/radicale_load.py" "$work/radicale" "$member" \
  "$work/cards.vcf" "$work/public.ics" "$work/members.ics" >&2
cards=$(grep -c '^BEGIN:VCARD' "$work/cards.vcf")
events=$(grep -c '^BEGIN:VEVENT' "$work/members.ics")


# Radicale, as its documentation sets it up for a few users: htpasswd
# (plain, the credential as password), each user owning their collections.
printf '%s:%s\n' "$member" "$credential" >"$work/htpasswd"
radicale_port=$(free_port)
cat >"$work/radicale.conf" <<EOF
[server]
hosts = 127.0.0.1:$radicale_port
[auth]
type = htpasswd
htpasswd_filename = $work/htpasswd
htpasswd_encryption = plain
[storage]
filesystem_folder = $work/radicale
[rights]
type = owner_only
[logging]
level = warning
EOF
"${on_server[@]}" "$venv/radicale" --config "$work/radicale.conf" 2>"$work/radicale.log" &
radicale_pid=$!
pids+=("$radicale_pid")

# nspm logs its reloads and warnings only, not a line per request.
nspm_port=$(free_port)
RUST_LOG=warn,nspm_server::live=info "${on_server[@]}" "$nspm" --data "$work/data" \
  serve --addr "127.0.0.1:$nspm_port" 2>"$work/nspm.log" &
nspm_pid=$!
pids+=("$nspm_pid")
await "http://127.0.0.1:$radicale_port/"
# nspm draws each page's preview image before it answers: on one shared
# core, at 10,000 people, that takes minutes.
await "http://127.0.0.1:$nspm_port/healthz" 900

hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
nspm_rss_start=$(kb "$nspm_pid" VmRSS)
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A vdirsyncer set-up in its own folder for one server.
desktop() {
  local dir=$1 url=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    echo "[general]"
    echo "status_path = \"$dir/status/\""
    for pair in contacts:carddav:vcf calendars:caldav:ics; do
      IFS=: read -r name kind ext <<<"$pair"
      cat <<EOF
[pair $name]
a = "${name}_remote"
b = "${name}_local"
collections = ["from a"]
conflict_resolution = "a wins"
[storage ${name}_remote]
type = "$kind"
url = "$url"
username = "$member"
password = "$credential"
read_only = true
[storage ${name}_local]
type = "filesystem"
path = "$dir/$name/"
fileext = ".$ext"
EOF
    done
  } >"$dir/config"
  printf "y\n%.0s" {1..16} | "$venv/vdirsyncer" -c "$dir/config" discover >"$dir/discover.log" 2>&1
}

mkdir -p "$work/results"
# One timed sync of server $1 (nspm or radicale) in folder $2, case $3:
# appends "wall_ms server_cpu_ms transfers client_cpu_ms" to the case's
# results, the client's CPU time (user and system) as GNU time counts it.
timed_sync() {
  local server=$1 dir=$2 case=$3 pid start end before after moved client
  pid=$([ "$server" = nspm ] && echo "$nspm_pid" || echo "$radicale_pid")
  before=$(ticks "$pid")
  start=$(now_ms)
  timeout 1200 "${on_client[@]}" /usr/bin/time -f '%U %S' -o "$dir/$case.time" \
    "$venv/vdirsyncer" -c "$dir/config" sync >"$dir/$case.log" 2>&1 ||
    { echo "$server: vdirsyncer sync failed:" >&2; tail "$dir/$case.log" >&2; exit 1; }
  end=$(now_ms)
  after=$(ticks "$pid")
  moved=$(grep -c '^Copying\|^Deleting' "$dir/$case.log" || true)
  client=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$dir/$case.time")
  echo "$((end - start)) $(((after - before) * 1000 / hz)) $moved $client" >>"$work/results/$server-$case"
  echo "round $round: $server $case: $((end - start)) ms, client $client ms CPU, $moved items" >&2
}

# The address book's getctag on server $1, as the member reads it.
addressbook_url() {
  if [ "$1" = nspm ]; then
    echo "http://127.0.0.1:$nspm_port/dav/addressbooks/members/"
  else
    echo "http://127.0.0.1:$radicale_port/$member/addressbook/"
  fi
}
ctag() {
  curl -s -u "$member:$credential" -X PROPFIND -H 'Depth: 0' \
    --data '<propfind xmlns="DAV:"><prop><getctag xmlns="http://calendarserver.org/ns/"/></prop></propfind>' \
    "$(addressbook_url "$1")" | grep -o 'getctag[^>]*>[^<]*' | sed 's/.*>//'
}

# One person's new email address ($1 in it), on both servers: nspm's data
# edited (and reloaded), Radicale's one .vcf replaced by the card nspm
# now exports.
# Returns once both serve the edit: their address book's getctag has
# changed, so nspm has reloaded and rendered the whole site again, and the
# timed sync after it measures the sync alone.
edit_both() {
  local email="$1.$edited@example.org" server
  declare -A was
  for server in nspm radicale; do was[$server]=$(ctag "$server"); done
  "$nspm" --data "$work/data" people edit "$edited" --email "$email" >/dev/null 2>&1
  export_objects
  "$venv/python" "$root/bench/peers/radicale_load.py" card "$work/radicale" "$member" \
    "$work/cards.vcf" "$email" >&2
  for server in nspm radicale; do
    for _ in $(seq 1200); do
      [ "$(ctag "$server")" != "${was[$server]}" ] && continue 2
      sleep 0.05
    done
    echo "$server does not serve the edit after 60 s" >&2
    exit 1
  done
}

# One untimed sync of each first: Radicale fills its item cache on the
# first read of each object, as a running server has long since done.
for server in nspm radicale; do
  port=$([ "$server" = nspm ] && echo "$nspm_port" || echo "$radicale_port")
  desktop "$work/$server-warm" "http://127.0.0.1:$port/"
  timeout 1200 "$venv/vdirsyncer" -c "$work/$server-warm/config" sync >"$work/$server-warm.log" 2>&1 ||
    { echo "$server: the warm-up sync failed:" >&2; tail "$work/$server-warm.log" >&2; exit 1; }
  rm -rf "$work/$server-warm"
done

for round in $(seq "$rounds"); do
  order=(nspm radicale)
  [ $((round % 2)) = 0 ] && order=(radicale nspm)
  for server in "${order[@]}"; do
    port=$([ "$server" = nspm ] && echo "$nspm_port" || echo "$radicale_port")
    desktop "$work/$server-desktop" "http://127.0.0.1:$port/"
    timed_sync "$server" "$work/$server-desktop" first
  done

  edit_both "round$round"

  for server in "${order[@]}"; do
    timed_sync "$server" "$work/$server-desktop" edit
    moved=$(tail -1 "$work/results/$server-edit" | cut -d' ' -f3)
    # Reported, not fatal: the table's "items moved" column shows it, and
    # tests/it/server/dav_clients.rs is where one card must be one card.
    [ "$moved" = 1 ] || echo "warning: $server: the sync after one edit moved $moved items" >&2
  done
done

# The server's share: one first sync and one sync after an edit recorded
# through the proxy, then their requests replayed as vdirsyncer sent them,
# without vdirsyncer's own work, alternating servers.
declare -A proxy_port first_end edit_end
for server in nspm radicale; do
  port=$([ "$server" = nspm ] && echo "$nspm_port" || echo "$radicale_port")
  "$venv/python" "$root/tests/tools/dav_record.py" "http://127.0.0.1:$port" \
    "$work/$server-recorded.jsonl" >"$work/$server-proxy.out" &
  pids+=("$!")
  for _ in $(seq 100); do [ -s "$work/$server-proxy.out" ] && break; sleep 0.1; done
  proxy_port[$server]=$(cut -d' ' -f3 "$work/$server-proxy.out")
  desktop "$work/$server-recorded" "http://127.0.0.1:${proxy_port[$server]}/"
  : >"$work/$server-recorded.jsonl"
  "${on_client[@]}" "$venv/vdirsyncer" -c "$work/$server-recorded/config" sync >/dev/null 2>&1
  first_end[$server]=$(wc -l <"$work/$server-recorded.jsonl")
done
edit_both recorded
for server in nspm radicale; do
  "${on_client[@]}" "$venv/vdirsyncer" -c "$work/$server-recorded/config" sync >/dev/null 2>&1
  edit_end[$server]=$(wc -l <"$work/$server-recorded.jsonl")
done
replays=${REPLAYS:-$rounds}
for round in $(seq "$replays"); do
  order=(nspm radicale)
  [ $((round % 2)) = 0 ] && order=(radicale nspm)
  for server in "${order[@]}"; do
    port=$([ "$server" = nspm ] && echo "$nspm_port" || echo "$radicale_port")
    for case in first edit; do
      if [ "$case" = first ]; then range=(1 "${first_end[$server]}"); else range=($((first_end[$server] + 1)) "${edit_end[$server]}"); fi
      pid=$([ "$server" = nspm ] && echo "$nspm_pid" || echo "$radicale_pid")
      before=$(ticks "$pid")
      line=$("${on_client[@]}" "$venv/python" "$root/bench/peers/dav_replay.py" \
        "$work/$server-recorded.jsonl" "${range[@]}" "http://127.0.0.1:$port" "$member" "$credential" 1)
      after=$(ticks "$pid")
      read -r ms requests bytes <<<"$(sed 's/[a-z_]*=//g' <<<"$line")"
      echo "$ms $(((after - before) * 1000 / hz)) $requests $bytes" >>"$work/results/$server-replay-$case"
      echo "replay $round: $server $case: $ms ms, $requests requests" >&2
    done
  done
done

nspm_rss_end=$(kb "$nspm_pid" VmRSS)
nspm_hwm=$(kb "$nspm_pid" VmHWM)
radicale_rss=$(kb "$radicale_pid" VmRSS)
radicale_hwm=$(kb "$radicale_pid" VmHWM)

col() { cut -d' ' -f"$2" "$work/results/$1" | median; }
# $1 as a multiple of $2; CPU time is counted in clock ticks (10 ms), so a
# share of nspm's below one tick has no ratio.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
# One table's rows, for each case and server: the median wall and server
# CPU time, the results' fields numbered in $2, and both times as
# multiples of nspm's. $1 is the results' infix ("" or "-replay").
rows() {
  local infix=$1 fields=$2 case server key wall cpu line f base_wall base_cpu
  for case in first edit; do
    base_wall=$(col "nspm$infix-$case" 1)
    base_cpu=$(col "nspm$infix-$case" 2)
    for server in nspm radicale; do
      key=$server$infix-$case
      wall=$(col "$key" 1)
      cpu=$(col "$key" 2)
      line="| $case | $server | $wall | $cpu"
      for f in $fields; do line+=" | $(col "$key" "$f")"; done
      echo "$line | $(ratio "$wall" "$base_wall") | $(ratio "$cpu" "$base_cpu") |"
    done
  done
}
echo
echo "$people people ($cards cards with the society's), $events meetings in each of two calendars; $rounds rounds"
echo
echo "vdirsyncer's sync (first: into empty folders; edit: after one card's change)"
echo
echo "| sync | server | median wall time (ms) | server CPU (ms, median) | items moved | vdirsyncer CPU (ms, median) | × nspm (wall) | × nspm (server CPU) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
rows "" "3 4"
echo
echo "The server's share: the requests of one recorded sync replayed ($replays rounds)"
echo
echo "| sync | server | median wall time (ms) | server CPU (ms, median) | requests | response bytes | × nspm (wall) | × nspm (CPU) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
rows -replay "3 4"
echo
echo "| server | resident memory at start (KB) | after the rounds (KB) | peak (KB) |"
echo "|---|---:|---:|---:|"
echo "| nspm serve | $nspm_rss_start | $nspm_rss_end | $nspm_hwm |"
echo "| Radicale | | $radicale_rss | $radicale_hwm |"
if [ -n "${NSPM_WITHOUT_DAV:-}" ]; then
  # The same data served by a build without DAV, measured the same way
  # after the same syncs would not apply: only its memory at start.
  port=$(free_port)
  RUST_LOG=warn "${on_server[@]}" "$NSPM_WITHOUT_DAV" --data "$work/data" \
    serve --addr "127.0.0.1:$port" 2>"$work/without.log" &
  without_pid=$!
  pids+=("$without_pid")
  await "http://127.0.0.1:$port/healthz" 900
  echo "| nspm serve without DAV ($NSPM_WITHOUT_DAV) | $(kb "$without_pid" VmRSS) | | $(kb "$without_pid" VmHWM) |"
fi
