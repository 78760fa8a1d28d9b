# What the benchmark scripts share; sourced by bench/load.sh and bench/export.sh
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
