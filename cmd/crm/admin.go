package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
)

func (m *Main) quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (m *Main) tenant(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: crm tenant create NAME | list | limits NAME | delete NAME | rename NAME NEW")
	}
	switch args[0] {
	case "limits":
		return m.tenantLimits(ctx, args[1:])
	case "delete":
		return m.tenantDelete(ctx, args[1:])
	case "rename":
		return m.tenantRename(ctx, args[1:])
	}
	fs := m.flags("tenant " + args[0])
	data := m.dataFlag(fs)
	display := fs.String("display-name", "", "human name of the tenant (create)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch args[0] {
	case "create":
		if len(pos) != 1 {
			return fmt.Errorf("usage: crm tenant create NAME [--display-name TEXT] [--data DIR]")
		}
	case "list":
		if len(pos) != 0 {
			return fmt.Errorf("usage: crm tenant list [--data DIR]")
		}
	default:
		return fmt.Errorf("unknown tenant command %q (create, list, limits, delete, rename)", args[0])
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "create":
		t, err := eng.CreateTenant(ctx, pos[0], *display)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created tenant %q\nnext: crm apikey create --tenant %s --data %s\n", t.ID, t.ID, *data)
		return nil
	case "list":
		ts, err := eng.Tenants(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tCREATED")
		for _, t := range ts {
			fmt.Fprintf(w, "%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.UTC().Format(schema.DateTimeLayout))
		}
		return w.Flush()
	}
	return fmt.Errorf("unknown tenant command %q (create, list)", args[0])
}

func (m *Main) apikey(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: crm apikey create|list|revoke --tenant NAME")
	}
	fs := m.flags("apikey " + args[0])
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required)")
	name := fs.String("name", "", "label of the key (create)")
	id := fs.String("id", "", "key id (revoke)")
	expires := fs.Duration("expires", 0, "the key stops working after this long, e.g. 2160h for 90 days (create)")
	role := fs.String("role", "", "a role of the tenant the key acts with; without it the key is an administrator's (create)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) == 1 && args[0] == "revoke" && *id == "" {
		*id = pos[0]
	} else if len(pos) != 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	switch args[0] {
	case "create", "list":
	case "revoke":
		if *id == "" {
			return fmt.Errorf("--id is required")
		}
	default:
		return fmt.Errorf("unknown apikey command %q (create, list, revoke)", args[0])
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "create":
		var at time.Time
		if *expires > 0 {
			at = time.Now().Add(*expires)
		} else if *expires < 0 {
			return fmt.Errorf("--expires must be positive")
		}
		secret, k, err := eng.CreateRoleAPIKey(ctx, *tenant, *name, *role, at)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created API key %s for tenant %q; the secret is shown only this once:\n\n  %s\n\nsend it as the header  Authorization: Bearer %s\n", k.ID, *tenant, secret, secret)
		return nil
	case "list":
		ks, err := eng.APIKeys(ctx, *tenant)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tPREFIX\tCREATED\tEXPIRES\tREVOKED")
		for _, k := range ks {
			revoked, expiry := "", ""
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.UTC().Format(schema.DateTimeLayout)
			}
			if !k.ExpiresAt.IsZero() {
				expiry = k.ExpiresAt.UTC().Format(schema.DateTimeLayout)
			}
			role := k.Role
			if role == "" {
				role = "admin"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Name, role, k.Prefix, k.CreatedAt.UTC().Format(schema.DateTimeLayout), expiry, revoked)
		}
		return w.Flush()
	case "revoke":
		if _, err := eng.RevokeAPIKey(ctx, *tenant, *id); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "revoked API key %s\n", *id)
		return nil
	}
	return fmt.Errorf("unknown apikey command %q (create, list, revoke)", args[0])
}

