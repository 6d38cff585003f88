//go:build !unix

package testkit

import "time"

// ProcessCPU is not measured on this system.
func ProcessCPU() (cpu time.Duration, ok bool) { return 0, false }
