package main

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Memory is the resident memory of a process group, split the way the
// kernel counts it (/proc/PID/status): anonymous pages (heaps, stacks:
// what the process allocated) and file pages (mapped files, SQLite's
// mmap of its database among them, which the kernel may drop and read
// again at will).
type Memory struct {
	Anon, File int64 // bytes
}

// Total is all resident memory: what RSS means.
func (m Memory) Total() int64 { return m.Anon + m.File }

// Memory reads the resident memory of the process's group now.
func (p *Process) Memory() Memory {
	var m Memory
	for _, pid := range p.members() {
		f, err := os.Open(filepath.Join("/proc", pid, "status"))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			name, value, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			switch name {
			case "RssAnon":
				m.Anon += kib << 10
			case "RssFile", "RssShmem":
				m.File += kib << 10
			}
		}
		f.Close()
	}
	return m
}

// members lists the process ids of the group.
func (p *Process) members() []string {
	var pids []string
	p.eachStat(func(pid string, _ []string) { pids = append(pids, pid) })
	return pids
}

// peakMemory samples a process group's memory every interval until stop
// is called, and gives the sample with the most resident memory.
func peakMemory(ctx context.Context, p *Process, interval time.Duration) (stop func() Memory) {
	var (
		mu   sync.Mutex
		peak Memory
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		m := p.Memory()
		mu.Lock()
		if m.Total() > peak.Total() {
			peak = m
		}
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() Memory {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// driverFiles are what the driver keeps beside a server's data: not
// counted as the server's disk.
var driverFiles = map[string]bool{"import.jsonl": true, "server.log": true, "loaded": true, "apikey": true}

// diskUsage is the space a server's files under dir take on disk
// (allocated blocks, as du counts them, so that sparse or preallocated
// files count for what they hold), without the driver's own files.
func diskUsage(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || driverFiles[d.Name()] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		} else {
			total += info.Size()
		}
		return nil
	})
	return total, err
}
