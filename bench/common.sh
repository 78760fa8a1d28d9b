# What the benchmark scripts share; sourced by bench/load.sh, bench/export.sh,
# bench/server.sh and bench/dav.sh
# from the repository's root.

runs=${RUNS:-$default_runs}
people=${PEOPLE:-100000}
meetings=${MEETINGS:-10000}
institutions=${INSTITUTIONS:-2000}
seed=${SEED:-1}

# Installs the Debian packages of the tools named that are missing (`time`
# is GNU time, /usr/bin/time, which measures peak memory).
need() {
  local missing=() tool
  for tool in "$@"; do
    case $tool in
      time) [ -x /usr/bin/time ] || missing+=(time) ;;
      *) command -v "$tool" >/dev/null || missing+=("$tool") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Median of numbers, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Builds the release binaries the scripts measure and names them: nspm, and
# bench/'s nspm-gen, nspm-load and nspm-startup. NSPM_BINARIES=DIR names
# those of another build instead (a directory holding all four), built
# from another tree, and builds nothing.
build_binaries() {
  local bin=${NSPM_BINARIES:-}
  if [ -z "$bin" ]; then
    cargo build --release --locked -p nspm-cli -p nspm-bench >&2
    bin=${CARGO_TARGET_DIR:-$PWD/target}/release
  fi
  nspm=$bin/nspm
  gen=$bin/nspm-gen
  load=$bin/nspm-load
  startup=$bin/nspm-startup
}

# Makes the scratch directory $work (in $1 when given) and removes it on
# exit, after ending every server whose pid the script put in $pids.
scratch() {
  work=$(mktemp -d ${1:+-p "$1"})
  pids=()
  trap cleanup EXIT
}
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# A loopback port nobody listens on.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Waits until a URL answers with a success or redirect (`curl -f`: not a
# 4xx or 5xx), for at most $2 seconds (60 unless given).
await() {
  for _ in $(seq $((${2:-60} * 10))); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}
