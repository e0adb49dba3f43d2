// Package export streams stored rows as CSV or NDJSON for BI tools and
// scripts: GET /export/{entity}.csv or .ndjson, narrowed by project, time
// range and the filters of the GraphQL lists.
package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// flushEvery is how many rows are written between flushes, so clients see
// progress and the server buffers little.
const flushEvery = 500

// Handler serves GET /export/{file}, file being ENTITY.csv or ENTITY.ndjson.
func Handler(store *db.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httpx.WriteError(w, r, apperr.New(apperr.MethodNotAllowed, "use GET"))
			return
		}
		if !auth.From(r.Context()).CanRead() {
			httpx.WriteError(w, r, apperr.New(apperr.Forbidden, "an API key with the ingest role cannot export recorded data"))
			return
		}
		file := r.PathValue("file")
		entity, format, ok := strings.Cut(file, ".")
		spec, known := db.Exports[entity]
		if !ok || !known || (format != "csv" && format != "ndjson") {
			httpx.WriteError(w, r, UnknownExport(file))
			return
		}
		where, err := conditions(r.Context(), store, entity, spec, r.URL.Query())
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeRows(w, r, store, spec, entity, format, where)
	})
}

func writeRows(w http.ResponseWriter, r *http.Request, store *db.DB, spec db.Export, entity, format string, where db.Cond) {
	sent := &countingWriter{w: w}
	buf := bufio.NewWriterSize(sent, 64<<10)
	flusher, _ := w.(http.Flusher)
	var enc rowWriter
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		enc = &csvWriter{w: csv.NewWriter(buf)}
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc = &ndjsonWriter{w: buf, spec: spec}
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, entity, format))
	n := 0
	err := store.Stream(r.Context(), spec, where, enc.header, func(values []any) error {
		if err := enc.row(values); err != nil {
			return err
		}
		n++
		if n%flushEvery == 0 {
			if err := enc.flush(); err != nil {
				return err
			}
			if err := buf.Flush(); err != nil {
				return err
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		return nil
	})
	if err == nil {
		err = enc.flush()
	}
	if err == nil {
		err = buf.Flush()
	}
	if err != nil && sent.n == 0 && !errors.Is(err, context.Canceled) {
		// Nothing has reached the client yet: it can still get a status.
		w.Header().Del("Content-Disposition")
		writeError(w, r, err)
		return
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		// The status is sent already: end the body early, which clients see
		// as a truncated transfer, and say why in the log.
		slog.ErrorContext(r.Context(), "export failed", "entity", entity, "rows", n, "error", err)
		panic(http.ErrAbortHandler)
	}
}

// writeError answers a failed export with a status and a message safe to
// show (see httpx.Refusal).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Fail(w, r, "export", err)
}

// UnknownExport is the refusal of a file name that is no export.
func UnknownExport(file string) *apperr.Error {
	if len(file) > 64 {
		file = file[:64] + "…"
	}
	return apperr.New(apperr.NotFound, "unknown export %q: use one of %s, as .csv or .ndjson", file, entityNames())
}

// countingWriter counts the bytes that reached the client.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func entityNames() string {
	return "projects, traces, system_info, agent_calls, llm_calls, tool_calls, user_interactions, errors, metrics"
}

// rowWriter encodes rows in one format.
type rowWriter interface {
	header(columns []string) error
	row(values []any) error
	flush() error
}

type csvWriter struct {
	w      *csv.Writer
	record []string
}

func (c *csvWriter) header(columns []string) error {
	c.record = make([]string, len(columns))
	return c.w.Write(columns)
}

func (c *csvWriter) row(values []any) error {
	for i, v := range values {
		c.record[i] = text(v)
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

type ndjsonWriter struct {
	w       *bufio.Writer
	spec    db.Export
	keys    [][]byte
	isJSON  []bool
	scratch []byte
}

func (n *ndjsonWriter) header(columns []string) error {
	for _, c := range columns {
		k, _ := json.Marshal(c)
		n.keys = append(n.keys, k)
		n.isJSON = append(n.isJSON, n.spec.IsJSON(c))
	}
	return nil
}

func (n *ndjsonWriter) row(values []any) error {
	b := n.scratch[:0]
	b = append(b, '{')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n.keys[i]...)
		b = append(b, ':')
		b = appendJSON(b, v, n.isJSON[i])
	}
	b = append(b, '}', '\n')
	n.scratch = b
	_, err := n.w.Write(b)
	return err
}

func (n *ndjsonWriter) flush() error { return nil }

// text renders a value for CSV: times in RFC 3339 UTC, NULL as empty.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// appendJSON renders a value for NDJSON; JSON columns are embedded as
// documents, not strings.
func appendJSON(b []byte, v any, isJSON bool) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case time.Time:
		return strconv.AppendQuote(b, v.UTC().Format(time.RFC3339Nano))
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	}
	s := text(v)
	if isJSON && json.Valid([]byte(s)) {
		return append(b, s...)
	}
	out, _ := json.Marshal(s)
	return append(b, out...)
}
