package lab

import "procbox/inspect"

// Availability is whether one Lab switch works for the user the report was
// read as, and why not.
type Availability struct {
	Switch string // the switch's label in the Lab ("pid", "memory", "drop caps")
	OK     bool
	Why    string
}

// Available answers, for every Lab switch in the Lab's order, whether it
// works on this host for this user: the same answer the Lab gives on screen
// (procbox doctor prints it).
func Available(r inspect.HostReport) []Availability {
	m := &Model{avail: availabilityOf(r, true)}
	var out []Availability
	for _, sw := range switchRows() {
		a := m.available(sw)
		out = append(out, Availability{Switch: sw.label, OK: a.ok, Why: a.why})
	}
	return out
}
