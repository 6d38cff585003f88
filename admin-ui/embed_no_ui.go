//go:build no_ui

// Package adminui serves the admin web app; this build (tag no_ui) has none.
package adminui

import "io/fs"

// DistFS is nil in an API-only build.
var DistFS fs.FS
