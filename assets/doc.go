// Package assets embeds the lesson markdown. It holds text only, no logic, and
// imports no project package.
package assets
