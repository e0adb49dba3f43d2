package agentneo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Keys. Every row is imported under ExternalID(source, table, id). Without
// Options.Source the source is derived from the file (fileSource), so two
// AgentNeo databases never share a key while a file and its later, grown
// copies always do. Before anything is written, the file's rows are
// compared with what the store holds under their keys (checkKeys): a key
// holding another trace, or a row of another trace, stops the import.

// ExternalID is the idempotency key an AgentNeo row is imported under:
// "agentneo:<source>:<table>:<id>", or "agentneo:<table>:<id>" for an empty
// source (the keys of imports made before sources were derived from the
// file). Importing the same row again updates what was imported the first
// time instead of adding a copy.
func ExternalID(source, table string, id int64) string {
	return key(source, table, strconv.FormatInt(id, 10))
}

func key(source, table, id string) string {
	if source == "" {
		return "agentneo:" + table + ":" + id
	}
	return "agentneo:" + source + ":" + table + ":" + id
}

// FileSource returns the source Import derives for the AgentNeo file at
// path when Options.Source is empty.
func FileSource(ctx context.Context, path string) (string, error) {
	src, err := openSource(ctx, path)
	if err != nil {
		return "", err
	}
	defer src.close()
	return src.fileSource(ctx)
}

// fileSource is "file-" and the first 16 hex digits of the SHA-256 of the
// JSON array [id, project_name, start_time] of the first project followed
// by [id, start_time] of the first trace (lowest ids; values as the file
// holds them, times as text, null when there is no such row). AgentNeo
// writes these once and never changes them, so the source stays the same
// as the file grows; two files recorded apart differ in them (a start time
// is to the microsecond). A file without traces gets the source of its
// first project alone, but nothing of it is keyed: it only creates projects.
func (s *source) fileSource(ctx context.Context) (string, error) {
	first := func(query string, n int) ([]any, error) {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err := s.db.QueryRowContext(ctx, query).Scan(ptrs...)
		if errors.Is(err, sql.ErrNoRows) {
			return make([]any, n), nil
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		return vals, err
	}
	project, err := first(`SELECT "id", "project_name", CAST("start_time" AS TEXT) FROM "project_info" WHERE "id" IS NOT NULL ORDER BY "id" LIMIT 1`, 3)
	if err != nil {
		return "", fmt.Errorf("%s: read project_info: %w", s.path, err)
	}
	trace, err := first(`SELECT "id", CAST("start_time" AS TEXT) FROM "traces" WHERE "id" IS NOT NULL ORDER BY "id" LIMIT 1`, 2)
	if err != nil {
		return "", fmt.Errorf("%s: read traces: %w", s.path, err)
	}
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(append(project, trace...)); err != nil {
		return "", err
	}
	sum := sha256.Sum256(bytes.TrimSuffix(doc.Bytes(), []byte("\n")))
	return "file-" + hex.EncodeToString(sum[:8]), nil
}

// keyStore is what checkKeys reads from the store (a *db.DB).
type keyStore interface {
	TraceStartsByExternalID(ctx context.Context, project string, keys []string) (map[string]time.Time, error)
	TraceKeysByExternalID(ctx context.Context, table, project string, keys []string) (map[string]string, error)
}

// keyCheck tallies how the store's rows under one key scheme compare with
// the file's.
type keyCheck struct {
	source  string
	matches int    // trace keys holding this file's trace
	clashes int    // keys holding a row of another trace
	clash   string // the first clash, described
}

func (c *keyCheck) clashed(format string, args ...any) {
	c.clashes++
	if c.clash == "" {
		c.clash = fmt.Sprintf(format, args...)
	}
}

// keyCheckBatch is the number of traces looked up in the store at once.
const keyCheckBatch = 500

// keyedTables are the child tables whose rows have keys of their own.
var keyedTables = []string{TableAgentCalls, TableLLMCalls, TableToolCalls, TableInteractions, TableErrors, TableMetrics}

// checkKeys reads every trace of the file and looks up, for each scheme,
// what the store holds under its keys in its project: a trace that started
// at another time, or a row of another trace, is a clash.
func (imp *importer) checkKeys(ctx context.Context, projects map[int64]project, indexes map[string]childIndex, checks []*keyCheck) error {
	var after int64
	for {
		rows, _, err := imp.src.traceBatch(ctx, after, keyCheckBatch)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		first, last := after, rows[len(rows)-1].id()
		after = last
		projectOf := map[int64]string{}            // trace id -> project name
		starts := map[string]map[int64]time.Time{} // project name -> trace id -> start as if in UTC
		for _, r := range rows {
			pid := r.ref("project_id")
			if pid == nil || projects[*pid].name == "" {
				continue // skipped on import
			}
			name := projects[*pid].name
			projectOf[r.id()] = name
			if t, _ := parseTime(r.get("start_time"), time.UTC); t != nil {
				if starts[name] == nil {
					starts[name] = map[int64]time.Time{}
				}
				starts[name][r.id()] = *t
			}
		}
		for name, byID := range starts {
			for _, c := range checks {
				keys := make([]string, 0, len(byID))
				for id := range byID {
					keys = append(keys, ExternalID(c.source, TableTraces, id))
				}
				stored, err := imp.store.TraceStartsByExternalID(ctx, name, keys)
				if err != nil {
					return fmt.Errorf("read the store: %w", err)
				}
				for id, start := range byID {
					key := ExternalID(c.source, TableTraces, id)
					switch s, ok := stored[key]; {
					case !ok:
					case sameStart(s, start):
						c.matches++
					default:
						c.clashed("trace %d started %s, the trace %s of project %q %s",
							id, start.Format("2006-01-02 15:04:05.999999"), key, name, s.Format(time.RFC3339Nano))
					}
				}
			}
		}
		for _, table := range keyedTables {
			byProject := map[string]childIndex{}
			for _, e := range indexes[table].entries(first, last) {
				if name, ok := projectOf[e.trace]; ok {
					byProject[name] = append(byProject[name], e)
				}
			}
			for name, es := range byProject {
				for _, c := range checks {
					keys := make([]string, len(es))
					for i, e := range es {
						keys[i] = ExternalID(c.source, table, e.id)
					}
					stored, err := imp.store.TraceKeysByExternalID(ctx, table, name, keys)
					if err != nil {
						return fmt.Errorf("read the store: %w", err)
					}
					for i, e := range es {
						want := ExternalID(c.source, TableTraces, e.trace)
						if got, ok := stored[keys[i]]; ok && got != want {
							c.clashed("%s %d is in trace %d, the row %s of project %q in trace %s", table, e.id, e.trace, keys[i], name, got)
						}
					}
				}
			}
		}
	}
}

// sameStart reports whether a stored start is the file's naive start read
// in some time zone: equal up to a whole UTC offset (a multiple of 15
// minutes, within 26 hours), so that importing the same file again with
// another --timezone still finds its traces.
func sameStart(stored, naive time.Time) bool {
	d := stored.Truncate(time.Microsecond).Sub(naive.Truncate(time.Microsecond))
	return d%(15*time.Minute) == 0 && d.Abs() <= 26*time.Hour
}

// chooseSource picks the source of the external ids and checks, against
// the store, that none of them holds a row of another file. Without
// Options.Source it is the file's derived source, unless the store holds
// this file's traces under the keys of imports without a source (before
// sources were derived): then those keys, so that they are updated in place
// rather than copied.
func (imp *importer) chooseSource(ctx context.Context, projects map[int64]project, indexes map[string]childIndex) (string, error) {
	var checks []*keyCheck
	switch {
	case imp.opts.Source != "":
		checks = []*keyCheck{{source: imp.opts.Source}}
	case imp.opts.LegacyKeys:
		checks = []*keyCheck{{source: ""}}
	default:
		derived, err := imp.src.fileSource(ctx)
		if err != nil {
			return "", err
		}
		checks = []*keyCheck{{source: derived}, {source: ""}}
	}
	if imp.store != nil {
		if err := imp.checkKeys(ctx, projects, indexes, checks); err != nil {
			return "", err
		}
	}
	chosen := checks[0]
	how := "given by --source"
	switch {
	case imp.opts.LegacyKeys:
		how = "without a source, as asked"
	case imp.opts.Source == "":
		how = "derived from the file's first project and trace"
		derived, legacy := checks[0], checks[1]
		if derived.matches == 0 && derived.clashes == 0 && legacy.matches > 0 {
			if legacy.clashes > 0 {
				return "", fmt.Errorf("the store holds rows imported without a source, %d traces of this file and %d rows of other traces (%s); "+
					"pass --source NAME to import this file apart from them; nothing written", legacy.matches, legacy.clashes, legacy.clash)
			}
			chosen, how = legacy, "without a source, as this file was imported before"
		}
	}
	if chosen.clashes > 0 {
		var why string
		switch {
		case imp.opts.Source != "":
			why = "another AgentNeo file was imported with the same --source; pass another --source to import this one apart"
		case chosen.source == "":
			why = "another AgentNeo file was imported without a source; pass --source NAME, or no --source, to import this one apart"
		default:
			why = "another AgentNeo file starting with the same project and trace (a copy that recorded apart?) was imported; pass --source NAME to import this one apart"
		}
		return "", fmt.Errorf("%d rows of this file would overwrite rows of other traces in the store (%s): %s; nothing written", chosen.clashes, chosen.clash, why)
	}
	imp.printf("keys: %s (%s)", key(chosen.source, "<table>", "<id>"), how)
	return chosen.source, nil
}
