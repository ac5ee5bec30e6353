// Package picker is the process table: every process on the host, sorted,
// filtered, as a tree, rescanned at a pace set by what a scan costs. It keeps
// its own table rather than bubbles/table (10,000 rows, the tree view, paced
// rescans). It reads processes only through common.Inspector and never opens
// another screen itself: it sends OpenMsg or CompareMsg and the root acts.
package picker
