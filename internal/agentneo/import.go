// Package agentneo imports AgentNeo databases: the SQLite file the AgentNeo
// Python SDK records traces into. It reads the file read-only, checks that
// it has AgentNeo's tables, and writes everything through internal/ingest,
// one AgentNeo trace per ingested trace, keeping every relationship.
//
// What it makes of AgentNeo's format:
//
//   - Every row is imported under the external id
//     "agentneo:<source>:<table>:<id>" (see ExternalID), the source derived
//     from the file's first project and trace unless one is given (see
//     FileSource), so importing the same file again, or a later copy of it
//     with more traces, updates what is there and adds only what is new,
//     while two different files never share a key. A key that holds a row
//     of another file in the store stops the import before it writes.
//   - A file without a column every AgentNeo release has is refused, as is
//     an agentgraph database.
//   - Datetimes are naive local-time text ("2024-10-09 14:03:07.123456"), as
//     SQLAlchemy writes datetime.now(). They are read in Options.Location
//     (default: the local time zone of the importing machine) and stored in
//     UTC. Text with an explicit UTC offset keeps its offset.
//   - JSON columns may be encoded twice (a JSON string holding the JSON
//     document, as llm_call.token_usage and cost and the agent_call id lists
//     are) or once; both are read.
//   - A call, interaction or error belongs to the agent named by its
//     agent_id. The agent_call id lists are only cross-checked (repeats
//     ignored): the store rebuilds them from the children.
//   - llm_call.cost is imported as recorded; calls without a cost are priced
//     from the model price table.
//   - Project start, end, duration and totals, trace and call durations
//     are derived by the store from the imported rows, not copied.
package agentneo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// DefaultBatchSize is the number of AgentNeo traces read and ingested at once.
const DefaultBatchSize = 200

// Options tunes Import; zero values pick the defaults.
type Options struct {
	// Location is the time zone AgentNeo's naive datetimes were recorded
	// in; nil means time.Local, the importing machine's.
	Location *time.Location
	// Source, when set, is put into every external id instead of the one
	// derived from the file (see FileSource).
	Source string
	// LegacyKeys, when Source is empty, imports under "agentneo:<table>:<id>"
	// without any source, the keys of imports made before sources were
	// derived from the file.
	LegacyKeys bool
	// BatchSize is the number of traces per Ingest call; 0 means DefaultBatchSize.
	BatchSize int
}

// TableCount is what Import did with one AgentNeo table.
type TableCount struct {
	Table    string
	Read     int // rows in the AgentNeo table
	Imported int // rows written to the store (created or updated in place)
	Skipped  int // rows not imported; a warning says why
}

// Summary is the outcome of an import.
type Summary struct {
	Tables   []TableCount // one per AgentNeo table, in the order of Tables
	Warnings int          // number of warnings written to progress
}

// Count returns the counts of table.
func (s Summary) Count(table string) TableCount {
	for _, c := range s.Tables {
		if c.Table == table {
			return c
		}
	}
	return TableCount{Table: table}
}

