package jsonlimit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/budget"
)

// nest wraps inner in n levels: {"a": ...} for objects, [...] for arrays.
func nest(n int, object bool, inner string) string {
	open, close := "[", "]"
	if object {
		open, close = `{"a":`, "}"
	}
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

func TestScanDepth(t *testing.T) {
	for name, c := range map[string]struct {
		doc  string
		path string // "" when within the limit
	}{
		"arrays at the limit":            {doc: nest(MaxDepth, false, "1")},
		"objects at the limit":           {doc: nest(MaxDepth-1, true, "{}")},
		"arrays over the limit":          {doc: nest(MaxDepth+1, false, ""), path: strings.Repeat("[0]", MaxDepth)},
		"objects over the limit":         {doc: nest(MaxDepth+1, true, "1"), path: "a" + strings.Repeat(".a", MaxDepth-1)},
		"far over the limit":             {doc: nest(50000, true, "1"), path: "a" + strings.Repeat(".a", MaxDepth-1)},
		"cut off over the limit":         {doc: strings.Repeat("[", 100), path: strings.Repeat("[0]", MaxDepth)},
		"scalars and strings":            {doc: `[1, "]]]]", true, null, -2.5e3, "\"[", {"k\"": "{"}]`},
		"mixed, deep in the second item": {doc: `{"traces": [{}, {"metrics": [{"resultDetail": ` + nest(MaxDepth-4, true, "1") + `}]}]}`, path: "traces[1].metrics[0].resultDetail" + strings.Repeat(".a", MaxDepth-5)},
		"index past the first":           {doc: `[0, 1, ` + nest(MaxDepth, false, "") + `]`, path: "[2]" + strings.Repeat("[0]", MaxDepth-1)},
		"escaped key":                    {doc: `{"a\u002eb\"c": ` + nest(MaxDepth, false, "") + `}`, path: `a.b"c` + strings.Repeat("[0]", MaxDepth-1)},
		"the first of two":               {doc: `{"x": ` + nest(MaxDepth, false, "") + `, "y": ` + nest(MaxDepth, true, "") + `}`, path: "x" + strings.Repeat("[0]", MaxDepth-1)},
		"a value ends the document":      {doc: `[] ` + nest(MaxDepth+1, false, "")},
		"invalid: stops at a bad close":  {doc: `[}` + nest(MaxDepth+1, false, "")},
		"invalid: a value as a key":      {doc: `{1: ` + nest(MaxDepth+1, false, "") + `}`},
		"invalid: unterminated string":   {doc: `["` + nest(MaxDepth+1, false, "")},
		"empty":                          {doc: ``},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Scan([]byte(c.doc))
			var de *DepthError
			switch {
			case c.path == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.path != "" && !errors.As(err, &de):
				t.Fatalf("accepted, want a depth error at %s", c.path)
			case c.path != "" && de.Path != c.path:
				t.Fatalf("path %q, want %q", de.Path, c.path)
			}
		})
	}
}

