package isolate

// ownerRunDir is where root's procbox keeps its ownership lock files
// (owner_linux.go). It is named here, outside the Linux-only files, because
// the explanation of a child's masked paths (explain.go) names it on every
// system.
const ownerRunDir = "/run/procbox"
