#!/usr/bin/env bash
# Screenshots for the README, made from the real program: drive ./procbox in tmux
# at 100x30, capture each main screen as text, and render it to a PNG with
# ImageMagick when it is installed (apt-get install imagemagick fonts-dejavu-core).
# Needs root for the Lab (namespaces and cgroups). Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build
out=docs/screens
mkdir -p "$out"
sock=$(mktemp -u /tmp/procbox-shots.XXXXXX)
sleep 600 & demo=$!
cleanup() { tmux -S "$sock" kill-server 2>/dev/null || true; kill "$demo" 2>/dev/null || true; rm -f "$sock"; }
trap cleanup EXIT

t() { tmux -S "$sock" "$@"; }
shot() { # name: capture the pane as text (and PNG)
  t capture-pane -p -t shots >"$out/$1.txt"
  if command -v convert-im6.q16 >/dev/null 2>&1; then
    # One label per line, stacked: ImageMagick's label: mis-sizes a long
    # multi-line text, and its policy forbids reading the text from a file.
    local args=() line
    while IFS= read -r line || [ -n "$line" ]; do
      # label: drops leading spaces; no-break spaces keep the columns.
      if [ -n "${line// /}" ]; then args+=(-size 1000x19 "label:${line// / }"); else args+=(-size 1000x19 "xc:#1e1e2e"); fi
    done <"$out/$1.txt"
    convert-im6.q16 -background '#1e1e2e' -fill '#e6e6e6' -font DejaVu-Sans-Mono -pointsize 14 \
      -gravity west "${args[@]}" -append -bordercolor '#1e1e2e' -border 12 "$out/$1.png"
  fi
}
keys() { t send-keys -t shots "$@"; sleep "${PAUSE:-1.2}"; }

t new-session -d -x 100 -y 30 -s shots "NO_COLOR=1 ./procbox"
sleep 2; shot home
keys Down Down Enter; PAUSE=0.3 keys /; PAUSE=0.3 keys -l sleep; keys Enter; shot picker
keys Enter; keys 6; shot inspector
keys q; keys q
keys Up Enter; sleep 2
PAUSE=2 keys Space; PAUSE=0.3 keys Down Down Down; PAUSE=2 keys Space; shot lab
keys q; keys Up Enter; sleep 2; shot learn
keys q; keys q
echo "screens in $out: $(ls "$out" | tr '\n' ' ')"
