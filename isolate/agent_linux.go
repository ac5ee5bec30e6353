package isolate

// Placeholder roles until the agent lands.
const (
	sleeperMarker = "__procbox_sleeper"
	memhogMarker  = "__procbox_memhog"
)

func agentMain() int       { return 1 }
func shellClientMain() int { return 1 }
func sleeperMain()         {}
func memhogMain() int      { return 1 }
