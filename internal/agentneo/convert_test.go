package agentneo

import (
	"slices"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	utc := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for _, tc := range []struct {
		in   any
		want *time.Time
		ok   bool
	}{
		{"2024-07-15 09:00:00.123456", utc("2024-07-15T07:00:00.123456Z"), true}, // SQLAlchemy's naive local time
		{"2024-07-15 09:00:00", utc("2024-07-15T07:00:00Z"), true},
		{"2024-07-15T09:00:00.5", utc("2024-07-15T07:00:00.5Z"), true}, // isoformat(), network calls
		{"2024-07-15", utc("2024-07-14T22:00:00Z"), true},
		{"2024-07-15T09:00:00Z", utc("2024-07-15T09:00:00Z"), true}, // an explicit zone wins
		{"2024-07-15 09:00:00.25+00:00", utc("2024-07-15T09:00:00.25Z"), true},
		{"2024-07-15T09:00:00-04:00", utc("2024-07-15T13:00:00Z"), true},
		{int64(1721030400), utc("2024-07-15T08:00:00Z"), true}, // Unix seconds
		{1721030400.5, utc("2024-07-15T08:00:00.5Z"), true},
		{nil, nil, true},
		{"", nil, true},
		{"  ", nil, true},
		{"yesterday", nil, false},
	} {
		got, ok := parseTime(tc.in, paris)
		if ok != tc.ok || (got == nil) != (tc.want == nil) || (got != nil && !got.Equal(*tc.want)) {
			t.Errorf("parseTime(%#v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if got != nil && got.Location() != time.UTC {
			t.Errorf("parseTime(%#v) is in %v, want UTC", tc.in, got.Location())
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
		ok   bool
	}{
		{`"{\"input\": 451, \"completion\": 59, \"reasoning\": 0}"`, `{"input": 451, "completion": 59, "reasoning": 0}`, true}, // double-encoded
		{`{"input": 451}`, `{"input": 451}`, true}, // once
		{[]byte(`"\"[1, 2]\""`), `[1, 2]`, true},   // three times, as bytes
		{`"[1, 1, 2]"`, `[1, 1, 2]`, true},
		{`"just text"`, `"just text"`, true}, // a JSON string stays a string
		{`"42"`, `"42"`, true},
		{`null`, ``, true},
		{`"null"`, ``, true},
		{nil, ``, true},
		{``, ``, true},
		{`{broken`, ``, false},
		{`NaN`, ``, false},
	} {
		got, ok := decodeJSON(tc.in)
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("decodeJSON(%#v) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIDList(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want []int64
		ok   bool
	}{
		{`"[1, 1, 2]"`, []int64{1, 2}, true}, // double-encoded, repeats dropped
		{`[3, "4", 3.0]`, []int64{3, 4}, true},
		{`"[]"`, nil, true},
		{nil, nil, true},
		{`7`, []int64{7}, true},
		{`[1, "x"]`, []int64{1}, false},
		{`oops`, nil, false},
	} {
		got, ok := idList(tc.in)
		if !slices.Equal(got, tc.want) || ok != tc.ok {
			t.Errorf("idList(%#v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormalizeErrorType(t *testing.T) {
	for in, want := range map[string]string{
		"llm": "LLM", "LLM": "LLM", " Tool ": "Tool", "tool": "Tool", "agent": "Agent", "AGENT": "Agent", "network": "network", "": "",
	} {
		if got := normalizeErrorType(in); got != want {
			t.Errorf("normalizeErrorType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScalars(t *testing.T) {
	if got := integer("12"); got == nil || *got != 12 {
		t.Errorf("integer(\"12\") = %v", got)
	}
	if got := integer(1.6e3); got == nil || *got != 1600 {
		t.Errorf("integer(1.6e3) = %v", got)
	}
	if got := integer("n/a"); got != nil {
		t.Errorf("integer(\"n/a\") = %v", *got)
	}
	if got := float("0.5"); got == nil || *got != 0.5 {
		t.Errorf("float(\"0.5\") = %v", got)
	}
	if got := float("NaN"); got != nil {
		t.Errorf("float(\"NaN\") = %v", *got)
	}
	if got := str([]byte("a\xffb")); got == nil || *got != "a\uFFFDb" {
		t.Errorf("str(invalid UTF-8) = %q", *got)
	}
	if got := clip(string(make([]byte, 2000))); len(got) != maxNameBytes {
		t.Errorf("clip: %d bytes", len(got))
	}
	long := "é" + string(make([]byte, maxNameBytes)) // a 2-byte rune then padding
	if got := clip("x" + long); len(got) > maxNameBytes || !isValidPrefix(got) {
		t.Errorf("clip cut a character: %d bytes", len(got))
	}
}

func isValidPrefix(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return false
		}
	}
	return true
}