// tenantLimits shows or sets a tenant's script budgets (operators only:
// tenants' admins can read them, not change them).
func (m *Main) tenantLimits(ctx context.Context, args []string) error {
	fs := m.flags("tenant limits")
	data := m.dataFlag(fs)
	wall := fs.Duration("script-time", 0, "time one script run may take, e.g. 2s")
	stack := fs.Int("script-stack", 0, "call depth of a script")
	queries := fs.Int("script-queries", 0, "crm.find and crm.get calls per run")
	reads := fs.Int("script-reads", 0, "records a run may read")
	writes := fs.Int("script-writes", 0, "records a run may write")
	concurrent := fs.Int("script-concurrent", 0, "runs of the tenant at once")
	reset := fs.Bool("reset", false, "back to the defaults")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: crm tenant limits NAME [--script-time 2s] [--script-queries N] [--script-reads N] [--script-writes N] [--script-stack N] [--script-concurrent N] [--reset]")
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	defer eng.Close()
	tenant := pos[0]
	_, cur, err := eng.TenantScriptLimits(ctx, tenant)
	if err != nil {
		return err
	}
	changed := *reset
	if *reset {
		cur = scripting.Limits{}
	}
	set := func(dst *int, v int) {
		if v != 0 {
			*dst, changed = v, true
		}
	}
	if *wall != 0 {
		cur.WallTime, changed = *wall, true
	}
	set(&cur.MaxCallStack, *stack)
	set(&cur.MaxQueries, *queries)
	set(&cur.MaxReads, *reads)
	set(&cur.MaxWrites, *writes)
	set(&cur.MaxConcurrent, *concurrent)
	if changed {
		if err := eng.SetTenantScriptLimits(ctx, tenant, cur); err != nil {
			return err
		}
	}
	eff, _, err := eng.TenantScriptLimits(ctx, tenant)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "LIMIT\tVALUE\n")
	fmt.Fprintf(w, "script-time\t%s\n", eff.WallTime)
	fmt.Fprintf(w, "script-stack\t%d\n", eff.MaxCallStack)
	fmt.Fprintf(w, "script-queries\t%d\n", eff.MaxQueries)
	fmt.Fprintf(w, "script-reads\t%d\n", eff.MaxReads)
	fmt.Fprintf(w, "script-writes\t%d\n", eff.MaxWrites)
	fmt.Fprintf(w, "script-concurrent\t%d\n", eff.MaxConcurrent)
	return w.Flush()
}

// user adds, lists and changes the users of a tenant. Passwords come from
// CRM_USER_PASSWORD or the first line of standard input, never from a
// flag, so that they stay out of shell history and process lists.
func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: crm user create|list|set --tenant NAME")
	}
	fs := m.flags("user " + args[0])
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required)")
	username := fs.String("username", "", "the user's sign-in name (create, set)")
	display := fs.String("display-name", "", "the user's name as shown (create, set)")
	role := fs.String("role", "", `"admin" or one of the tenant's roles; create defaults to admin (create, set)`)
	manager := fs.String("manager", "", "user name of the user's manager (create, set; set \"-\" to clear)")
	team := fs.String("team", "", "the user's team (create, set; set \"-\" to clear)")
	active := fs.String("active", "", "true or false: whether the user may sign in (set)")
	password := fs.Bool("password", false, "set a new password read from CRM_USER_PASSWORD or standard input (set)")
	temporary := fs.Bool("must-change-password", false, "the password is temporary: the user must change it at the next sign-in (create, set; --must-change-password=false lifts it)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	switch args[0] {
	case "create", "set":
		if *username == "" {
			return fmt.Errorf("--username is required")
		}
	case "list":
	default:
		return fmt.Errorf("unknown user command %q (create, list, set)", args[0])
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	if *active != "" && *active != "true" && *active != "false" {
		return fmt.Errorf("--active must be true or false, not %q", *active)
	}
	var secret string
	if args[0] == "create" || *password {
		if secret, err = m.readPassword(); err != nil {
			return err
		}
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	ctx = engine.WithDoor(ctx, "cli")
	switch args[0] {
	case "create":
		u, err := eng.CreateUser(ctx, *tenant, engine.NewUser{Username: *username, DisplayName: *display, Password: secret, Role: *role, Manager: *manager, Team: *team,
			MustChangePassword: *temporary})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created user %q (role %s) in tenant %q; they sign in at /auth/login or the admin UI\n", u.Username, u.Role, *tenant)
		if u.MustChangePassword {
			fmt.Fprintln(m.Stdout, "the password is temporary: they will be asked to change it when they sign in")
		}
		return nil
	case "list":
		users, err := eng.Users(ctx, *tenant)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "USERNAME\tNAME\tROLE\tMANAGER\tTEAM\tACTIVE\tCREATED\tPASSWORD")
		for _, u := range users {
			pw := "set"
			if u.MustChangePassword {
				pw = "temporary"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%t\t%s\t%s\n", u.Username, u.DisplayName, u.Role, u.Manager, u.Team, u.Active, u.CreatedAt.UTC().Format(schema.DateTimeLayout), pw)
		}
		return w.Flush()
	}
	var ch engine.UserChange
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		if v == "-" && (f.Name == "manager" || f.Name == "team") {
			v = ""
		}
		switch f.Name {
		case "display-name":
			ch.DisplayName = &v
		case "role":
			ch.Role = &v
		case "manager":
			ch.Manager = &v
		case "team":
			ch.Team = &v
		case "active":
			on := v == "true"
			ch.Active = &on
		case "must-change-password":
			ch.MustChangePassword = temporary
		}
	})
	if *password {
		ch.Password = &secret
	}
	u, err := eng.UpdateUser(ctx, *tenant, *username, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "updated user %q (role %s, active %t)\n", u.Username, u.Role, u.Active)
	return nil
}

