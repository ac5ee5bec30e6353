package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/charmbracelet/x/term"

	"procbox/lessons"
	"procbox/ui"
)

const learnUsage = `Usage: procbox learn [LESSON] [--presenter] [--reset]
       procbox learn --notes
       procbox learn --list
       procbox learn --print LESSON [--markdown]

  --list       the lessons with their steps and minutes
  --print ID   a lesson as a plain-text handout (--markdown for markdown)
  --presenter  large, high-contrast layout for a projector; speaker notes stay
               off it (N reveals them there when you must)
  --notes      in a second terminal: follows the presenter's step live and
               shows its speaker notes, hints and quiz answers
  --reset      forget saved progress and start from the first lesson
`

// cmdLearn implements 'procbox learn'.
func cmdLearn(args []string) error {
	return learnMain(args, os.Stdout, onTTY())
}

// learnMain is cmdLearn with its output and terminal check as parameters, for tests.
func learnMain(args []string, out io.Writer, tty bool) error {
	fs := flag.NewFlagSet("learn", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	list := fs.Bool("list", false, "list the lessons")
	printID := fs.String("print", "", "print LESSON as a handout")
	markdown := fs.Bool("markdown", false, "with --print: markdown instead of plain text")
	presenter := fs.Bool("presenter", false, "presenter mode")
	reset := fs.Bool("reset", false, "start over")
	notes := fs.Bool("notes", false, "follow the presenter's notes")
	// Accept the lesson before or after the flags: `learn pid --presenter`.
	var lesson string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		lesson, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(out, learnUsage)
			return nil
		}
		return usagef("learn: %v", err)
	}
	switch rest := fs.Args(); {
	case len(rest) > 1 || (len(rest) == 1 && lesson != ""):
		return usagef("learn: one lesson at a time (got %s)", strings.Join(append([]string{lesson}, rest...), " "))
	case len(rest) == 1:
		lesson = rest[0]
	}
	valid := strings.Join(lessons.IDs(), ", ")
	if lesson != "" {
		if _, ok := lessons.Find(lesson); !ok {
			return usagef("learn: unknown lesson %q (valid: %s)", lesson, valid)
		}
	}
	if *markdown && *printID == "" {
		return usagef("learn: --markdown goes with --print LESSON")
	}
	switch {
	case *notes:
		if *list || *printID != "" || lesson != "" || *presenter || *reset {
			return usagef("learn: --notes takes nothing else; it follows whatever the presenter opens")
		}
		var store ui.ProgressStore
		if progressHook != nil {
			store = progressHook()
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		clear := ""
		if tty {
			clear = "\x1b[H\x1b[2J"
		}
		width := func() int { return 0 }
		if f, ok := out.(*os.File); ok && tty {
			width = func() int {
				if cols, _, err := term.GetSize(f.Fd()); err == nil {
					return cols
				}
				return 0
			}
		}
		return followNotes(ctx, out, store, clear, width)
	case *list:
		if *printID != "" || lesson != "" {
			return usagef("learn: --list takes no lesson")
		}
		writeLessonList(out)
		return nil
	case *printID != "":
		if _, ok := lessons.Find(*printID); !ok {
			return usagef("learn: unknown lesson %q (valid: %s)", *printID, valid)
		}
		fmt.Fprint(out, lessons.Print(*printID, *markdown))
		return nil
	}
	if *reset {
		if err := resetProgress(); err != nil {
			return fmt.Errorf("learn --reset: %w", err)
		}
	}
	if !tty {
		if *reset {
			fmt.Fprintln(out, "Progress reset.")
			return nil
		}
		return usagef("learn: the lesson player needs a terminal; use --list or --print LESSON without one")
	}
	d := buildDeps()
	if *presenter {
		// Secrets stay masked in presenter mode whatever other flags say.
		d.ShowSecrets = false
		d.Styles.Presenter = true
	}
	return withLabCleanup(d, func() error {
		// A learner's shell open when procbox quits ends, and what it left.
		defer endLearnerShells()
		defer endShellsOnSignal()()
		return ui.RunLearn(d, lesson, *presenter)
	})
}

// writeLessonList prints one line per lesson: id, steps, minutes, title.
func writeLessonList(out io.Writer) {
	total := 0
	for _, l := range lessons.Catalog() {
		fmt.Fprintf(out, "%-11s %2d steps  %3d min  %s\n", l.ID, len(l.Steps), l.Minutes, l.Title)
		total += l.Minutes
	}
	fmt.Fprintf(out, "%-11s %2d steps  %3d min\n", "(course)", lessons.TotalSteps(), total)
}

// resetProgress forgets the saved progress, if there is any.
func resetProgress() error {
	p, err := defaultProgressPath()
	if err != nil {
		return nil // nothing could have been saved
	}
	return fileProgress{path: p}.Reset()
}
