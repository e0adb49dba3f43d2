package agentneo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// AgentNeo writes through SQLAlchemy on SQLite, so every value comes back
// as whatever SQLite stored: text, integer, real, blob or NULL. The helpers
// below read a scanned value leniently, whatever its storage class.

// str returns v as text, nil for NULL.
func str(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = strings.ToValidUTF8(x, "\uFFFD")
	case []byte:
		s = strings.ToValidUTF8(string(x), "\uFFFD")
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.Format("2006-01-02 15:04:05.999999999")
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// text returns v as text, "" for NULL.
func text(v any) string {
	if s := str(v); s != nil {
		return *s
	}
	return ""
}

// integer returns v as an integer, nil for NULL or anything that is not a number.
func integer(v any) *int64 {
	switch x := v.(type) {
	case int64:
		return &x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		i := int64(math.Round(x))
		return &i
	case bool:
		var i int64
		if x {
			i = 1
		}
		return &i
	case string, []byte:
		s := strings.TrimSpace(text(x))
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &i
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return integer(f)
		}
	}
	return nil
}

// float returns v as a float, nil for NULL, NaN, infinities or anything that is not a number.
func float(v any) *float64 {
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case float64:
		f = x
	case string, []byte:
		p, err := strconv.ParseFloat(strings.TrimSpace(text(x)), 64)
		if err != nil {
			return nil
		}
		f = p
	default:
		return nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// timeLayouts are the ways a datetime may be written as text. SQLAlchemy
// writes "2006-01-02 15:04:05.000000" without a zone; the others are
// tolerated for databases written by other tools.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// zonedLayouts carry their own offset, which wins over the import's time zone.
var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-0700",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
}

// parseTime reads a datetime as AgentNeo stores it: naive text in the local
// time of the machine that recorded it, interpreted in loc and returned in
// UTC. Text with an explicit offset keeps its offset; a number is seconds
// since the Unix epoch. It returns nil for NULL, empty or unreadable values
// and ok=false for unreadable ones.
func parseTime(v any, loc *time.Location) (t *time.Time, ok bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case time.Time:
		u := x.UTC()
		return &u, true
	case int64, float64:
		f := float(x)
		if f == nil {
			return nil, false
		}
		sec, frac := math.Modf(*f)
		u := time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
		return &u, true
	}
	s := strings.TrimSpace(text(v))
	if s == "" {
		return nil, true
	}
	for _, layout := range timeLayouts {
		if p, err := time.ParseInLocation(layout, s, loc); err == nil {
			u := p.UTC()
			return &u, true
		}
	}
	for _, layout := range zonedLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			u := p.UTC()
			return &u, true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return parseTime(f, loc)
	}
	return nil, false
}

// decodeJSON reads a JSON column that may be encoded twice (AgentNeo stores
// json.dumps(value) in a JSON column, so the column holds a JSON string
// whose content is the JSON document) or once. It unwraps JSON strings whose
// content is itself a JSON object or array, up to a few levels, and returns
// the innermost document; nil for NULL or empty text. ok is false when the
// text is not JSON at all.
func decodeJSON(v any) (doc json.RawMessage, ok bool) {
	s := str(v)
	if s == nil {
		return nil, true
	}
	raw := bytes.TrimSpace([]byte(*s))
	if len(raw) == 0 {
		return nil, true
	}
	if !json.Valid(raw) {
		return nil, false
	}
	for range 4 {
		if raw[0] != '"' {
			break
		}
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			break
		}
		in := bytes.TrimSpace([]byte(inner))
		if len(in) == 0 || !json.Valid(in) {
			break
		}
		if in[0] != '{' && in[0] != '[' && in[0] != '"' && in[0] != 'n' {
			break // a plain string that happens to look like a number stays a string
		}
		raw = in
	}
	if string(raw) == "null" {
		return nil, true
	}
	return json.RawMessage(raw), true
}

// decodeInto decodes a possibly double-encoded JSON column into out. It
// returns false when the column is NULL, empty, not JSON or not of out's shape.
func decodeInto(v any, out any) (present, ok bool) {
	doc, ok := decodeJSON(v)
	if !ok {
		return true, false
	}
	if doc == nil {
		return false, true
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return true, false
	}
	return true, true
}

// jsonNumber reads a decoded JSON value as a float: numbers, numeric strings, null.
func jsonNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// firstNumber returns the first of keys present in m as a number.
func firstNumber(m map[string]any, keys ...string) (float64, bool) {
	for _, k := range keys {
		if v, present := m[k]; present && v != nil {
			if f, ok := jsonNumber(v); ok {
				return f, true
			}
		}
	}
	return 0, false
}

// idList reads one of agent_call's id lists: a (double-encoded) JSON array
// of ids, possibly with repeats, numbers or numeric strings. It returns the
// distinct ids in first-seen order.
func idList(v any) (ids []int64, ok bool) {
	var items []any
	present, ok := decodeInto(v, &items)
	if !present || !ok {
		// A lone number is a one-element list.
		if present && !ok {
			var one any
			if p, ok2 := decodeInto(v, &one); p && ok2 {
				if f, isNum := jsonNumber(one); isNum {
					return []int64{int64(f)}, true
				}
			}
		}
		return nil, ok
	}
	seen := make(map[int64]bool, len(items))
	for _, item := range items {
		f, isNum := jsonNumber(item)
		if !isNum {
			ok = false
			continue
		}
		id := int64(f)
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, ok
}

// normalizeErrorType maps AgentNeo's lowercase error types to "LLM", "Tool"
// and "Agent"; other values are returned trimmed, as recorded.
func normalizeErrorType(s string) string {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "llm", "llm_call", "llmcall":
		return "LLM"
	case "tool", "tool_call", "toolcall":
		return "Tool"
	case "agent", "agent_call", "agentcall":
		return "Agent"
	}
	return t
}