// TestScanIsLinear scans 8 MiB bodies of the worst shapes: quickly, and
// allocating next to nothing, refused or not.
func TestScanIsLinear(t *testing.T) {
	const size = 8 << 20
	for name, doc := range map[string][]byte{
		"arrays":          bytes.Repeat([]byte("["), size),
		"objects":         bytes.Repeat([]byte(`{"a":`), size/5),
		"arrays, closed":  []byte(nest(MaxDepth, false, strings.Repeat("0,", size/2-MaxDepth)+"0")),
		"long string":     []byte(`["` + strings.Repeat(`\"`, size/2) + `"]`),
		"backslash":       []byte(`["` + strings.Repeat(`\\`, size/2) + `"]`),
		"objects, closed": []byte(`[` + strings.Repeat(`{"a":1,"b":[]},`, size/15) + `{}]`),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, _ = Scan(doc)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if took > time.Second {
				t.Errorf("took %s", took)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	doc := `{"traces": [{"name": "x\"y", "n": 1.5, "resultDetail": {"config": [1, {"k": null}], "s": "ab"}, "config": "c"}, null],
		"big": {"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":0}}`
	all, err := Scan([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Values: 24, Objects: 5, Arrays: 2, Filled: 5, Members: 19, LargeMembers: 2, StringBytes: 7, KeyBytes: 51}
	if all != want {
		t.Errorf("Scan: %+v, want %+v", all, want)
	}
	fixed, loose, err := Split([]byte(doc), func(k []byte) bool { return string(k) == "resultDetail" || string(k) == "config" })
	if err != nil {
		t.Fatal(err)
	}
	wantLoose := Counts{Values: 7, Objects: 2, Arrays: 1, Filled: 2, Members: 3, StringBytes: 3, KeyBytes: 8}
	if loose != wantLoose {
		t.Errorf("Split, loose: %+v, want %+v", loose, wantLoose)
	}
	sum := Counts{fixed.Values + loose.Values, fixed.Objects + loose.Objects, fixed.Arrays + loose.Arrays, fixed.Filled + loose.Filled,
		fixed.Members + loose.Members, fixed.LargeMembers + loose.LargeMembers, fixed.StringBytes + loose.StringBytes, fixed.KeyBytes + loose.KeyBytes}
	if sum != all {
		t.Errorf("Split: %+v and %+v do not add up to %+v", fixed, loose, all)
	}
}

// reference scans a valid document with encoding/json's tokenizer, as scan
// does, to the first container deeper than max.
func reference(t *testing.T, doc []byte, max int, free func([]byte) bool) (fixed, loose Counts, path string, deep bool) {
	type open struct {
		array   bool
		items   int // values begun inside
		key     string
		wantKey bool
		loose   bool
	}
	var stack []*open
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	looseNext := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return fixed, loose, "", false
		}
		if err != nil {
			t.Fatalf("the reference failed on valid JSON %q: %v", doc, err)
		}
		var top *open
		c := &fixed
		if len(stack) > 0 {
			top = stack[len(stack)-1]
			if top.loose {
				c = &loose
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if top != nil && !top.array && top.wantKey {
			k := tok.(string)
			top.key, top.wantKey = k, false
			top.items++
			switch {
			case top.items == 1:
				c.Filled++
			case top.items > 8:
				c.LargeMembers++
			}
			c.Members++
			c.KeyBytes += int64(len(k))
			looseNext = free != nil && !top.loose && free([]byte(k))
			continue
		}
		// A value.
		if looseNext {
			c, looseNext = &loose, false
		}
		c.Values++
		if top != nil && top.array {
			top.items++
		}
		switch v := tok.(type) {
		case string:
			c.StringBytes += int64(len(v))
		case json.Delim:
			if len(stack) == max {
				var b strings.Builder
				for _, o := range stack {
					switch {
					case o.array:
						b.WriteString("[" + strconv.Itoa(o.items-1) + "]")
					case b.Len() > 0:
						b.WriteString("." + o.key)
					default:
						b.WriteString(o.key)
					}
				}
				return fixed, loose, b.String(), true
			}
			o := &open{array: v == '[', wantKey: v == '{', loose: c == &loose}
			if v == '{' {
				c.Objects++
			} else {
				c.Arrays++
			}
			stack = append(stack, o)
			continue
		}
		if top != nil && !top.array {
			top.wantKey = true
		}
	}
}

// FuzzScan holds scan to encoding/json's view of valid documents: the
// same verdict on depth, the same path, the same counts. Of invalid ones
// it asks only that the scan ends.
func FuzzScan(f *testing.F) {
	for _, seed := range []string{
		`{"a": [1, {"b": [[]]}], "c": "x"}`,
		`[[[[1]]], {"resultDetail": {"x": [[{}]]}}]`,
		`{"k\u0041": {"\\": [{}]}}`,
		`{"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":[[[]]]}`,
		`[0, 1, [2, [3, [4]]]]`,
	} {
		f.Add([]byte(seed))
	}
	free := func(k []byte) bool { return len(k) > 0 && k[0] == 'r' }
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, max := range []int{3, MaxDepth} {
			fixed, loose, err := scan(doc, max, free)
			if !json.Valid(doc) {
				continue
			}
			wantFixed, wantLoose, path, deep := reference(t, doc, max, free)
			switch {
			case deep != (err != nil):
				t.Fatalf("max %d, %q: too deep %v, want %v", max, doc, err != nil, deep)
			case deep && err.Path != path:
				t.Fatalf("max %d, %q: path %q, want %q", max, doc, err.Path, path)
			case deep:
				continue
			}
			if bytes.IndexByte(doc, '\\') >= 0 || !utf8.Valid(doc) {
				// Bytes as written differ from bytes as decoded.
				fixed.StringBytes, fixed.KeyBytes, loose.StringBytes, loose.KeyBytes = 0, 0, 0, 0
				wantFixed.StringBytes, wantFixed.KeyBytes, wantLoose.StringBytes, wantLoose.KeyBytes = 0, 0, 0, 0
			}
			if fixed != wantFixed || loose != wantLoose {
				t.Fatalf("max %d, %q: counts %+v / %+v, want %+v / %+v", max, doc, fixed, loose, wantFixed, wantLoose)
			}
		}
	})
}

// TestAnyBytesCalibration holds AnyBytes near what encoding/json and
// goccy/go-json (the decoders of GraphQL bodies and OTLP/JSON) allocate
// decoding bodies of the shapes that cost most per byte into generic
// values: at least 3/4 of it, at most 3 times it.
func TestAnyBytesCalibration(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures allocation")
	}
	const n = 1 << 19
	var bigObject strings.Builder
	bigObject.WriteString("{")
	for i := range n / 8 {
		bigObject.WriteString(`"k` + strconv.Itoa(i) + `":0,`)
	}
	bigObject.WriteString(`"z":0}`)
	decoders := map[string]func(doc []byte) any{
		"encoding/json": func(doc []byte) any {
			dec := json.NewDecoder(bytes.NewReader(doc))
			dec.UseNumber()
			var v any
			_ = dec.Decode(&v)
			return v
		},
		"goccy": func(doc []byte) any {
			var v any
			_ = gojson.UnmarshalWithOption(doc, &v, func(o *gojson.DecodeOption) { o.Flags |= 1 << 3 })
			return v
		},
	}
	for _, decode := range decoders { // the first use of a decoder sets it up
		decode([]byte(`[{"a": [0, "x", {}]}]`))
	}
	for name, doc := range map[string]string{
		"numbers":       "[" + strings.Repeat("0,", n) + "0]",
		"long numbers":  "[" + strings.Repeat("12345678901234567890,", n/8) + "0]",
		"empty objects": "[" + strings.Repeat("{},", n/2) + "{}]",
		"empty arrays":  "[" + strings.Repeat("[],", n/2) + "[]]",
		"small objects": "[" + strings.Repeat(`{"a":0},`, n/4) + "{}]",
		"nine members":  "[" + strings.Repeat(`{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0},`, n/16) + "{}]",
		"big object":    bigObject.String(),
		"empty strings": "[" + strings.Repeat(`"",`, n/2) + `""]`,
		"long string":   `["` + strings.Repeat("x", 4<<20) + `"]`,
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(doc)
			c, err := Scan(raw)
			if err != nil {
				t.Fatal(err)
			}
			// Besides the values, goccy copies the document (and keeps its
			// strings in the copy); encoding/json's Decoder reads it into a
			// buffer grown by doubling, about 4 times its length in all.
			copies := map[string]int64{"goccy": 1, "encoding/json": 4}
			for decoder, decode := range decoders {
				m := allocs.Of(func() any { return decode(raw) })
				est := c.AnyBytes() + copies[decoder]*int64(len(raw))
				t.Logf("%s: %d est %d %.2f", decoder, m, est, float64(est)/float64(m))
				if ratio := float64(est) / float64(m); ratio < 0.75 || ratio > 3 {
					t.Errorf("%s allocated %d bytes, estimated %d (%.2f times)", decoder, m, est, ratio)
				}
			}
		})
	}
}

