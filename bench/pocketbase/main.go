// Command pocketbase is PocketBase at the version pinned in go.mod, built
// from the Go module proxy for the peer comparison (see ../README.md).
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	app := pocketbase.New()
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
