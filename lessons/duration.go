package lessons

import "strings"

// How long a lesson takes a learner who reads every step, takes the demo
// path (a) and then the do-it-yourself path by hand (s), and answers the
// quiz. Two kinds of numbers go into it, and only one kind is measured.
//
// Measured: the machine's share of each step (measuredSeconds below), from
// a timed walk of the whole course: TestLearnWalkTimed in cmd/procbox
// (PROCBOX_WALK=1) drives the real binary in tmux, presses a on every step
// and times it until the verdict, then presses s, types every line of the
// step's commands and times the shell's start, each line's run (until a
// marker typed after it comes back) and the last exit until the verdict by
// hand, leaving out the pauses the walk makes itself.
//
// Modelled, not measured (no person has walked the course with a clock):
//   - reading: 150 words a minute. Carver's studies of reading rate put
//     reading to learn at about 200 words a minute for college readers
//     (R. P. Carver, "Reading rate: theory, research, and practical
//     implications", Journal of Reading 36(2), 1992); this text is dense
//     with paths, flags and numbers read against a live panel, so slower;
//   - typing: 1.5 characters a second. A large study of transcription
//     typing found about 52 words a minute on average, some 4 characters a
//     second (V. Dhakal et al., "Observations on typing from 136 million
//     keystrokes", CHI 2018); commands full of $, /, quotes and flags copied
//     from the text go at about a third of that;
//   - the learner's own round trips: half a minute per step to act and read
//     the panel's answer against the text; a minute and a half per shell
//     path to open it, read what each line printed, fix a typo and exit.
const (
	readWordsPerMinute  = 150.0
	typeCharsPerSecond  = 1.5
	actMinutesPerStep   = 0.5
	shellMinutesPerStep = 1.5
)

// measuredSeconds is the machine's share of each step, "lesson/step" →
// seconds for the demo action (a) and for the shell path (s; 0 where the
// step has none), from the walk on 2026-12-06 on the 2-core development VM
// while other engineers' tests ran (load average 2.4 to 3.4): an upper bound
// for a quiet machine. The machine is not where a lesson's time goes: the
// whole course measured about 48 seconds. deeper/bridge and deeper/nat did
// not pass in that walk (probably another procbox's learner shell, which
// then undid the lesson's links at every exit, undid them meanwhile); they
// are from a walk of the deeper lesson alone (TestLearnWalkTimed, own
// /run/procbox) at 00:35 the same day.
var measuredSeconds = map[string][2]float64{
	"process/pid":             {0.1, 0.0},
	"process/ids":             {0.1, 0.0},
	"process/nice":            {0.1, 0.0},
	"process/memory":          {0.1, 0.0},
	"process/fds":             {0.1, 0.0},
	"process/env":             {0.1, 0.0},
	"process/registers":       {0.2, 0.0},
	"limits/sees-all":         {0.1, 0.0},
	"limits/shared":           {0.1, 0.0},
	"limits/fork":             {0.2, 0.0},
	"limits/memory":           {0.2, 0.0},
	"limits/root":             {0.1, 0.0},
	"namespaces/pid":          {0.1, 1.2},
	"namespaces/net":          {0.1, 1.3},
	"namespaces/mnt":          {0.1, 1.2},
	"namespaces/uts":          {0.1, 1.2},
	"namespaces/ipc":          {0.1, 1.2},
	"namespaces/user":         {0.1, 0.2},
	"namespaces/cgroup":       {0.1, 1.1},
	"namespaces/time":         {0.1, 0.2},
	"cgroups/versions":        {0.1, 0.0},
	"cgroups/memory":          {0.1, 1.3},
	"cgroups/pids":            {0.1, 8.3},
	"cgroups/cpu":             {3.1, 1.2},
	"cgroups/v2":              {0.0, 3.3},
	"security/caps":           {0.2, 0.0},
	"security/drop-chown":     {0.1, 0.3},
	"security/drop-bind":      {0.1, 1.3},
	"security/drop-raw":       {0.1, 1.1},
	"security/seccomp":        {0.1, 1.2},
	"security/lsm":            {0.1, 0.0},
	"container/all":           {0.1, 0.0},
	"container/rootfs":        {0.1, 0.0},
	"container/encapsulation": {0.1, 0.0},
	"container/isolation":     {0.1, 0.0},
	"container/portability":   {0.1, 0.0},
	"container/efficiency":    {0.1, 0.0},
	"runtimes/runc":           {0.0, 2.2},
	"runtimes/defaults":       {0.0, 2.4},
	"byhand/layers":           {0.0, 1.9},
	"byhand/cgroup":           {0.0, 1.2},
	"byhand/enter":            {0.0, 1.5},
	"deeper/nsenter":          {0.0, 1.6},
	"deeper/userns":           {0.0, 1.2},
	"deeper/veth":             {0.0, 1.2},
	"deeper/bridge":           {0.0, 3.5},
	"deeper/nat":              {0.0, 5.7},
	"deeper/nnp":              {0.0, 1.3},
	"deeper/reap":             {0.0, 1.3},
}

// unmeasuredSeconds stands for a step the walk has not timed yet (a new
// step): the slowest act and shell path the walk measured.
var unmeasuredSeconds = [2]float64{3.1, 7.5}

// EstimateMinutes is a lesson's expected length by the model above: its
// text and quiz read, every action taken, every shell path typed, plus the
// machine time measured for each step.
func EstimateMinutes(l Lesson) float64 {
	words, chars := 0, 0
	for _, s := range l.Steps {
		if b, err := s.Body(); err == nil {
			words += len(strings.Fields(b))
		}
		if s.DIY != nil {
			for _, c := range s.DIY.Commands {
				chars += len(c)
			}
		}
	}
	for _, q := range l.Quiz {
		words += len(strings.Fields(q.Prompt + " " + strings.Join(q.Choices, " ") + " " + q.Explain))
	}
	m := float64(words)/readWordsPerMinute + float64(chars)/typeCharsPerSecond/60
	for _, s := range l.Steps {
		machine, ok := measuredSeconds[Key(l.ID, s.ID)]
		if !ok {
			machine = unmeasuredSeconds
		}
		if !s.ByHandOnly {
			m += actMinutesPerStep + machine[0]/60
		}
		if s.DIY != nil {
			m += shellMinutesPerStep + machine[1]/60
		}
	}
	return m
}
