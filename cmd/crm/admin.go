package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
)

func (m *Main) quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (m *Main) tenant(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: crm tenant create NAME | crm tenant list | crm tenant limits NAME")
	}
	if args[0] == "limits" {
		return m.tenantLimits(ctx, args[1:])
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
		return fmt.Errorf("unknown tenant command %q (create, list, limits)", args[0])
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
		if err := eng.RevokeAPIKey(ctx, *tenant, *id); err != nil {
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
