//go:build !no_ui

// Package adminui holds the web app: its React/TypeScript source is in
// src/ beside this file (see docs/webapp.md), and the built files in dist/
// are committed and embedded, so that `go build` alone produces the whole
// server. Build with -tags no_ui for an API-only binary.
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
