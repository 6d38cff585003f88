//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// A binary built with -tags pprof serves Go's profiles on the address in
// CRM_PPROF_ADDR (loopback only: a profile shows what the server holds),
// for measuring (bench/README.md). Release builds have none of this.
func init() {
	addr := os.Getenv("CRM_PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !loopback(host) {
		fmt.Fprintf(os.Stderr, "pprof: CRM_PPROF_ADDR %q is not a loopback address: no profiles served\n", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			fmt.Fprintf(os.Stderr, "pprof on %s: %v\n", addr, err)
		}
	}()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
