package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/settings"
)

const keysUsage = `Usage:
  api keys create [--database-url URL] (--project NAME ... | --all-projects) --role read|ingest|admin [--note TEXT]
  api keys list   [--database-url URL]
  api keys revoke [--database-url URL] PREFIX|ID

Manages the API keys callers send as "Authorization: Bearer <key>". Only a
hash of each key is stored: create prints the key once, as the last word of
its output. A running server honours new and revoked keys at once. Roles:
read queries and exports; ingest records traces and metrics and reads no
recorded content; admin does both and deletes. A key sees only its projects
(--project, repeatable; missing projects are created), or all of them.
`

// keys runs the keys subcommands.
func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, keysUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, args := args[0], args[1:]
	cfg, rest, err := parseKeysFlags(sub, args, getenv, stderr)
	if err != nil {
		return usageExit(stderr, "api keys "+sub, err)
	}
	store, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		fmt.Fprintln(stderr, "api keys:", err)
		return 1
	}
	defer store.Close()
	switch sub {
	case "create":
		err = createKey(ctx, store, cfg, stdout)
	case "list":
		err = listKeys(ctx, store, stdout)
	case "revoke":
		err = revokeKey(ctx, store, rest[0], stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "api keys "+sub+":", err)
		return 1
	}
	return 0
}

// parseKeysFlags reads the command line of keys sub: its flags and the
// arguments after them.
func parseKeysFlags(sub string, args []string, getenv func(string) string, output io.Writer) (keysConfig, []string, error) {
	switch sub {
	case "create", "list", "revoke":
	default:
		return keysConfig{}, nil, fmt.Errorf("unknown command %q; commands: create, list, revoke", sub)
	}
	cfg := keysConfig{DatabaseURL: db.DefaultURL}
	url := db.URLSetting(&cfg.DatabaseURL)
	fs := newCommandLine("api keys "+sub, keysUsage, output, getenv, url)
	fs.Usage = func() { fmt.Fprint(output, keysUsage) }
	if sub == "create" {
		fs.Func("project", "a project the key may use (repeatable)", func(s string) error {
			cfg.Projects = append(cfg.Projects, s)
			return nil
		})
		fs.BoolVar(&cfg.AllProjects, "all-projects", false, "the key may use every project, present and future")
		fs.StringVar(&cfg.Role, "role", "", "read, ingest or admin")
		fs.StringVar(&cfg.Note, "note", "", "what the key is for, shown by list")
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	return cfg, fs.Args(), fs.problems(settings.Check(url), cfg.check(sub, fs.Args()))
}

// keysConfig is the command line of a keys subcommand.
type keysConfig struct {
	DatabaseURL string
	Projects    []string
	AllProjects bool
	Role        string
	Note        string
}

// check reports every argument that cannot work, before any database is opened.
func (c *keysConfig) check(sub string, args []string) error {
	var errs []error
	if sub != "revoke" && len(args) > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
	}
	switch sub {
	case "create":
		if _, err := auth.ParseRole(c.Role); err != nil {
			errs = append(errs, fmt.Errorf("--role: %w", err))
		}
		if len(c.Projects) == 0 && !c.AllProjects {
			errs = append(errs, errors.New("--project NAME (repeatable) or --all-projects is required"))
		}
		if len(c.Projects) > 0 && c.AllProjects {
			errs = append(errs, errors.New("--project and --all-projects exclude each other"))
		}
		if slices.ContainsFunc(c.Projects, func(p string) bool { return strings.TrimSpace(p) == "" }) {
			errs = append(errs, errors.New("--project: must not be empty"))
		}
	case "revoke":
		if len(args) != 1 {
			errs = append(errs, errors.New("one PREFIX or ID of the key to revoke expected (see api keys list)"))
		}
	}
	return errors.Join(errs...)
}

func createKey(ctx context.Context, store *db.DB, cfg keysConfig, stdout io.Writer) error {
	role, _ := auth.ParseRole(cfg.Role)
	secret, prefix, err := auth.NewSecret()
	if err != nil {
		return err
	}
	k := &db.APIKey{Prefix: prefix, SecretHash: auth.HashSecret(secret), Role: string(role), AllProjects: cfg.AllProjects, Note: cfg.Note}
	err = store.Transaction(ctx, func(tx *db.DB) error {
		for _, name := range cfg.Projects {
			p, err := tx.EnsureProject(ctx, strings.TrimSpace(name))
			if err != nil {
				return fmt.Errorf("--project %q: %w", name, err)
			}
			k.ProjectIDs = append(k.ProjectIDs, p.ID)
		}
		return tx.CreateAPIKey(ctx, k)
	})
	if err != nil {
		return err
	}
	scope := "all projects"
	if !cfg.AllProjects {
		scope = "projects " + strings.Join(cfg.Projects, ", ")
	}
	fmt.Fprintf(stdout, "Created %s key %d (%s) for %s.\n", role, k.ID, prefix, scope)
	fmt.Fprintf(stdout, "Send it as \"Authorization: Bearer <key>\". It is shown only now:\n%s\n", secret)
	return nil
}

func listKeys(ctx context.Context, store *db.DB, stdout io.Writer) error {
	keys, err := store.ListAPIKeys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tROLE\tPROJECTS\tCREATED\tREVOKED\tNOTE")
	for _, k := range keys {
		projects := strings.Join(k.ProjectNames, ",")
		if k.AllProjects {
			projects = "*"
		}
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Role, projects,
			k.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), revoked, k.Note)
	}
	return tw.Flush()
}

func revokeKey(ctx context.Context, store *db.DB, which string, stdout io.Writer) error {
	n, err := store.RevokeAPIKeys(ctx, which)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no active key with prefix or id %q (see api keys list)", which)
	}
	fmt.Fprintf(stdout, "Revoked %d key(s) %s; requests with it are refused from now on.\n", n, which)
	return nil
}
