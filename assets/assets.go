package assets

import "embed"

// Lessons holds lessons/*.md.
//
//go:embed lessons
var Lessons embed.FS
