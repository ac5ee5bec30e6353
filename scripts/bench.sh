#!/usr/bin/env bash
# bench.sh — procbox side by side with the tools people already trust, in one run.
#
# Every row is a ratio of two medians measured in this same run on this same
# machine, so the table stays honest when the machine changes. Prints one markdown
# table (metric | procbox | reference | ratio | target | ok?) and writes it to
# bench-out/bench.md for README's "Performance" section.
#
# Usage: scripts/bench.sh              (make bench builds ./procbox first)
# Knobs: BENCH_RUNS (default 15) runs per median, BENCH_IDLE (default 30) seconds
#        of idle TUI, BENCH_PROCS (default 10000) extra processes for the scan,
#        BENCH_NO_HYPERFINE=1 to time with the script's own loop even if
#        hyperfine is installed.
#
# Needs root for the 10,000-process scan (a pids cgroup) and for `procbox run`;
# any row whose command is missing or fails prints "n/a (why)" instead of
# stopping the whole table. Uses hyperfine when installed, else times loops itself.
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

RUNS=${BENCH_RUNS:-15}
IDLE=${BENCH_IDLE:-30}
NPROCS=${BENCH_PROCS:-10000}
BIN=$PWD/procbox
OUTDIR=$PWD/bench-out
mkdir -p "$OUTDIR"

tmp=$(mktemp -d /tmp/procbox-bench.XXXXXX)
cg=""          # the pids cgroup holding the extra processes
spawner=""     # the shell that forked them (it reaps them, see stop_crowd)
target_pid=""  # the process `inspect` and `ps -p` look at
tmux_sock="$tmp/tmux.sock"  # in $tmp: tmux leaves its socket file behind

log() { printf '%s\n' "$*" >&2; }
have() {
  [ "$1" = hyperfine ] && [ -n "${BENCH_NO_HYPERFINE:-}" ] && return 1
  command -v "$1" >/dev/null 2>&1
}

# stop_crowd removes every extra process and the cgroup. The spawner is told to
# stop forking first (a file it checks each iteration), then everything else in
# the cgroup is SIGKILLed; the spawner's `wait` reaps them (PID 1 on some hosts
# never reaps orphans, and zombies would keep the cgroup busy), then it exits.
stop_crowd() {
  [ -n "$cg" ] || return 0
  : >"$tmp/stop"
  local i
  for i in $(seq 200); do
    if [ -f "$cg/cgroup.procs" ]; then
      grep -vx "${spawner:-0}" "$cg/cgroup.procs" 2>/dev/null | xargs -r kill -9 2>/dev/null
    fi
    if [ -n "$spawner" ] && ! kill -0 "$spawner" 2>/dev/null; then
      wait "$spawner" 2>/dev/null
      spawner=""
    fi
    if [ -z "$spawner" ] && [ ! -s "$cg/cgroup.procs" ]; then
      break
    fi
    sleep 0.1
  done
  if ! rmdir "$cg" 2>/dev/null; then
    log "bench: could not remove $cg (still busy?)"
  fi
  cg=""
}

cleanup() {
  have tmux && tmux -S "$tmux_sock" kill-server 2>/dev/null
  stop_crowd
  if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null; wait "$target_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# Ctrl-C and SIGTERM go through the EXIT trap, so the cgroup is removed on both.
trap 'exit 130' INT
trap 'exit 143' TERM

# now_ns is a nanosecond clock; bash 5's EPOCHREALTIME costs no fork, unlike date.
now_ns() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local s=${EPOCHREALTIME/[.,]/}
    echo "${s}000"
  else
    date +%s%N
  fi
}

# median_ms CMD ARGS... prints the median wall time of CMD in milliseconds.
# Arguments must not contain spaces (hyperfine -N splits the command line).
median_ms() {
  if have hyperfine; then
    hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$tmp/h.json" -- "$*" >/dev/null 2>&1 || return 1
    if have jq; then
      jq -r '.results[0].median * 1000' "$tmp/h.json"
    else
      grep -o '"median": *[0-9.eE+-]*' "$tmp/h.json" | head -1 | awk '{printf "%.6f\n", $2 * 1000}'
    fi
    return 0
  fi
  local i s e
  "$@" >/dev/null 2>&1 </dev/null || return 1 # warm-up, and a last check it works
  for ((i = 0; i < RUNS; i++)); do
    s=$(now_ns)
    "$@" >/dev/null 2>&1 </dev/null || return 1
    e=$(now_ns)
    echo $((e - s))
  done | sort -n | awk '{a[NR] = $1} END {
    if (NR == 0) exit 1
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.6f\n", m / 1e6 }'
}

