//go:build unix

package testkit

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time the process has used, user and system: on a
// machine shared with other work it tells a benchmark's cost apart from
// its wait for a core. ok is false where it is not measured.
func ProcessCPU() (cpu time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
