// Command withferretdb runs a command with an embedded FerretDB: it starts
// FerretDB (SQLite handler, files in a temporary directory, loopback
// port), runs the command with CRM_TEST_MONGODB_URI naming it, stops
// FerretDB and exits with the command's status. CI uses it to run the
// end-to-end HTTP tests of cmd/crm against the MongoDB adapter:
//
//	go run ./cmd/withferretdb -dir ../../.. -- go test -run 'TestServe_' ./cmd/crm
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"

	"github.com/crmkit/crm/store/mongostore/ferrettest"
)

func main() {
	dir := flag.String("dir", ".", "directory to run the command in")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: withferretdb [-dir DIR] -- COMMAND [ARGS...]")
		os.Exit(2)
	}
	os.Exit(run(*dir, flag.Args()))
}

func run(dir string, args []string) int {
	files, err := os.MkdirTemp("", "withferretdb")
	if err != nil {
		fmt.Fprintln(os.Stderr, "withferretdb:", err)
		return 1
	}
	defer os.RemoveAll(files)
	srv, err := ferrettest.Start(files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "withferretdb:", err)
		return 1
	}
	defer srv.Stop()
	fmt.Fprintln(os.Stderr, "withferretdb: FerretDB at", srv.URI)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "CRM_TEST_MONGODB_URI="+srv.URI)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "withferretdb:", err)
		return 1
	}
	return 0
}
