package lab

import (
	tea "charm.land/bubbletea/v2"
)

// editField is the Lab's one-line edit field, edited at its end: that is all
// a size, a count or a hostname needs. bubbles/textinput would also bring
// github.com/atotto/clipboard (paste by running xclip or xsel), a dependency
// DESIGN.md does not list, for a feature nobody needs to type "64M".
type editField struct {
	value []rune
	limit int
}

// SetValue replaces the text.
func (f *editField) SetValue(s string) { f.value = []rune(s) }

// Value is the text.
func (f editField) Value() string { return string(f.value) }

// Update takes one key: printable text is appended; backspace, ctrl+w and
// ctrl+u delete. It reports whether the value changed.
func (f *editField) Update(msg tea.KeyPressMsg) bool {
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
func (f editField) View() string { return string(f.value) + "▏" }