// WriteTable writes the summary as an aligned table.
func (s Summary) WriteTable(w io.Writer) error {
	const row = "%-17s %8v %8v %8v\n"
	var b strings.Builder
	fmt.Fprintf(&b, row, "table", "read", "imported", "skipped")
	var read, imported, skipped int
	for _, c := range s.Tables {
		fmt.Fprintf(&b, row, c.Table, c.Read, c.Imported, c.Skipped)
		read, imported, skipped = read+c.Read, imported+c.Imported, skipped+c.Skipped
	}
	fmt.Fprintf(&b, row, "total", read, imported, skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

// Check opens path read-only and reports whether it is an AgentNeo database;
// the error wraps ErrNotAgentNeo when it is not.
func Check(ctx context.Context, path string) error {
	src, err := openSource(ctx, path)
	if err != nil {
		return err
	}
	return src.close()
}

// Import reads the AgentNeo database at path and writes all of it through
// svc, BatchSize traces per Ingest call. It writes nothing when path is not
// an AgentNeo database (the error wraps ErrNotAgentNeo) or when the store
// holds rows of another file under its keys. It reports progress
// and warnings as lines on progress (which may be nil). A trace the store
// rejects as invalid is skipped with a warning; any other error stops the
// import, leaving the traces ingested so far, which a new run completes.
func Import(ctx context.Context, path string, svc *ingest.Service, progress io.Writer, opts Options) (Summary, error) {
	if progress == nil {
		progress = io.Discard
	}
	src, err := openSource(ctx, path)
	if err != nil {
		return Summary{}, err
	}
	defer src.close()
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	opts.BatchSize = min(opts.BatchSize, 1000)
	imp := &importer{
		src: src, out: progress, opts: opts, warned: map[string]int{},
		write: func(ctx context.Context, traces []ingest.Trace) error {
			_, err := svc.Ingest(ctx, traces)
			return err
		},
		ensureProject: func(ctx context.Context, name string) error {
			_, err := svc.Store().EnsureProject(ctx, name)
			return err
		},
		store: svc.Store(),
	}
	sum, err := imp.run(ctx)
	imp.flushWarnings()
	sum.Warnings = imp.warnings
	return sum, err
}

// maxWarningsPerKind caps the warning lines of one kind; the rest are counted.
const maxWarningsPerKind = 10

type importer struct {
	src *source
	// write ingests traces (svc.Ingest); ensureProject creates a project
	// that has no traces. Tests replace them to see what would be written.
	write         func(ctx context.Context, traces []ingest.Trace) error
	ensureProject func(ctx context.Context, name string) error
	// store is what the keys are checked against; nil when there is none.
	store    keyStore
	out      io.Writer
	opts     Options
	warned   map[string]int
	warnings int
}

func (imp *importer) printf(format string, args ...any) {
	fmt.Fprintf(imp.out, format+"\n", args...)
}

func (imp *importer) warn(kind, format string, args ...any) {
	imp.warnings++
	imp.warned[kind]++
	if imp.warned[kind] <= maxWarningsPerKind {
		imp.printf("warning: "+format, args...)
	}
}

func (imp *importer) flushWarnings() {
	kinds := make([]string, 0, len(imp.warned))
	for k := range imp.warned {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		if n := imp.warned[k] - maxWarningsPerKind; n > 0 {
			imp.printf("warning: ... and %d more warnings like those above (%s)", n, k)
		}
	}
}

func (imp *importer) run(ctx context.Context) (Summary, error) {
	read := map[string]int{}
	imported := map[string]int{}
	var parts []string
	for _, t := range Tables {
		n, err := imp.src.count(ctx, t)
		if err != nil {
			return Summary{}, fmt.Errorf("%s: count %s: %w", imp.src.path, t, err)
		}
		read[t] = n
		parts = append(parts, fmt.Sprintf("%s %d", t, n))
	}
	projectDone := map[int64]bool{} // project_info ids with at least one trace imported
	projectSeen := map[int64]bool{} // project_info ids with at least one trace in the file
	summary := func() Summary {
		imported[TableProjects] = len(projectDone)
		var s Summary
		for _, t := range Tables {
			s.Tables = append(s.Tables, TableCount{Table: t, Read: read[t], Imported: imported[t], Skipped: read[t] - imported[t]})
		}
		return s
	}
	imp.printf("reading %s (%s)", imp.src.path, strings.Join(parts, ", "))
	for _, n := range imp.src.notes {
		imp.printf("note: %s", n)
	}

	projectRows, bad, err := imp.src.query(ctx, TableProjects, "", "")
	if err != nil {
		return summary(), err
	}
	if bad > 0 {
		imp.warn("orphan", "project_info: %d rows without a readable id skipped", bad)
	}
	m := &mapper{loc: imp.opts.Location, projects: map[int64]project{}, columns: imp.src.present, warn: imp.warn}
	byName := map[string]int64{}
	for _, r := range projectRows {
		name := strings.TrimSpace(text(r.get("project_name")))
		if name == "" {
			name = fmt.Sprintf("agentneo-project-%d", r.id())
			imp.warn("project", "project_info %d: no project_name; imported as %q", r.id(), name)
		}
		if other, dup := byName[name]; dup {
			imp.warn("project", "project_info %d and %d are both named %q; their traces go into one project", other, r.id(), name)
		} else {
			byName[name] = r.id()
		}
		m.projects[r.id()] = project{id: r.id(), name: name}
	}
	childTables := []string{TableSystemInfo, TableAgentCalls, TableLLMCalls, TableToolCalls, TableInteractions, TableErrors, TableMetrics}
	indexes := map[string]childIndex{}
	for _, t := range childTables {
		if indexes[t], err = imp.src.index(ctx, t); err != nil {
			return summary(), err
		}
	}
	if m.source, err = imp.chooseSource(ctx, m.projects, indexes); err != nil {
		return summary(), err
	}

	var after int64
	done := 0
	lastProgress := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return summary(), err
		}
		traceRows, bad, err := imp.src.traceBatch(ctx, after, imp.opts.BatchSize)
		if err != nil {
			return summary(), err
		}
		if bad > 0 {
			imp.warn("orphan", "traces: %d rows without a readable id skipped", bad)
		}
		if len(traceRows) == 0 {
			break
		}
		first, last := after, traceRows[len(traceRows)-1].id()
		after = last
		for _, r := range traceRows {
			if p := r.ref("project_id"); p != nil {
				projectSeen[*p] = true
			}
		}
		// The batch holds every trace with an id in (first, last]; their
		// children are the rows whose trace_id is in that range.
		var c children
		for _, load := range []struct {
			table string
			into  *map[int64][]row
		}{
			{TableSystemInfo, &c.systemInfo}, {TableAgentCalls, &c.agents}, {TableLLMCalls, &c.llmCalls},
			{TableToolCalls, &c.toolCalls}, {TableInteractions, &c.interactions}, {TableErrors, &c.errors},
			{TableMetrics, &c.metrics},
		} {
			rows, err := imp.src.byIDs(ctx, load.table, indexes[load.table].ids(first, last))
			if err != nil {
				return summary(), err
			}
			*load.into = groupByTrace(rows)
		}

		batch := make([]mapped, 0, len(traceRows))
		for _, r := range traceRows {
			if mt, ok := m.trace(r, c); ok {
				batch = append(batch, mt)
			}
		}
		ok, err := imp.ingest(ctx, batch)
		for _, mt := range ok {
			for t, n := range mt.counts {
				imported[t] += n
			}
			projectDone[mt.projectID] = true
		}
		if err != nil {
			return summary(), err
		}
		done += len(traceRows)
		if time.Since(lastProgress) >= time.Second {
			imp.printf("traces %d/%d: %d imported so far", done, read[TableTraces], imported[TableTraces])
			lastProgress = time.Now()
		}
	}
	imp.printf("traces %d/%d: %d imported", done, read[TableTraces], imported[TableTraces])

	// Projects without traces still exist in the store afterwards.
	for _, r := range projectRows {
		id := r.id()
		if projectDone[id] {
			continue
		}
		if projectSeen[id] {
			continue // its traces were skipped, with warnings
		}
		if err := imp.ensureProject(ctx, m.projects[id].name); err != nil {
			return summary(), fmt.Errorf("create project %q: %w", m.projects[id].name, err)
		}
		projectDone[id] = true
	}
	if err := imp.reportOrphans(ctx); err != nil {
		return summary(), err
	}
	return summary(), nil
}

