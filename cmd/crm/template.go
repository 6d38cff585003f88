package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

const templateUsage = `usage:
  crm template list [--tenant T]
  crm template install NAME|DIR|ZIP --tenant T [--sample-data] [--records N] [--seed S] [--as-of YYYY-MM-DD] [--dry-run] [--on-conflict ours|theirs] [--force]
  crm template rollback NAME --tenant T [--dry-run] [--force]
  crm template reset-sample NAME --tenant T
  crm template export --tenant T --out DIR [--name NAME] [--version V]`

// template runs the template commands: the embedded industry templates,
// installing and upgrading them in a tenant, and turning a tenant's
// configuration into a template folder.
func (m *Main) template(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, templateUsage)
		return flag.ErrHelp
	}
	cmd := args[0]
	fs := m.flags("template " + cmd)
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id")
	withSample := fs.Bool("sample-data", false, "install: also write the template's sample data")
	records := fs.Int("records", 2000, "install: about how many sample records to write")
	seed := fs.Int64("seed", 1, "install: seed of the sample data (same seed, records and --as-of: same data)")
	asOf := fs.String("as-of", "", "install: the date sample data leads up to (default today)")
	dryRun := fs.Bool("dry-run", false, "install, rollback: show what would change and change nothing")
	onConflict := fs.String("on-conflict", "", "install: resolve upgrade conflicts with the tenant's side (ours) or the template's (theirs); default: refuse")
	force := fs.Bool("force", false, "install: clear values of fields that become user fields that name no active user; rollback: also when objects changed since, or hold the tenant's own records")
	out := fs.String("out", "", "export: folder to write the template to (must not exist or be empty)")
	name := fs.String("name", "", "export: template name (default: the tenant id)")
	version := fs.String("version", "1.0.0", "export: template version")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	needName := map[string]bool{"install": true, "rollback": true, "reset-sample": true}
	switch {
	case cmd == "list" || cmd == "export":
		if len(pos) != 0 {
			return fmt.Errorf("unexpected argument %q\n%s", pos[0], templateUsage)
		}
	case needName[cmd]:
		if len(pos) != 1 {
			return fmt.Errorf("crm template %s takes one template name\n%s", cmd, templateUsage)
		}
	default:
		return fmt.Errorf("unknown template command %q\n%s", cmd, templateUsage)
	}
	if cmd != "list" && *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	if cmd == "list" && *tenant == "" {
		return m.templateList(nil, false)
	}
	policy := template.ConflictPolicy(*onConflict)
	if policy != template.ConflictFail && policy != template.ConflictKeepOurs && policy != template.ConflictTakeTheirs {
		return fmt.Errorf("--on-conflict must be ours or theirs")
	}
	var now time.Time
	if *asOf != "" {
		if now, err = time.Parse("2006-01-02", *asOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	if cmd == "export" && *out == "" {
		return fmt.Errorf("--out is required")
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	ctx = engine.WithActor(ctx, engine.Actor{TenantID: *tenant, ID: "system", Admin: true})
	switch cmd {
	case "list":
		installed, err := eng.InstalledTemplates(ctx)
		if err != nil {
			return err
		}
		return m.templateList(installed, true)
	case "install":
		tpl, err := loadTemplate(pos[0])
		if err != nil {
			return err
		}
		opts := template.InstallOptions{DryRun: *dryRun, OnConflict: policy, Force: *force, Progress: m.progress()}
		if *withSample {
			if opts.Sample = install.Sample(tpl.Name, sample.Options{Records: *records, Seed: *seed, Now: now}); opts.Sample == nil {
				return fmt.Errorf("template %q has no sample data", tpl.Name)
			}
		}
		started := time.Now()
		res, err := eng.InstallTemplate(ctx, tpl, opts)
		if res != nil {
			m.printResult(res, "installed")
		}
		if err != nil {
			return err
		}
		if res.SampleRecords > 0 {
			d := time.Since(started)
			fmt.Fprintf(m.Stdout, "sample data: %d records in %s (%.0f records/s)\n", res.SampleRecords, d.Round(time.Millisecond), float64(res.SampleRecords)/d.Seconds())
		}
		return nil
	case "rollback":
		res, err := eng.RollbackTemplate(ctx, pos[0], template.RollbackOptions{DryRun: *dryRun, Force: *force, Progress: m.progress()})
		if res != nil {
			m.printResult(res, "rolled back")
		}
		return err
	case "reset-sample":
		deleted, kept, err := eng.ResetSampleData(ctx, pos[0], m.progress())
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "deleted %d sample records of %q", deleted, pos[0])
		if kept > 0 {
			fmt.Fprintf(m.Stdout, "; kept %d that your own records require", kept)
		}
		fmt.Fprintln(m.Stdout)
		return nil
	case "export":
		n := *name
		if n == "" {
			n = *tenant
		}
		tpl, err := eng.ExportTemplate(ctx, n, *version)
		if err != nil {
			return err
		}
		if err := writeTemplate(*out, tpl, *tenant); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote template %q %s with %d objects, %d roles, %d layouts, %d views, %d reports and %d dashboards to %s\nnext: crm template install %s --tenant OTHER\n", tpl.Name, tpl.Version, len(tpl.Objects), len(tpl.Roles), len(tpl.Layouts), len(tpl.Views), len(tpl.Reports), len(tpl.Dashboards), *out, *out)
		return nil
	}
	return nil
}

// loadTemplate reads an embedded template by name, a template folder
// when arg names a directory, or a zip archive of one (as the web app's
// export downloads it).
func loadTemplate(arg string) (*template.Template, error) {
	if strings.ContainsAny(arg, `/\.`) {
		if info, err := os.Stat(arg); err == nil && info.IsDir() {
			return install.FromFS(os.DirFS(arg))
		} else if err == nil && strings.EqualFold(filepath.Ext(arg), ".zip") {
			f, err := os.Open(arg)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return install.FromZip(f, info.Size())
		}
	}
	tpl, err := install.Template(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no template %q: see crm template list, or give the path of a template folder", arg)
	}
	return tpl, err
}

func (m *Main) templateList(installed []template.Install, withTenant bool) error {
	ms, err := templates.List()
	if err != nil {
		return err
	}
	have := map[string]template.Install{}
	for _, in := range installed {
		have[in.Template] = in
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	head := "NAME\tVERSION\tLABEL\tOBJECTS\tSAMPLE DATA"
	if withTenant {
		head += "\tINSTALLED"
	}
	fmt.Fprintln(w, head)
	for _, mf := range ms {
		tpl, err := templates.Get(mf.Name)
		if err != nil {
			return err
		}
		sampleData := "-"
		if sample.Has(mf.Name) {
			sampleData = "yes"
		}
		line := fmt.Sprintf("%s\t%s\t%s %s\t%d\t%s", mf.Name, mf.Version, mf.Label.Zh, mf.Label.En, len(tpl.Objects), sampleData)
		if withTenant {
			inst := "-"
			if in, ok := have[mf.Name]; ok {
				inst = in.Version + " (" + in.At.UTC().Format(schema.DateTimeLayout)[:10] + ")"
			}
			line += "\t" + inst
		}
		fmt.Fprintln(w, line)
		delete(have, mf.Name)
	}
	for _, in := range have { // installed from a folder
		fmt.Fprintf(w, "%s\t%s\t\t%d\t-\t%s\n", in.Template, in.Version, len(in.Objects), in.Version)
	}
	return w.Flush()
}

// progress reports long operations on standard error, a line per step of
// about a tenth.
func (m *Main) progress() func(template.Progress) {
	lastPhase, lastTenth := "", -1
	return func(p template.Progress) {
		if p.Phase == "objects" {
			fmt.Fprintf(m.Stderr, "  object %s (%d/%d)\n", p.Object, p.Done, p.Total)
			return
		}
		tenth := 0
		if p.Total > 0 {
			tenth = min(10, p.Done*10/p.Total)
		}
		if p.Phase == lastPhase && tenth == lastTenth {
			return
		}
		lastPhase, lastTenth = p.Phase, tenth
		what := map[string]string{"sample": "sample data", "reset": "removing sample data"}[p.Phase]
		if p.Total > 0 {
			fmt.Fprintf(m.Stderr, "  %s: %d of about %d records (%d%%)\n", what, p.Done, p.Total, min(100, p.Done*100/p.Total))
		} else {
			fmt.Fprintf(m.Stderr, "  %s: %d records\n", what, p.Done)
		}
	}
}

// printResult shows what an install, upgrade or rollback did or would do.
func (m *Main) printResult(res *template.InstallResult, done string) {
	verb := done
	upToDate := done == "installed" && !res.Changed() && res.FromVersion == res.ToVersion
	switch {
	case res.DryRun && upToDate:
		verb = "already up to date (dry run, nothing changed)"
	case res.DryRun:
		verb = "would change (dry run, nothing changed)"
	case !res.Applied && (len(res.Conflicts) > 0 || unmatchedUsers(res)):
		verb = "not changed"
	case !res.Applied && done == "installed":
		verb = "already up to date"
	}
	from := ""
	if res.FromVersion != "" {
		from = res.FromVersion + " → "
	}
	to := res.ToVersion
	if to == "" {
		to = "not installed"
	}
	fmt.Fprintf(m.Stdout, "template %s %s%s: %s\n", res.Template, from, to, verb)
	for _, o := range res.Objects {
		if o.Action == "unchanged" {
			continue
		}
		fmt.Fprintf(m.Stdout, "  %s %s\n", o.Action, o.Object)
		if o.Action == "create" || o.Action == "delete" {
			continue
		}
		for _, c := range o.Changes {
			switch c.Op {
			case "add":
				fmt.Fprintf(m.Stdout, "    + %s %s\n", c.Path, short(c.To))
			case "remove":
				fmt.Fprintf(m.Stdout, "    - %s %s\n", c.Path, short(c.From))
			default:
				fmt.Fprintf(m.Stdout, "    ~ %s %s → %s\n", c.Path, short(c.From), short(c.To))
			}
		}
	}
	for _, c := range res.Conflicts {
		fmt.Fprintf(m.Stdout, "  CONFLICT %s %s: installed version %s, yours %s, new version %s\n", c.Object, c.Path, short(c.Base), short(c.Ours), short(c.Theirs))
	}
	if len(res.Conflicts) > 0 && !res.Applied && !res.DryRun {
		fmt.Fprintln(m.Stdout, "  resolve the conflicts, or run again with --on-conflict ours (keep yours) or --on-conflict theirs (take the template's)")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(m.Stdout, "  note: %s\n", n)
	}
}

func short(raw json.RawMessage) string {
	if raw == nil {
		return "(none)"
	}
	s := string(raw)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "…"
	}
	return s
}

// writeTemplate writes a template folder (install.Files): manifest.json
// and one indented file per object, role, layout and view. The folder
// must not exist or be empty.
func writeTemplate(dir string, tpl *template.Template, tenant string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export: %s is not empty", dir)
	}
	files, err := install.Files(tpl, tenant)
	if err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o640); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// unmatchedUsers reports whether an upgrade found values of fields that
// become user fields that name no active user.
func unmatchedUsers(res *template.InstallResult) bool {
	for _, c := range res.Users {
		if len(c.Unmatched) > 0 {
			return true
		}
	}
	return false
}
