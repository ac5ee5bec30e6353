package isolate

// Reading the control channel: every message from the child is one line of
// at most maxControlLine bytes. The child is hostile: a child that takes the
// agent's socket (pidfd_getfd) and writes gigabytes without a newline must
// not grow procbox's memory, so a read stops at the limit and the child is
// ended, instead of buffering whatever it sends.

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxControlLine bounds one message from the child. A Lab view is about
// 2 KiB (lists are capped by the agent, see fitReply); 16 KiB leaves room
// for a host with many interfaces and still keeps a read small.
const maxControlLine = 16 << 10

// errControlTooLong: the child sent more than maxControlLine without a newline.
var errControlTooLong = errors.New("the child sent a message longer than " + strconv.Itoa(maxControlLine>>10) + " KiB without a newline")

// readControlLine reads one line of at most max bytes (newline included).
// Past max it stops reading and returns errControlTooLong; the stream is then
// out of step and the child must be ended.
func readControlLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(line)+len(frag) > max {
			return nil, errControlTooLong
		}
		line = append(line, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

// clipForLog shows at most 64 bytes of what a child sent, quoted, so a log
// line stays one short line whatever the child wrote.
func clipForLog(b []byte) string {
	const keep = 64
	if len(b) <= keep {
		return strconv.Quote(string(b))
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return strconv.Quote(string(b[:cut])) + fmt.Sprintf("… (%d bytes)", len(b))
}
