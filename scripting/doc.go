// Package scripting will own the goja sandbox that runs tenants'
// validation and automation scripts: compiled programs cached per script
// version, a fresh runtime per run, time, stack and host-call limits, and
// the host API. It is empty until the scripting issue lands; nothing calls
// it yet.
package scripting
