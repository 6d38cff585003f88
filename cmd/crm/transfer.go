package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crmkit/crm/engine"
)

// export writes a whole tenant as JSON lines to --out (or standard output).
func (m *Main) export(ctx context.Context, args []string) error {
	fs := m.flags("export")
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required)")
	out := fs.String("out", "-", "file to write, - for standard output")
	withoutSecrets := fs.Bool("without-secrets", false, "leave out password hashes (users need new passwords after an import) and the webhook secret")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	w := m.Stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		w = f
	}
	stats, err := eng.ExportTenant(ctx, *tenant, w, engine.ExportOptions{WithoutSecrets: *withoutSecrets})
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(*out)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "exported tenant %q: %d definition versions, %d counters, %d records\n", *tenant, stats.Objects, stats.Counters, stats.Records)
	if *withoutSecrets {
		fmt.Fprintln(m.Stderr, "left out: password hashes and the webhook secret; sensitive fields stay encrypted (an import needs the same encryption key)")
	} else {
		fmt.Fprintln(m.Stderr, "the file holds password hashes and the webhook secret; sensitive fields stay encrypted (an import needs the same encryption key): keep it as safe as the data (docs/security.md)")
	}
	return nil
}

// importTenant loads an export from --in (or standard input) into a new
// or empty tenant.
func (m *Main) importTenant(ctx context.Context, args []string) error {
	fs := m.flags("import")
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required); created when missing, must be empty otherwise")
	in := fs.String("in", "-", "file to read, - for standard input")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	var r io.Reader = m.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return fmt.Errorf("import: no input")
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := eng.ImportTenant(ctx, *tenant, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "imported tenant %q: %d definition versions, %d counters, %d records\n", *tenant, stats.Objects, stats.Counters, stats.Records)
	if len(stats.Administrators) > 0 {
		fmt.Fprintf(m.Stdout, "administrators imported: %s\n", strings.Join(stats.Administrators, ", "))
	}
	if stats.WithoutPassword > 0 {
		fmt.Fprintf(m.Stdout, "%d users came without a password: give them one with crm user set --password\n", stats.WithoutPassword)
	}
	return nil
}