// readPassword reads a password from CRM_USER_PASSWORD or the first line
// of standard input.
func (m *Main) readPassword() (string, error) {
	if p := m.Getenv("CRM_USER_PASSWORD"); p != "" {
		return p, nil
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password: set CRM_USER_PASSWORD or write it on standard input")
	}
	return line, nil
}

// stopServerNote reminds the operator that a running server keeps what it
// opened.
const stopServerNote = "stop the server before deleting or renaming a tenant, and start it again after"

// tenantDelete removes a tenant after the operator confirms by repeating
// its id (--confirm, or on standard input); --dry-run shows what would go.
func (m *Main) tenantDelete(ctx context.Context, args []string) error {
	fs := m.flags("tenant delete")
	data := m.dataFlag(fs)
	dryRun := fs.Bool("dry-run", false, "show what would be deleted and delete nothing")
	confirm := fs.String("confirm", "", "the tenant id again, to confirm without a prompt")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: crm tenant delete NAME [--dry-run] [--confirm NAME] [--data DIR]")
	}
	id := pos[0]
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := eng.SummarizeTenant(ctx, id)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("tenant %q (%s): %d objects with %d records, %d users, %d API keys", id, sum.Tenant.Name, sum.Objects, sum.Records, sum.Users, sum.APIKeys)
	if *dryRun {
		fmt.Fprintf(m.Stdout, "would delete %s (dry run, nothing deleted)\n", what)
		return nil
	}
	if *confirm == "" {
		fmt.Fprintf(m.Stderr, "this deletes %s, for good (%s).\ntype the tenant id to confirm: ", what, stopServerNote)
		if m.Stdin != nil {
			line, _ := bufio.NewReader(m.Stdin).ReadString('\n')
			*confirm = strings.TrimSpace(line)
		}
	}
	if *confirm != id {
		return fmt.Errorf("not deleted: confirm by repeating the tenant id (--confirm %s)", id)
	}
	if err := eng.DeleteTenant(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "deleted %s\n", what)
	return nil
}

// tenantRename gives a tenant a new id; --dry-run shows what would move.
func (m *Main) tenantRename(ctx context.Context, args []string) error {
	fs := m.flags("tenant rename")
	data := m.dataFlag(fs)
	dryRun := fs.Bool("dry-run", false, "show what would move and change nothing")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("usage: crm tenant rename NAME NEW [--dry-run] [--data DIR]")
	}
	from, to := pos[0], pos[1]
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := eng.SummarizeTenant(ctx, from)
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(m.Stdout, "would rename tenant %q to %q: %d objects with %d records, %d users, %d API keys move; sessions end (dry run, nothing changed)\n",
			from, to, sum.Objects, sum.Records, sum.Users, sum.APIKeys)
		return nil
	}
	stats, err := eng.RenameTenant(ctx, from, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "renamed tenant %q to %q: %d definition versions, %d counters, %d records, %d API keys moved; users sign in again (%s)\n",
		from, to, stats.Objects, stats.Counters, stats.Records, sum.APIKeys, stopServerNote)
	return nil
}
