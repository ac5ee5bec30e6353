package lessons

import (
	"fmt"
	"io/fs"
	"path"
	"time"

	"procbox/assets"
	"procbox/inspect"
	"procbox/isolate"
)

// Lesson is one chapter of the course: a few steps, each shown on a live
// process, and a short quiz at the end.
type Lesson struct {
	ID      string
	Title   string
	Minutes int // the time a learner should plan for, shown as a countdown
	Steps   []Step
	Quiz    []Question
}

// Step is one concept, one live demonstration and one check.
type Step struct {
	ID    string
	Title string
	// Text names the step's markdown file under assets/lessons ("process/pid.md").
	Text string
	// Spec is the demo child this step is about. For an ActApply step the child
	// starts from From and the learner's action switches Spec on.
	Spec isolate.Spec
	From isolate.Spec
	// Action is what the learner does to make the check pass.
	Action Action
	// Check reads the state the UI gathered and says what is still missing.
	// Use Step.Evaluate, which adds the hint to a failure.
	Check func(State) Result
	Hint  string
	Notes string // speaker notes for presenter mode
	// DIY, when set, is the step's do-it-yourself path next to the action.
	DIY *DIY
	// ByHandOnly steps have no demo of their own: the learner's shell is the
	// way through, and the action only checks again what it built.
	ByHandOnly bool
}

// DIY is a step's do-it-yourself path. The learner gets a plain shell of
// their own (no namespace, limit or filter of the demo child) and types
// Commands; procbox watches every process that shell starts, and Check reads
// what the learner's commands made of them (State.Shell), never the demo child.
type DIY struct {
	Commands []string // what to type, one line each, exactly as the step's text shows them
	Check    func(State) Result
	Hint     string
}

// Which path passed a step: the demo child's action, or the learner's shell.
const (
	PathShow  = "show"
	PathShell = "shell"
)

// ActionKind says what performing a step's action means for the UI.
type ActionKind string

const (
	// ActLook takes a fresh look at the child and the host: both views, both
	// snapshots and the host report. It is how a learner "inspects".
	ActLook ActionKind = "look"
	// ActApply switches the step's Spec on for the child, which ran with From.
	ActApply ActionKind = "apply"
	// ActExperiment runs Action.Experiment inside the child.
	ActExperiment ActionKind = "experiment"
	// ActRegisters reads the child's registers with ptrace.
	ActRegisters ActionKind = "registers"
	// ActShell hands the terminal to a shell in the child; the learner types Command.
	ActShell ActionKind = "shell"
)

// Action is what the learner does on a step.
type Action struct {
	Kind       ActionKind
	Experiment string // for ActExperiment: an isolate.Exp* name
	Command    string // for ActShell: what to type in the child's shell
	Label      string // one line for the UI: "renice the demo process by 5"
}

// DemoRootfs is the Spec.Rootfs of the steps that give the demo child its own
// root filesystem. It names no directory: lessons are plain values and never
// touch the disk, so the program that runs the child builds a small root
// filesystem for the course and puts its path in place with ResolveRootfs.
const DemoRootfs = "procbox:demo-rootfs"

// ResolveRootfs returns spec with DemoRootfs replaced by dir; any other spec
// comes back unchanged.
func ResolveRootfs(spec isolate.Spec, dir string) isolate.Spec {
	if spec.Rootfs == DemoRootfs {
		spec.Rootfs = dir
	}
	return spec
}

// StartSpec is the spec the demo child runs when the step opens.
func (s Step) StartSpec() isolate.Spec {
	if s.Action.Kind == ActApply {
		return s.From
	}
	return s.Spec
}

// Body returns the step's markdown text from the embedded assets.
func (s Step) Body() (string, error) {
	b, err := fs.ReadFile(assets.Lessons, path.Join("lessons", s.Text))
	if err != nil {
		return "", fmt.Errorf("lesson text %s: %w", s.Text, err)
	}
	return string(b), nil
}

// EvaluateDIY runs the do-it-yourself check on what the learner's shell did.
func (s Step) EvaluateDIY(st State) Result {
	if s.DIY == nil {
		return Result{Missing: "this step has no do-it-yourself path"}
	}
	if st.Shell == nil {
		return Result{Missing: "you have not opened the shell yet: press s and type the commands", Hint: s.DIY.Hint}
	}
	r := s.DIY.Check(st)
	if !r.Passed && r.Hint == "" {
		r.Hint = s.DIY.Hint
	}
	return r
}

// Evaluate runs the step's check and fills in the hint of a failure.
func (s Step) Evaluate(st State) Result {
	if s.Check == nil {
		return Result{Passed: true}
	}
	r := s.Check(st)
	if !r.Passed && r.Hint == "" {
		r.Hint = s.Hint
	}
	return r
}

// State is what the UI gathered about the demo child and the host for a check.
// Before is the state when the step opened, before the learner acted; a nil
// Before means the learner has not performed the step's action yet.
type State struct {
	Child, Host isolate.View
	ChildSnap   *inspect.Snapshot
	HostSnap    *inspect.Snapshot
	Outcomes    []isolate.Outcome
	Registers   *isolate.Registers
	Doctor      inspect.HostReport
	Before      *State
	// Shell is what procbox saw of the learner's own shell on the
	// do-it-yourself path; nil until the learner used it.
	Shell *isolate.ShellTrace

	// Spec is the spec the child runs now; StartDuration is how long it took
	// to start (Lab.Start or the recreate in Apply), measured by the UI.
	Spec          isolate.Spec
	StartDuration time.Duration
}

// Outcome returns the latest outcome of experiment name, if it ran.
func (s State) Outcome(name string) (isolate.Outcome, bool) {
	for i := len(s.Outcomes) - 1; i >= 0; i-- {
		if s.Outcomes[i].Experiment == name {
			return s.Outcomes[i], true
		}
	}
	return isolate.Outcome{}, false
}

// Result is the verdict of a check: passed, or what is still missing.
type Result struct {
	Passed  bool
	Missing string
	Hint    string
}

// Question is one multiple-choice quiz question, answered with a, b, c or d.
type Question struct {
	Prompt  string
	Choices []string
	Answer  int // index into Choices
	Explain string
	// Needs names the concepts a learner must have met to answer, as words
	// of the question. A quiz comes at the end of its lesson, so each must
	// appear in the text of a step of this lesson or an earlier one: a test
	// holds the course to "never ask what has not been taught yet".
	Needs []string
}

// Catalog is the whole course, in teaching order.
func Catalog() []Lesson {
	return []Lesson{processLesson(), limitsLesson(), namespacesLesson(),
		cgroupsLesson(), securityLesson(), containerLesson(), runtimesLesson(), byHandLesson(), deeperLesson()}
}

// Find returns the lesson with id.
func Find(id string) (Lesson, bool) {
	for _, l := range Catalog() {
		if l.ID == id {
			return l, true
		}
	}
	return Lesson{}, false
}

// IDs lists the lesson ids in order, for usage messages.
func IDs() []string {
	var ids []string
	for _, l := range Catalog() {
		ids = append(ids, l.ID)
	}
	return ids
}

// TotalSteps counts the steps of the whole course (the progress bar's scale).
func TotalSteps() int {
	n := 0
	for _, l := range Catalog() {
		n += len(l.Steps)
	}
	return n
}

// Key names a step in saved progress: "lesson/step".
func Key(lesson, step string) string { return lesson + "/" + step }
