//go:build !no_ui

// Package adminui serves the admin web app. The React/TypeScript source
// will live beside this file; the built files in dist/ are embedded so that
// `go build` alone produces the whole server. Build with -tags no_ui for an
// API-only binary.
package adminui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// DistFS is the built app, rooted at dist/.
var DistFS fs.FS = mustSub(dist, "dist")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
