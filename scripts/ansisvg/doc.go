// Command ansisvg turns a terminal screen captured with its colours
// (`tmux capture-pane -e -N -p`) into an SVG image of that screen, for the
// README's screenshots (scripts/screenshots.sh). It reads standard input and
// writes standard output; it understands the SGR sequences a terminal UI
// uses (bold, faint, underline, reverse, 16, 256 and 24-bit colours) and
// ignores every other escape sequence. A tool of the repository, never part
// of procbox.
package main
