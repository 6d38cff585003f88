//go:build !linux

package metrics

import "time"

// writeProcess writes the process's start time; the other figures are
// read from /proc, which only Linux has.
func writeProcess(e *exposition, started time.Time) {
	e.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
	e.sample("process_start_time_seconds", nil, floatValue(float64(started.UnixNano())/1e9))
}