// ingest writes a batch. When the store rejects it as invalid, it writes the
// traces one by one and skips, with a warning, those it rejects. It returns
// the traces written.
func (imp *importer) ingest(ctx context.Context, batch []mapped) ([]mapped, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	traces := make([]ingest.Trace, len(batch))
	for i, mt := range batch {
		traces[i] = mt.trace
	}
	err := imp.write(ctx, traces)
	if err == nil {
		return batch, nil
	}
	if apperr.CodeOf(err) != apperr.InvalidArgument || len(batch) == 1 {
		if apperr.CodeOf(err) == apperr.InvalidArgument {
			imp.warn("invalid", "trace %d skipped: %v", batch[0].id, err)
			return nil, nil
		}
		return nil, fmt.Errorf("ingest: %w", err)
	}
	var ok []mapped
	for _, mt := range batch {
		if err := imp.write(ctx, []ingest.Trace{mt.trace}); err != nil {
			if apperr.CodeOf(err) != apperr.InvalidArgument {
				return ok, fmt.Errorf("ingest: %w", err)
			}
			imp.warn("invalid", "trace %d skipped: %v", mt.id, err)
			continue
		}
		ok = append(ok, mt)
	}
	return ok, nil
}

// reportOrphans warns about rows whose trace is missing, which no batch reads.
func (imp *importer) reportOrphans(ctx context.Context) error {
	for _, t := range Tables[2:] {
		if !imp.src.has(t) {
			continue
		}
		var n int
		err := imp.src.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+t+`" WHERE "trace_id" IS NULL OR "trace_id" NOT IN (SELECT "id" FROM "traces")`).Scan(&n)
		if err != nil {
			return fmt.Errorf("%s: read %s: %w", imp.src.path, t, err)
		}
		if n > 0 {
			imp.warn("orphan", "%s: %d rows without an existing trace skipped", t, n)
		}
	}
	return nil
}

// IsNotAgentNeo reports whether err says the file is not an AgentNeo database.
func IsNotAgentNeo(err error) bool { return errors.Is(err, ErrNotAgentNeo) }
