package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

// coreDeps builds Deps over the fake inspector, frozen clock, monochrome styles.
func coreDeps(in *uitest.Inspector) common.Deps {
	return common.Deps{Inspector: in, Clock: uitest.NewClock(uitest.Now), Styles: common.NewStyles(true, true)}
}

// coreDriver drives the root model with s as its first screen.
type coreDriver struct {
	*uitest.Driver
	m tea.Model
}

func newCoreDriver(t testing.TB, d common.Deps, s common.Screen, w, h int) *coreDriver {
	t.Helper()
	dr := &coreDriver{m: newRoot(d, s)}
	dr.Driver = uitest.New(t, func(msg tea.Msg) tea.Cmd {
		m, cmd := dr.m.Update(msg)
		dr.m = m
		return cmd
	}, func() string { return dr.root().render() })
	dr.Run(dr.m.Init())
	dr.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return dr
}

func (d *coreDriver) root() rootModel { return d.m.(rootModel) }

// top is the screen on top of the stack.
func (d *coreDriver) top() common.Screen { return d.root().top() }
