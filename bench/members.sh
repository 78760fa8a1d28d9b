#!/usr/bin/env bash
# The members' area with 10,000 people, four in ten of them members
# (nspm-gen --members 40), on loopback (which the members' area allows
# without TLS, for trying it out; TLS is measured in bench/server.sh's terms
# nowhere here):
#   (a) a member's card downloaded with HTTP Basic (/members/people/ID.vcf)
#       against the public card of the same person (/people/ID.vcf), wrk
#       requests per second, alternating rounds in one run;
#   (b) the time from the sign-in POST to the first directory page (median
#       of SIGNINS sign-ins, each a POST and a GET on a new connection);
#   (c) the server's resident memory with no access.ron (no one can sign
#       in, so the members' pages are not rendered) and with 100 grants
#       (they are), each just started and after one card, so that the
#       difference is the members' area; and with the grants after (a) and
#       (b).
# Prints a Markdown table. See BENCHMARKS.md.
#
# Usage: bench/members.sh   (ROUNDS=N wrk rounds per URL, default 5;
#                            DURATION=s per round, default 5; SIGNINS=N)
set -euo pipefail
cd "$(dirname "$0")/.."

default_runs=5
# shellcheck source=bench/common.sh
. bench/common.sh
people=${PEOPLE:-10000}
rounds=${ROUNDS:-$runs}
duration=${DURATION:-5}
connections=${CONNECTIONS:-32}
signins=${SIGNINS:-51}

need wrk curl python3

build_binaries

scratch
export RUST_LOG=warn

soc=$work/society
"$gen" --people "$people" --meetings 100 --institutions 200 --members 40 --seed "$seed" --out "$soc" >&2
# A member of the committee, whose public card holds less than the members'.
person=$("$nspm" --data "$soc" people list --role steering-committee --format csv | awk -F, 'NR == 2 { print $1 }')

# Starts nspm serve on the society; sets port and pid.
serve() {
  port=$(free_port)
  "$nspm" --data "$soc" serve --addr "127.0.0.1:$port" 2>>"$work/nspm.log" &
  pid=$!
  pids+=("$pid")
  # Each page's preview image is drawn at start: with 10,000 people that
  # takes minutes on two shared cores.
  await "http://127.0.0.1:$port/healthz" 900
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# (c) without the members' area: no access.ron.
serve
curl -sf -o /dev/null "http://127.0.0.1:$port/people/$person.vcf"
rss_without=$(rss_kb "$pid")
kill "$pid"
wait "$pid" 2>/dev/null || true

for _ in $(seq 99); do
  "$nspm" --data "$soc" access grant "$person" >/dev/null 2>&1
done
credential=$("$nspm" --data "$soc" access grant "$person" 2>/dev/null | awk '/credential:/ { print $2 }')
auth="Authorization: Basic $(printf '%s:%s' "$person" "$credential" | base64 -w0)"
serve

public="http://127.0.0.1:$port/people/$person.vcf"
members="http://127.0.0.1:$port/members/people/$person.vcf"
curl -sf -o /dev/null "$public"
curl -sf -o /dev/null -H "$auth" "$members"
rss_grants=$(rss_kb "$pid")
declare -A rps
rps[public]=""
rps[members]=""
for round in $(seq "$rounds"); do
  for which in public members; do
    url=${!which}
    header=()
    [ "$which" = members ] && header=(-H "$auth")
    r=$(wrk -t2 -c"$connections" -d"${duration}s" "${header[@]}" "$url" | awk '/^Requests\/sec/ { print $2 }')
    rps[$which]+="$r"$'\n'
    echo "round $round, $which: $r req/s" >&2
  done
done
public_rps=$(printf '%s' "${rps[public]}" | median)
members_rps=$(printf '%s' "${rps[members]}" | median)

# (b) sign-in to the first directory page.
signin_ms=$(python3 - "$port" "$person" "$credential" "$signins" <<'PY'
import http.client, statistics, sys, time
port, person, credential, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
form = f"person={person}&credential={credential}"
times = []
for _ in range(n):
    start = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/members/sign-in", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
    })
    r = c.getresponse()
    r.read()
    assert r.status == 303, r.status
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.request("GET", "/members/", headers={"Cookie": cookie})
    r = c.getresponse()
    page = r.read()
    assert r.status == 200 and b"Members' directory" in page, r.status
    times.append((time.perf_counter() - start) * 1000)
    c.close()
print(f"{statistics.median(times):.2f}")
PY
)
rss_after=$(rss_kb "$pid")

echo
echo "$people people, $(grep -c 'Member\]' "$soc/people.ron") members only; $rounds rounds of ${duration}s, $connections connections"
echo
echo "| measure | figure |"
echo "|---|---:|"
echo "| public card /people/$person.vcf, median req/s | $public_rps |"
echo "| members' card with Basic, median req/s | $members_rps |"
awk -v m="$members_rps" -v p="$public_rps" 'BEGIN { printf "| members, public ratio | %.2f |\n", m / p }'
echo "| sign-in POST to first directory page, median of $signins, ms | $signin_ms |"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "| RSS, no access.ron (after one card), MiB | $(mib "$rss_without") |"
echo "| RSS, 100 grants (after one card of each), MiB | $(mib "$rss_grants") |"
echo "| the members' area (the difference), MiB | $(mib $((rss_grants - rss_without))) |"
echo "| RSS, 100 grants (after the runs above), MiB | $(mib "$rss_after") |"
