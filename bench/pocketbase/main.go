// Command pocketbase is PocketBase at the version pinned in go.mod, built
// from the Go module proxy for the peer comparison (see ../README.md).
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	// Production mode whatever the binary's folder: pocketbase.New takes a
	// binary under the temp folder for "go run" and turns on dev mode,
	// which logs every SQL statement.
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
