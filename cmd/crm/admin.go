package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/crmkit/crm/schema"
)

func (m *Main) quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (m *Main) tenant(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: crm tenant create NAME | crm tenant list")
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
		return fmt.Errorf("unknown tenant command %q (create, list)", args[0])
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
		secret, k, err := eng.CreateAPIKey(ctx, *tenant, *name)
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
		fmt.Fprintln(w, "ID\tNAME\tPREFIX\tCREATED\tREVOKED")
		for _, k := range ks {
			revoked := ""
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.UTC().Format(schema.DateTimeLayout)
			}
			fmt.Fprintf(w, "%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Prefix, k.CreatedAt.UTC().Format(schema.DateTimeLayout), revoked)
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
