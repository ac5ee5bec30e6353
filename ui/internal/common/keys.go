package common

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the screens this file's owner draws (root,
// home, picker, inspector, compare). One value feeds both the handlers and the
// help line, so the help can never drift from what the keys really do.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Enter    key.Binding
	Back     key.Binding
	Quit     key.Binding
	Help     key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	TabNum   key.Binding
	Filter   key.Binding
	Sort     key.Binding
	Reverse  key.Binding
	SortCol  key.Binding
	Tree     key.Binding
	Mark     key.Binding
	Reveal   key.Binding
	HalfUp   key.Binding
	HalfDown key.Binding
	Search   key.Binding
	NextHit  key.Binding
	PrevHit  key.Binding
	Whole    key.Binding
	FullCmd  key.Binding
}

// DefaultKeyMap is the bindings people expect: arrows and vim keys, Tab, /, ?, q.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q/esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		NextTab:  key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("tab", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("shift+tab", "prev tab")),
		TabNum:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8"), key.WithHelp("1-8", "go to tab")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
		Reverse:  key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		SortCol:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"), key.WithHelp("1-9,0", "sort by column")),
		Tree:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tree")),
		Mark:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "mark / compare")),
		Reveal:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "half page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "half page down")),
		Search:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextHit:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevHit:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		FullCmd:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "full command lines")),
		Whole:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "whole value")),
	}
}
