// Package markdown draws the lesson texts as styled terminal lines. It reads
// only the subset of markdown the lesson files use (assets/lessons/README.md
// lists it): ATX headings, paragraphs, bullet and numbered lists (nested
// too), block quotes, thematic breaks, fenced and indented code, and inline
// `code`, **strong**, *emphasis*, [links](url), <autolinks> and backslash
// escapes. Anything outside the subset (HTML, tables, entities) is shown as
// the literal text.
//
// It is our own small parser rather than a CommonMark library because every
// procbox process, each re-exec'd isolated child included, would pay that
// library's package init although only the Learn screen draws markdown. The
// tests keep goldmark as an oracle (a test-only import costs the binary
// nothing). Rule: pure functions from text to lines; no IO, no state, no
// Bubble Tea model.
package markdown
