package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	// Time zone names work for --timezone even where the system has no
	// zoneinfo (the distroless image).
	_ "time/tzdata"

	"github.com/agentgraph/agentgraph/internal/agentneo"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// importMaxTextBytes caps prompts and outputs on import: recorded data is
// trusted, so it is far above what the API accepts from clients by default.
const importMaxTextBytes = 64 << 20

// importConfig is the command line of import-agentneo.
type importConfig struct {
	DatabaseURL string
	Timezone    string
	Source      string
	LegacyKeys  bool // --source "" given: the keys of imports without a source
	Path        string
	Location    *time.Location
}

const importUsage = `Usage: api import-agentneo [flags] PATH

Imports the AgentNeo SQLite database at PATH (opened read-only) into the
store, keeping every relationship. Every row is imported under the external
id "agentneo:<source>:<table>:<id>", the source derived from the file's
first project and trace unless --source names one, so running the import
again, or on a later copy of the same file, updates in place and imports
nothing twice, and two different files never share a key. AgentNeo's
datetimes are local times without a zone: they are read in --timezone and
stored in UTC.
`

// parseImportFlags reads import-agentneo's flags and its one argument; flags
// may come before or after the path.
func parseImportFlags(args []string, getenv func(string) string, output io.Writer) (importConfig, error) {
	cfg := importConfig{DatabaseURL: db.DefaultURL}
	url := db.URLSetting(&cfg.DatabaseURL)
	fs := newCommandLine("api import-agentneo", importUsage, output, getenv,
		url,
		settings.String(&cfg.Timezone, "timezone", "time zone the AgentNeo datetimes were recorded in: Local (this machine's, the default), UTC, a name such as Europe/Paris, or an offset such as +02:00").Twin("AGENTNEO_TIMEZONE"),
		settings.String(&cfg.Source, "source", `name put into the external ids instead of the one derived from the file; "" (the flag only) keeps the keys of imports made without a source`).Twin("AGENTNEO_SOURCE"),
	)
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fs.Visit(func(set *flag.Flag) { cfg.LegacyKeys = cfg.LegacyKeys || (set.Name == "source" && cfg.Source == "") })
	var pathErr error
	switch len(paths) {
	case 0:
		pathErr = errors.New("missing PATH of the AgentNeo database (see -h)")
	case 1:
		cfg.Path = paths[0]
	default:
		pathErr = fmt.Errorf("one PATH expected, got %d: %s", len(paths), strings.Join(paths, " "))
	}
	loc, tzErr := parseTimezone(cfg.Timezone)
	cfg.Location = loc
	return cfg, fs.problems(pathErr, settings.Check(url), tzErr)
}

// parseTimezone reads --timezone: empty or "Local", "UTC", an IANA name, or
// a fixed offset such as "+02:00", "-0530" or "UTC+2".
func parseTimezone(s string) (*time.Location, error) {
	switch s {
	case "", "Local", "local":
		return time.Local, nil
	case "UTC", "utc", "Z":
		return time.UTC, nil
	}
	offset := strings.TrimPrefix(strings.TrimPrefix(s, "UTC"), "GMT")
	if offset != "" && (offset[0] == '+' || offset[0] == '-') {
		for _, layout := range []string{"-07:00", "-0700", "-07"} {
			if t, err := time.Parse(layout, offset); err == nil {
				_, secs := t.Zone()
				return time.FixedZone(s, secs), nil
			}
		}
		if len(offset) == 2 { // "+2"
			if t, err := time.Parse("-07", offset[:1]+"0"+offset[1:]); err == nil {
				_, secs := t.Zone()
				return time.FixedZone(s, secs), nil
			}
		}
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("--timezone (AGENTNEO_TIMEZONE): unknown time zone %q (use Local, UTC, a name such as Europe/Paris, or an offset such as +02:00)", s)
	}
	return loc, nil
}

// importAgentNeo runs "api import-agentneo": 0 on success, 1 when the
// import fails (nothing is written when PATH is not an AgentNeo database),
// 2 on a usage error.
func importAgentNeo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseImportFlags(args, getenv, stderr)
	if err != nil {
		return usageExit(stderr, "api import-agentneo", err)
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "api import-agentneo:", oneLine(err))
		return 1
	}
	// Check the file before touching the store, so that a wrong file
	// creates and migrates nothing.
	if err := sameFile(cfg.Path, cfg.DatabaseURL); err != nil {
		return fail(err)
	}
	if err := agentneo.Check(ctx, cfg.Path); err != nil {
		return fail(err)
	}
	store, err := db.Open(ctx, cfg.DatabaseURL, db.Options{})
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	svc := ingest.New(store, ingest.Options{MaxTextBytes: importMaxTextBytes})

	zone := cfg.Location.String()
	if cfg.Location == time.Local {
		name, _ := time.Now().Zone()
		zone = "this machine's time zone, " + name
	}
	fmt.Fprintf(stdout, "importing %s into %s (AgentNeo times read in %s)\n", cfg.Path, db.Redacted(cfg.DatabaseURL), zone)
	started := time.Now()
	sum, err := agentneo.Import(ctx, cfg.Path, svc, stdout, agentneo.Options{Location: cfg.Location, Source: cfg.Source, LegacyKeys: cfg.LegacyKeys})
	if sum.Tables != nil {
		fmt.Fprintln(stdout)
		_ = sum.WriteTable(stdout)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fail(errors.New("interrupted; what was imported is kept, and running the import again completes it"))
		}
		return fail(err)
	}
	skipped := 0
	for _, c := range sum.Tables {
		skipped += c.Skipped
	}
	fmt.Fprintf(stdout, "done in %s: %d warnings, %d rows skipped\n", time.Since(started).Round(time.Millisecond), sum.Warnings, skipped)
	return 0
}

// sameFile refuses an input that is the SQLite store itself: opening the
// store would migrate it before the import read it.
func sameFile(path, databaseURL string) error {
	store, ok := db.SQLitePath(databaseURL)
	if !ok {
		return nil
	}
	in, err := os.Stat(path)
	if err != nil {
		return nil // Check says what is wrong with it
	}
	if st, err := os.Stat(store); err == nil && os.SameFile(in, st) {
		return fmt.Errorf("%s is the store being imported into (--database-url); give the AgentNeo SDK's database file", path)
	}
	return nil
}

// oneLine keeps a message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
