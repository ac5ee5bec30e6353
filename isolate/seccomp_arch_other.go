//go:build !amd64 && !arm64

package isolate

// No filter is built without a syscall table (see syscall_table_other.go);
// 0 matches no real arch value, so a filter built anyway would allow nothing.
const seccompAuditArch = 0

const seccompX32Bit = 0
