package db

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// searchWrites gathers what one UpsertTraces does to PostgreSQL's search
// documents: the words of the texts it writes per trace, and the traces
// whose stored calls or interactions it updates. Those lose their
// documents and get them rebuilt from their stored rows, so no stale word
// stays findable. A nil *searchWrites (SQLite, whose FTS5 triggers keep
// the index) does nothing.
type searchWrites struct {
	words   map[int64]*wordSet
	rebuild map[int64]bool
}

func newSearchWrites(dl dialect) *searchWrites {
	if dl.keepsSearchIndex() {
		return nil
	}
	return &searchWrites{words: map[int64]*wordSet{}, rebuild: map[int64]bool{}}
}

// addTexts adds the words of the searched texts of t's calls and
// interactions: prompts and outputs, tool inputs and outputs, contents.
func (s *searchWrites) addTexts(t *roundTrace) {
	if s == nil {
		return
	}
	id := t.w.Trace.ID
	set := s.words[id]
	if set == nil {
		set = &wordSet{}
		s.words[id] = set
	}
	for _, c := range t.llm {
		set.add(c.InputPrompt)
		set.add(c.Output)
	}
	for _, c := range t.tools {
		set.add(c.InputParameters)
		set.add(c.Output)
	}
	for _, c := range t.inters {
		set.add(c.Content)
	}
}

// rebuildTraces marks traces whose stored texts change.
func (s *searchWrites) rebuildTraces(ids []int64) {
	if s == nil {
		return
	}
	for _, id := range ids {
		s.rebuild[id] = true
	}
}

// writeSearch writes the gathered documents: it drops and rebuilds those
// of the marked traces, then appends the rows of every trace, in one
// INSERT per batchRows documents and, when some traces are rebuilt, one
// DELETE and one SELECT, whatever the number of traces.
func (d *DB) writeSearch(ctx context.Context, s *searchWrites) error {
	if s == nil {
		return nil
	}
	if len(s.rebuild) > 0 {
		ids := slices.Sorted(maps.Keys(s.rebuild))
		in, arg := d.inSet("trace_id", ids)
		if err := d.conn(ctx).Exec(`DELETE FROM trace_search WHERE `+in, arg).Error; err != nil {
			return fmt.Errorf("drop search documents: %w", err)
		}
		stored, err := d.storedWords(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			s.words[id] = stored[id]
		}
	}
	return d.insertSearchDocuments(ctx, s.words)
}

// storedWords reads the searched texts of the traces' stored rows.
func (d *DB) storedWords(ctx context.Context, traceIDs []int64) (map[int64]*wordSet, error) {
	in, arg := d.inSet("trace_id", traceIDs)
	rows, err := d.conn(ctx).Raw(`SELECT trace_id, input_prompt, output FROM llm_call WHERE `+in+`
		UNION ALL SELECT trace_id, input_parameters, output FROM tool_call WHERE `+in+`
		UNION ALL SELECT trace_id, content, NULL FROM user_interactions WHERE `+in, arg, arg, arg).Rows()
	if err != nil {
		return nil, fmt.Errorf("read searched texts: %w", err)
	}
	defer rows.Close()
	out := map[int64]*wordSet{}
	for rows.Next() {
		var id int64
		var a, b *string
		if err := rows.Scan(&id, &a, &b); err != nil {
			return nil, fmt.Errorf("read searched texts: %w", err)
		}
		set := out[id]
		if set == nil {
			set = &wordSet{}
			out[id] = set
		}
		set.add(a)
		set.add(b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read searched texts: %w", err)
	}
	return out, nil
}

// insertSearchDocuments appends the documents of every trace with words,
// in trace id order, as bound tsvector literals: PostgreSQL only parses
// them, and never runs to_tsvector.
func (d *DB) insertSearchDocuments(ctx context.Context, words map[int64]*wordSet) error {
	var q strings.Builder
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := d.conn(ctx).Exec(`INSERT INTO trace_search (trace_id, document) VALUES `+q.String(), args...).Error
		q.Reset()
		args = args[:0]
		if err != nil {
			return fmt.Errorf("write search documents: %w", err)
		}
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(words)) {
		for _, doc := range words[id].documents() {
			if len(args) == 2*batchRows {
				if err := flush(); err != nil {
					return err
				}
			}
			if len(args) > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?::tsvector)")
			args = append(args, id, doc)
		}
	}
	return flush()
}

// backfillBatch is the number of traces the backfill reads at a time.
const backfillBatch = 200

// backfillTraceSearch writes the documents of every stored trace, a batch
// of traces at a time: migration 8's Go step on PostgreSQL.
func (d *DB) backfillTraceSearch(ctx context.Context) error {
	var after int64
	for {
		var ids []int64
		err := d.conn(ctx).Raw(`SELECT id FROM traces WHERE id > ? ORDER BY id LIMIT ?`, after, backfillBatch).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		after = ids[len(ids)-1]
		words, err := d.storedWords(ctx, ids)
		if err != nil {
			return err
		}
		if err := d.insertSearchDocuments(ctx, words); err != nil {
			return err
		}
	}
}
