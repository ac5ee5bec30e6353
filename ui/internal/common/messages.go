package common

import tea "charm.land/bubbletea/v2"

// BackMsg asks the root to pop the current screen (Esc/q on a sub-screen).
type BackMsg struct{}

// BackCmd returns BackMsg.
func BackCmd() tea.Msg { return BackMsg{} }

// StylesMsg tells every screen that the styles were rebuilt (the terminal told
// us its background colour). Screens that keep a copy of Styles replace it.
type StylesMsg struct{ Styles Styles }

// ActiveMsg tells a screen whether it is the top of the stack. Screens that
// poll (the picker, the inspector) stop their once-a-second work while covered
// and refresh at once when they are shown again.
type ActiveMsg struct{ Active bool }

// FlashMsg shows a one-off message in the header until the next key.
type FlashMsg struct{ Text string }

// FlashCmd returns a command that shows text in the header.
func FlashCmd(text string) tea.Cmd { return func() tea.Msg { return FlashMsg{Text: text} } }
