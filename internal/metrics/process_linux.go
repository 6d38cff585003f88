package metrics

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100
// on every Linux architecture Go supports.
const userHZ = 100

// writeProcess writes the process's own figures under the names
// Prometheus' clients give them (process_cpu_seconds_total,
// process_resident_memory_bytes ...), read from /proc/self. A figure that
// cannot be read is left out.
func writeProcess(e *exposition, _ time.Time) {
	gauge := func(name, help string, v value) {
		e.family(name, "gauge", help)
		e.sample(name, nil, v)
	}
	st, ok := readStat()
	if ok {
		e.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
		e.sample("process_cpu_seconds_total", nil, floatValue(float64(st.utime+st.stime)/userHZ))
	}
	if n, err := countFDs(); err == nil {
		gauge("process_open_fds", "Number of open file descriptors.", intValue(int64(n)))
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		gauge("process_max_fds", "Maximum number of open file descriptors.", uintValue(lim.Cur))
	}
	if ok {
		gauge("go_threads", "Number of OS threads created.", intValue(st.threads))
		gauge("process_resident_memory_bytes", "Resident memory size in bytes.", intValue(st.rss*int64(os.Getpagesize())))
		if boot, ok := bootTime(); ok {
			gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", floatValue(float64(boot)+float64(st.start)/userHZ))
		}
		gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", intValue(st.vsize))
	}
}

type procStat struct {
	utime, stime, start int64 // in USER_HZ
	threads             int64
	vsize, rss          int64 // bytes, pages
}

// readStat reads /proc/self/stat: after the command name in parentheses
// (which may hold spaces and parentheses itself), the fields from the
// third on (state) are separated by spaces.
func readStat() (procStat, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3
	field := func(n int) int64 {
		if n-3 >= len(f) {
			return 0
		}
		v, _ := strconv.ParseInt(string(f[n-3]), 10, 64)
		return v
	}
	if len(f) < 22 {
		return procStat{}, false
	}
	return procStat{utime: field(14), stime: field(15), threads: field(20), start: field(22), vsize: field(23), rss: field(24)}, true
}

// bootTime is the system's boot time in seconds since the epoch, from the
// btime line of /proc/stat.
func bootTime() (int64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func countFDs() (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return len(names) - 1, nil // less the descriptor reading the directory
}
