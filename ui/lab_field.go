package ui

import (
	tea "charm.land/bubbletea/v2"
)

// labField is the Lab's one-line edit field. bubbles/textinput would pull in a
// clipboard module that go.sum does not carry yet; a value edited at its end
// is all a size, a count or a hostname needs.
type labField struct {
	value []rune
	limit int
}

// SetValue replaces the text.
func (f *labField) SetValue(s string) { f.value = []rune(s) }

// Value is the text.
func (f labField) Value() string { return string(f.value) }

// Update takes one key: printable text is appended; backspace, ctrl+w and
// ctrl+u delete. It reports whether the value changed.
func (f *labField) Update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if len(f.value) > 0 {
			f.value = f.value[:len(f.value)-1]
			return true
		}
		return false
	case "ctrl+u", "ctrl+w":
		changed := len(f.value) > 0
		f.value = nil
		return changed
	}
	k := msg.Key()
	if k.Text == "" || k.Mod&^tea.ModShift != 0 {
		return false
	}
	for _, r := range k.Text {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	if f.limit > 0 && len(f.value)+len([]rune(k.Text)) > f.limit {
		return false
	}
	f.value = append(f.value, []rune(k.Text)...)
	return true
}

// View draws the value with a block cursor after it.
func (f labField) View() string { return string(f.value) + "▏" }