func TestChargeNamesTheBudget(t *testing.T) {
	ctx := budget.With(context.Background(), budget.New(1<<20))
	if err := Charge(ctx, 1<<19); err != nil {
		t.Fatal(err)
	}
	err := Charge(ctx, 1<<19+1)
	var appErr *apperr.Error
	if !errors.As(err, &appErr) || appErr.Code != apperr.PayloadTooLarge || !strings.Contains(appErr.Message, "1 MiB") {
		t.Fatalf("over the budget: %v", err)
	}
	if err := Charge(context.Background(), 1<<40); err != nil {
		t.Fatalf("no budget: %v", err)
	}
}

func TestCheckValue(t *testing.T) {
	decode := func(doc string) any {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for name, c := range map[string]struct {
		doc  string
		path string
	}{
		"arrays at the limit":    {doc: nest(MaxDepth, false, "1")},
		"objects at the limit":   {doc: nest(MaxDepth-1, true, "{}")},
		"scalar":                 {doc: `"x"`},
		"arrays over the limit":  {doc: nest(MaxDepth+1, false, ""), path: strings.Repeat("[0]", MaxDepth)},
		"objects over the limit": {doc: nest(MaxDepth+1, true, "1"), path: "a" + strings.Repeat(".a", MaxDepth-1)},
		"far over, mixed":        {doc: `[1, {"b": ` + nest(5000, true, "1") + `}]`, path: "[1].b" + strings.Repeat(".a", MaxDepth-2)},
		"the least key":          {doc: `{"z": ` + nest(MaxDepth, false, "") + `, "m": ` + nest(MaxDepth, true, "1") + `, "y": 1}`, path: "m" + strings.Repeat(".a", MaxDepth-1)},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckValue(decode(c.doc))
			var de *DepthError
			switch {
			case c.path == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.path != "" && !errors.As(err, &de):
				t.Fatalf("accepted, want a depth error at %s", c.path)
			case c.path != "" && de.Path != c.path:
				t.Fatalf("path %q, want %q", de.Path, c.path)
			}
		})
	}
}

// TestReadmeStatesTheLimit keeps the README's number the constant's.
func TestReadmeStatesTheLimit(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "nests at most " + strconv.Itoa(MaxDepth) + " levels of arrays and"
	if !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), want) {
		t.Errorf("the README does not say %q", want)
	}
	if !strings.Contains(TooDeep, strconv.Itoa(MaxDepth)) {
		t.Errorf("TooDeep names another limit: %q", TooDeep)
	}
}
