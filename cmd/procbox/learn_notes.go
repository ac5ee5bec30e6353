package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"procbox/lessons"
	"procbox/ui"
)

// notesEvery is how often the notes terminal looks at the presenter's place.
const notesEvery = 300 * time.Millisecond

// followNotes is `procbox learn --notes`: in a second terminal (the
// presenter's own screen, not the projector) it shows the speaker notes of
// the step the presenter is on, following it live through the saved
// progress, until ctx ends. clear is the escape sequence that clears the
// terminal ("" when out is not one). width gives the terminal's columns
// (0: do not wrap); the notes are wrapped at word boundaries to it, and
// drawn again when it changes.
func followNotes(ctx context.Context, out io.Writer, store ui.ProgressStore, clear string, width func() int) error {
	if store == nil {
		return fmt.Errorf("learn --notes: no place to read the presenter's progress from (no home directory and no XDG_STATE_HOME)")
	}
	last, lastW := "", 0
	t := time.NewTicker(notesEvery)
	defer t.Stop()
	for {
		p, err := store.Load()
		if err == nil {
			key := fmt.Sprintf("%s/%d", p.Lesson, p.Step)
			w := 0
			if width != nil {
				w = width()
			}
			if key != last || w != lastW {
				last, lastW = key, w
				text := lessons.SpeakerNotes(p.Lesson, p.Step)
				if text == "" {
					text = "Waiting for the presenter: start `procbox learn --presenter` in the other terminal.\n"
				}
				fmt.Fprint(out, clear+wrapWords(text, w))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