# why_not CMD ARGS... runs CMD once; prints nothing if it works, else a short reason.
why_not() {
  if ! have "$1" && [ ! -x "$1" ]; then
    echo "$1 not installed"
    return
  fi
  local err
  if ! err=$("$@" 2>&1 >/dev/null </dev/null); then
    err=$(printf '%s\n' "$err" | grep -v '^$' | head -1)
    echo "${err:-exit status non-zero}" | cut -c1-70 | tr '|' '/'
  fi
}

rows=()
# row METRIC PROCBOX REFERENCE RATIO TARGET OK
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
na() { row "$1" "n/a ($2)" "" "" "$3" ""; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.2f ms" : "%.1f ms"), v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "inf"; else printf "%.2f", a / b }'; }
# meets RATIO OP LIMIT → "yes"/"no"
meets() { awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
  ok = (op == "<=") ? (r <= l) : (r < l); print (ok ? "yes" : "**no**") }'; }

# time_row METRIC TARGET_OP TARGET_LIMIT ::: PROCBOX_CMD... ::: REFERENCE_CMD...
# (":::" separates the commands because `procbox run` itself takes "--").
time_row() {
  local metric=$1 op=$2 limit=$3
  shift 4
  local a=() b=()
  while [ $# -gt 0 ] && [ "$1" != ":::" ]; do a+=("$1"); shift; done
  shift
  b=("$@")
  local target="—"
  [ -n "$limit" ] && target="$op $limit"
  local why
  why=$(why_not "${a[@]}")
  if [ -n "$why" ]; then na "$metric" "$why" "$target"; return; fi
  why=$(why_not "${b[@]}")
  if [ -n "$why" ]; then na "$metric" "reference: $why" "$target"; return; fi
  local ta tb
  if ! ta=$(median_ms "${a[@]}"); then na "$metric" "procbox failed while timing" "$target"; return; fi
  if ! tb=$(median_ms "${b[@]}"); then na "$metric" "reference failed while timing" "$target"; return; fi
  local r ok=""
  r=$(ratio "$ta" "$tb")
  [ -n "$limit" ] && ok=$(meets "$r" "$op" "$limit")
  row "$metric" "$(fmt_ms "$ta")" "$(fmt_ms "$tb") \`${b[0]##*/}\`" "$r" "$target" "$ok"
}

# cpu_ticks PID... sums utime+stime (clock ticks) of the given processes. Fields
# are counted after the last ')' because comm may contain spaces and parentheses.
cpu_ticks() {
  local p sum=0 rest
  for p in "$@"; do
    rest=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $rest
    # after "pid (comm) ": $1 state ... $12 utime $13 stime
    sum=$((sum + ${12:-0} + ${13:-0}))
  done
  echo "$sum"
}

# tree PID prints PID and all its descendants.
tree() {
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}

# idle_tui NAME ARGS... starts `procbox ARGS` in a detached tmux pane (120×40),
# lets it settle, then measures its process tree's CPU over $IDLE seconds.
# Sets idle_pct and idle_hwm_kib, or idle_err.
idle_tui() {
  local name=$1
  shift
  idle_pct="" idle_hwm_kib="" idle_err=""
  if ! have tmux; then idle_err="tmux not installed"; return; fi
  if [ ! -x "$BIN" ]; then idle_err="procbox not built"; return; fi
  tmux -S "$tmux_sock" -f /dev/null new-session -d -x 120 -y 40 -s "$name" "exec $BIN $* 2>$tmp/$name.err" 2>/dev/null ||
    { idle_err="tmux could not start"; return; }
  sleep 3
  local pid
  pid=$(tmux -S "$tmux_sock" display-message -p -t "$name" '#{pane_pid}' 2>/dev/null)
  if [ -z "$pid" ] || [ "$(cat /proc/"$pid"/comm 2>/dev/null)" != "procbox" ]; then
    # stderr went to a file: a fast exit's message can miss the pane.
    idle_err=$(grep -v '^$' "$tmp/$name.err" 2>/dev/null | head -1 | cut -c1-60 | tr '|' '/')
    idle_err=${idle_err:-procbox exited}
    tmux -S "$tmux_sock" kill-session -t "$name" 2>/dev/null
    return
  fi
  local procs t0 t1 hz
  procs=$(tree "$pid")
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks $procs)
  sleep "$IDLE"
  t1=$(cpu_ticks $procs)
  idle_hwm_kib=$(awk '/^VmHWM:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
  idle_pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.2f", d / hz / s * 100 }')
  tmux -S "$tmux_sock" kill-session -t "$name" 2>/dev/null
  # Closing the pane sends SIGHUP; give the Lab a moment to stop its child.
  local i
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# start_crowd N starts N sleeping processes in a fresh pids cgroup (procbox-bench-*).
# Sets crowd_err when it cannot.
start_crowd() {
  local want=$1
  crowd_err="" crowd_n=0
  if [ "$(id -u)" != 0 ]; then crowd_err="needs root for a pids cgroup"; return; fi
  local base
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    base=/sys/fs/cgroup
    grep -qw pids /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
      echo +pids >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
  elif [ -d /sys/fs/cgroup/pids ]; then
    base=/sys/fs/cgroup/pids
  else
    crowd_err="no pids cgroup controller"; return
  fi
  # Leave head room below kernel.pid_max and threads-max for the rest of the host.
  local pidmax thrmax used room
  pidmax=$(cat /proc/sys/kernel/pid_max)
  thrmax=$(cat /proc/sys/kernel/threads-max)
  used=$(ls /proc/*/task 2>/dev/null | grep -c '^[0-9]')
  room=$(( (pidmax < thrmax ? pidmax : thrmax) - used - 2000 ))
  crowd_n=$want
  if [ "$room" -lt "$want" ]; then
    crowd_n=$room
    log "bench: only room for $crowd_n extra processes (pid_max $pidmax, threads-max $thrmax)"
  fi
  if [ "$crowd_n" -le 0 ]; then crowd_err="no room under kernel.pid_max"; return; fi
  cg="$base/procbox-bench-$$"
  if ! mkdir "$cg" 2>/dev/null; then crowd_err="cannot create $cg"; cg=""; return; fi
  echo $((crowd_n + 50)) >"$cg/pids.max" 2>/dev/null
  # The spawner moves itself into the cgroup first, so every child inherits it.
  bash -c '
    echo $$ > "$1/cgroup.procs" || exit 1
    for ((i = 0; i < $2; i++)); do
      [ -e "$3/stop" ] && break
      sleep 1000 &
    done
    : > "$3/ready"
    wait' spawner "$cg" "$crowd_n" "$tmp" </dev/null >/dev/null 2>&1 &
  spawner=$!
  local waited=0
  while [ ! -e "$tmp/ready" ]; do
    if ! kill -0 "$spawner" 2>/dev/null; then crowd_err="spawner died"; return; fi
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % 10)) -eq 0 ]; then log "bench: $(wc -l <"$cg/cgroup.procs") processes so far"; fi
  done
  crowd_n=$(($(wc -l <"$cg/cgroup.procs") - 1))
}

# ---------------------------------------------------------------------------

if [ ! -x "$BIN" ]; then
  log "bench: building ./procbox"
  CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$BIN" ./cmd/procbox || exit 1
fi

timer="hyperfine $(hyperfine --version 2>/dev/null | awk '{print $2}')"
have hyperfine || timer="a bash loop (no hyperfine)"
log "bench: $RUNS runs per median, timing with $timer"

# start-up: a Go hello world built here, the same way (static, stripped).
mkdir -p "$tmp/hello"
cat >"$tmp/hello/main.go" <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello") }
GO
printf 'module hello\n\ngo 1.21\n' >"$tmp/hello/go.mod"
if (cd "$tmp/hello" && CGO_ENABLED=0 GOFLAGS= go build -trimpath -ldflags '-s -w' -o hello . 2>/dev/null); then
  log "bench: start-up"
  time_row "start-up: \`procbox version\` vs Go hello world" "<=" 1.5 ::: "$BIN" version ::: "$tmp/hello/hello"
else
  na "start-up: \`procbox version\` vs Go hello world" "go build of hello world failed" "<= 1.5"
fi

# one snapshot of a plain process.
sleep 1000 </dev/null >/dev/null 2>&1 &
target_pid=$!
log "bench: snapshot of PID $target_pid"
time_row "snapshot: \`inspect PID --json\` vs \`ps -p PID\`" "<=" 2 \
  ::: "$BIN" inspect "$target_pid" --json ::: ps -o pid,ppid,uid,ni,stat,comm -p "$target_pid"

# isolated start.
log "bench: isolated start"
time_row "isolated start: \`run --ns all --mem 64M --pids 64 -- true\` vs unshare" "" "" \
  ::: "$BIN" run --ns all --mem 64M --pids 64 -- true \
  ::: unshare --fork --pid --mount-proc --net --uts --ipc --mount --cgroup true
time_row "isolated start: \`run --ns all --mem 64M --pids 64 -- true\` vs bwrap" "<=" 1 \
  ::: "$BIN" run --ns all --mem 64M --pids 64 -- true \
  ::: bwrap --unshare-all --ro-bind / / true

# idle TUI with the host's own processes: picker and Lab side by side in time.
log "bench: idle picker and Lab for ${IDLE}s each"
nhost=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
idle_tui picker ps
if [ -n "$idle_err" ]; then
  na "idle CPU, picker (\`procbox ps\` in tmux, ${IDLE}s, $nhost processes)" "$idle_err" "< 0.5%"
else
  row "idle CPU, picker (\`procbox ps\` in tmux, ${IDLE}s, $nhost processes)" "${idle_pct}% of a core" "" "" "< 0.5%" "$(meets "$idle_pct" "<" 0.5)"
fi
idle_tui lab lab
if [ -n "$idle_err" ]; then
  na "idle CPU, Lab (\`procbox lab\` + its child, ${IDLE}s)" "$idle_err" "< 0.5%"
else
  row "idle CPU, Lab (\`procbox lab\` + its child, ${IDLE}s)" "${idle_pct}% of a core" "" "" "< 0.5%" "$(meets "$idle_pct" "<" 0.5)"
fi

# the crowd: ~10,000 extra sleeping processes.
log "bench: starting $NPROCS extra processes"
start_crowd "$NPROCS"
if [ -n "$crowd_err" ]; then
  na "process table scan: \`ps --json\` vs \`ps -e\`" "$crowd_err" "<= 0.25"
  na "peak RSS, picker with ~$NPROCS processes" "$crowd_err" "< 80 MiB"
else
  total=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
  log "bench: $crowd_n extra processes, $total in all"
  time_row "process table scan, $total processes: \`ps --json\` (all cores) vs \`ps -e\` (one)" "<=" 0.25 \
    ::: "$BIN" ps --json ::: ps -e -o pid,ppid,uid,ni,stat,comm
  idle_tui picker10k ps
  if [ -n "$idle_err" ]; then
    na "peak RSS, picker with $total processes" "$idle_err" "< 80 MiB"
  else
    mib=$(awk -v k="$idle_hwm_kib" 'BEGIN { printf "%.1f", k / 1024 }')
    row "peak RSS (VmHWM), picker with $total processes" "$mib MiB" "" "" "< 80 MiB" "$(meets "$mib" "<" 80)"
    row "idle CPU, picker with $total processes (${IDLE}s)" "${idle_pct}% of a core" "" "" "— (rescans paced to 20× the scan cost)" ""
  fi
fi
stop_crowd

model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
  echo "Machine: $(nproc) CPUs, ${model:-unknown CPU}, Linux $(uname -r), $(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "procbox $("$BIN" version 2>/dev/null | awk '{print $2}'), $(go version | awk '{print $3}'); medians of $RUNS runs with $timer; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "| metric | procbox | reference | ratio | target | ok? |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$OUTDIR/bench.md"
log "bench: table written to bench-out/bench.md"
