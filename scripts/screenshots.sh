#!/usr/bin/env bash
# Screenshots for the README, made from the real program: drive ./procbox in tmux
# at 100x30 in colour, as a user sees it, and save each main screen twice: as text
# (NAME.txt) and as an SVG picture of the coloured screen (NAME.svg, drawn by
# scripts/ansisvg from tmux's capture with escape sequences). Needs go on PATH, and
# root for the Lab (namespaces and cgroups). Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build
out=docs/screens
mkdir -p "$out"
sock=$(mktemp -u /tmp/procbox-shots.XXXXXX)
svg=$(mktemp /tmp/procbox-ansisvg.XXXXXX)
go build -o "$svg" ./scripts/ansisvg
sleep 600 & demo=$!
cleanup() { tmux -S "$sock" kill-server 2>/dev/null || true; kill "$demo" 2>/dev/null || true; rm -f "$sock" "$svg"; }
trap cleanup EXIT

t() { tmux -S "$sock" "$@"; }
shot() { # name: capture the pane as text and as a coloured SVG
  t capture-pane -p -t shots >"$out/$1.txt"
  t capture-pane -p -e -N -t shots | "$svg" 100 >"$out/$1.svg"
}
keys() { t send-keys -t shots "$@"; sleep "${PAUSE:-1.2}"; }

t -f /dev/null new-session -d -x 100 -y 30 -s shots "COLORTERM=truecolor TERM=xterm-256color ./procbox"
sleep 2; shot home
keys Down Down Enter; PAUSE=0.3 keys /; PAUSE=0.3 keys -l sleep; keys Enter; shot picker
keys Enter; keys 6; shot inspector
keys q; keys q
keys Up Enter; sleep 2
PAUSE=2 keys Space; PAUSE=0.3 keys Down Down Down; PAUSE=2 keys Space; shot lab
keys q; keys Up Enter; sleep 2; shot learn
keys q; keys q
echo "screens in $out: $(ls "$out" | tr '\n' ' ')"
