package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/ui/internal/common"
)

// Temporary names for the screens that still live in package ui while they
// move into their own packages; this file goes when the last one has moved.
type (
	screen      = common.Screen
	closer      = common.Closer
	statuser    = common.Statuser
	backer      = common.Backer
	stylesMsg   = common.StylesMsg
	activeMsg   = common.ActiveMsg
	flashMsg    = common.FlashMsg
	backMsg     = common.BackMsg
	KeyMap      = common.KeyMap
	systemClock = common.SystemClock
)

var (
	errNoInspector = common.ErrNoInspector
	DefaultKeyMap  = common.DefaultKeyMap
)

const refreshEvery = common.RefreshEvery

func backCmd() tea.Msg                       { return common.BackCmd() }
func flashCmd(text string) tea.Cmd           { return common.FlashCmd(text) }
func cellWidth(s string) int                 { return common.CellWidth(s) }
func truncate(s string, w int) string        { return common.Truncate(s, w) }
func fit(s string, w int) string             { return common.Fit(s, w) }
func fitLeft(s string, w int) string         { return common.FitLeft(s, w) }
func spaces(n int) string                    { return common.Spaces(n) }
func padRight(s string, w int) string        { return common.PadRight(s, w) }
func fitBlock(s string, w, h int) string     { return common.FitBlock(s, w, h) }
func bar(st Styles, f float64, w int) string { return common.Bar(st, f, w) }
func usageBar(st Styles, used, limit int64, width int, format func(int64) string) string {
	return common.UsageBar(st, used, limit, width, format)
}
func tickCmd(c Clock, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return common.TickCmd(c, d, fn)
}
