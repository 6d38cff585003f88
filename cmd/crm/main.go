// Command crm is the CRM platform's single binary: the server and the
// administration commands that work on its data directory.
//
//	crm serve [--addr 127.0.0.1:8080] [--data ./data]
//	crm tenant create NAME | tenant list | tenant delete NAME | tenant rename NAME NEW
//	crm apikey create --tenant NAME [--name LABEL] | apikey list --tenant NAME | apikey revoke --tenant NAME --id ID
//	crm user create --tenant NAME --username U [--role R] | user list --tenant NAME | user set ...
//	crm export --tenant NAME [--out FILE] | import --tenant NAME [--in FILE]
//	crm version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	tenantusage "github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/internal/channel"
	"github.com/crmkit/crm/internal/sso"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := m.Run(ctx, os.Args[1:])
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

// Main is the composition root: it reads configuration and wires the
// store, engine, GraphQL edge and HTTP server.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ready, if set, receives the server's address once it listens
	// (tests).
	ready chan<- string
	// mongoURI, mongoPrefix and keyFile are set by dataFlag.
	mongoURI, mongoPrefix, keyFile *string
	// uniqueGuesses is engine.Config.UniqueGuesses, set by serve (zero
	// elsewhere: the engine's default).
	uniqueGuesses int
	// signOnEndpoints are the sign-in providers' addresses, set by
	// serve's test-only --sso-test-endpoint (nil: the providers' own).
	signOnEndpoints *sso.Endpoints
	// aggregateRowsPerMinute is engine.Config.AggregateRowsPerMinute, set
	// by serve (zero elsewhere: the engine's default).
	aggregateRowsPerMinute int64
	// aggregateCacheBytes is engine.Config.AggregateCacheBytes, set by
	// serve (zero elsewhere: the engine's default).
	aggregateCacheBytes int64
	// openTenants is sqlitestore.Config.OpenTenants, set by serve's
	// --open-tenants (0 elsewhere: the store's default).
	openTenants int
	// tenantStates is engine.Config.TenantStates, set by serve's
	// --tenant-states (0 elsewhere: the engine's default).
	tenantStates int
	// maxFileBytes is engine.Config.MaxFileBytes, set by serve (zero
	// elsewhere: the engine's default).
	maxFileBytes int64
	// workLease is engine.Config.WorkLease, set by serve (zero elsewhere).
	workLease time.Duration
	// meter is engine.Config.Usage, set by serve, which also has the HTTP
	// edge count requests in it (nil elsewhere: the engine's own).
	meter *tenantusage.Meter
	// channels is engine.Config.Channels, set by serve (nil elsewhere:
	// no test messages from the command line).
	channels *channel.Client
}

const usage = `usage: crm <command> [flags]

commands:
  serve                       start the server (embedded database by default)
  tenant create NAME          create a tenant
  tenant list                 list tenants
  tenant limits NAME [--script-time D ...]  show or set a tenant's script budgets
  tenant delete NAME [--dry-run] [--confirm NAME]  delete a tenant with its data and keys
  tenant rename NAME NEW [--dry-run]  give a tenant a new id (data, keys; sessions end)
  apikey create --tenant T    create an API key (printed once)
  apikey list --tenant T      list a tenant's API keys
  apikey revoke --tenant T --id ID
  user create --tenant T --username U [--role R] [--manager M] [--team X]
                              add a user; the password comes from CRM_USER_PASSWORD or stdin
  user list --tenant T        list a tenant's users
  user set --tenant T --username U [--role R] [--manager M] [--team X] [--active=false] [--password]
  template list [--tenant T]  list industry templates (and what a tenant has installed)
  template install NAME --tenant T [--sample-data] [--records N] [--dry-run]
                              install or upgrade a template (three-way merge)
  template rollback NAME --tenant T     undo the last install or upgrade
  template reset-sample NAME --tenant T delete the template's sample records
  template export --tenant T --out DIR  write the tenant's objects as a template
  export --tenant T [--out F] [--without-secrets]  write a whole tenant as JSON lines
  import --tenant T [--in F]   load an export into a new or empty tenant
  import-csv --tenant T --object O --file F [--mode create|update|upsert] [--match-by FIELD]
             [--map "表头=field,..."] [--lookup-by "field=targetField"] [--rejects F] [--skip-automations]
                              load a CSV or Excel file's rows as records (columns matched by label)
  export-csv --tenant T --object O --out F.csv|F.xlsx [--view V] [--columns a,b] [--sort -field] [--lang zh|en]
                              write a list's records with labels as headers
  version                     print the version

Run "crm <command> -h" for a command's flags.`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return m.serve(ctx, args[1:])
	case "tenant":
		return m.tenant(ctx, args[1:])
	case "apikey":
		return m.apikey(ctx, args[1:])
	case "user":
		return m.user(ctx, args[1:])
	case "template":
		return m.template(ctx, args[1:])
	case "export":
		return m.export(ctx, args[1:])
	case "import":
		return m.importTenant(ctx, args[1:])
	case "import-csv":
		return m.importCSV(ctx, args[1:])
	case "export-csv":
		return m.exportCSV(ctx, args[1:])
	case "version":
		fmt.Fprintln(m.Stdout, "crm", version())
		return nil
	case "-h", "--help", "help":
		fmt.Fprintln(m.Stdout, usage)
		return nil
	}
	fmt.Fprintln(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// env returns the variable's value or def.
func (m *Main) env(name, def string) string {
	if v := m.Getenv(name); v != "" {
		return v
	}
	return def
}

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("crm "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// parseFlags parses args with flags allowed before, between and after the
// positional arguments ("tenant create acme --data d" works as well as
// "tenant create --data d acme") and returns the positionals in order.
// A lone "--" ends flag parsing.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// signOnClient is the engine's client of the sign-in providers, at their
// own addresses unless a test pointed them at a stand-in.
func (m *Main) signOnClient() *sso.Client {
	ep := sso.Default()
	if m.signOnEndpoints != nil {
		ep = *m.signOnEndpoints
	}
	return sso.New(ep, nil)
}
