package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Server is one server under test, run on loopback with its data in a
// directory of its own.
type Server interface {
	// Name is the server's name in flags and tables.
	Name() string
	// Version says what was measured (version and how it was built).
	Version() string
	// Prepare creates the server's data in the empty directory dir: its
	// schema for the workload (the same fields and indexes on every
	// server) and w's records, loaded the fastest way the server offers.
	// The server may run meanwhile; it is stopped when Prepare returns.
	Prepare(ctx context.Context, dir string, w *Workload) error
	// Start runs the server on dir, prepared before, and returns once it
	// answers; Client then reaches it.
	Start(ctx context.Context, dir string) error
	// Client sends requests to the running server with its credentials.
	Client() *Client
	// Process is the running server's process, for its memory and
	// profiles.
	Process() *Process
	// Stop ends the running server.
	Stop() error
}

// Process is a server's running process (with its children, in a process
// group of their own).
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	Log  string // file holding the process's output
}

// startProcess runs name with args in dir, its output appended to logFile.
func startProcess(dir, logFile string, env []string, name string, args ...string) (*Process, error) {
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open server log: %w", err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), Log: logFile}
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	return p, nil
}

// PID is the process's id (the leader of its group).
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process group, and SIGKILL after 15 s.
func (p *Process) Stop() error {
	if p == nil || p.Exited() {
		return nil
	}
	_ = syscall.Kill(-p.PID(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.PID(), syscall.SIGKILL)
		<-p.done
	}
	return nil
}

// RSS is the resident memory of the process group's processes, in bytes.
func (p *Process) RSS() int64 {
	var total int64
	p.eachStat(func(_ string, fields []string) {
		var pages int64
		fmt.Sscan(fields[21], &pages)
		total += pages * int64(os.Getpagesize())
	})
	return total
}

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100
// on Linux).
const clockTick = 10 * time.Millisecond

// CPU is the processor time (user and system) the process group's
// processes have used so far.
func (p *Process) CPU() time.Duration {
	var ticks int64
	p.eachStat(func(_ string, fields []string) {
		var user, system int64
		fmt.Sscan(fields[11], &user)
		fmt.Sscan(fields[12], &system)
		ticks += user + system
	})
	return time.Duration(ticks) * clockTick
}

// eachStat calls f with the fields of /proc/PID/stat after the command
// name (state, ppid, pgrp, …) of each process in p's group.
func (p *Process) eachStat(f func(pid string, fields []string)) {
	entries, _ := os.ReadDir("/proc")
	group := fmt.Sprint(p.PID())
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 22 || fields[2] != group {
			continue
		}
		f(e.Name(), fields)
	}
}

// tail returns the end of the process's log, for error messages.
func (p *Process) tail() string {
	b, err := os.ReadFile(p.Log)
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// freePort returns a loopback port nobody listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls url until it answers below 500, the process ends or
// timeout passes.
func waitReady(ctx context.Context, p *Process, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if p.Exited() {
			return fmt.Errorf("the server exited while starting (%v); its log ends:\n%s", p.err, p.tail())
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not answer %s within %s; its log ends:\n%s", url, timeout, p.tail())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// run runs a command to its end in dir, returning its output.
func run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return out, fmt.Errorf("%s %s: %w:\n%s", name, strings.Join(args, " "), err, out)
		}
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}
