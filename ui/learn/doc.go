// Package learn is the lesson player: the course from assets/lessons drawn
// beside a live panel on a real child, the step's action and check, quizzes,
// presenter mode and saved progress. Checks are pure functions from the
// lessons package; everything that reads the kernel or the child runs in
// tea.Cmds through common.Inspector and common.LabChild, never in Update.
package learn
