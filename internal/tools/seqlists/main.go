// Command seqlists rewrites gqlgen's generated code so that lists are
// marshalled by graph.marshalList (see graph/lists.go), lists of rows are
// first offered to graph.fastList (graph/fastlists.go), answers are
// written into pooled buffers (graph/answerbuf.go), and object fields that
// cannot wait are resolved in place (graph/inline.go). go generate runs it
// after gqlgen.
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

var (
	sliceCall = []byte("graphql.MarshalSliceConcurrently(")
	// A list marshaller of pointers to rows, as gqlgen writes them.
	rowListFunc = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) marshal[NO][^(\s]+\(ctx context\.Context, sel ast\.SelectionSet, v \[\]\*[^)\s]+\) graphql\.Marshaler \{\n(\tif v == nil \{\n\t\treturn graphql\.Null\n\t\}\n)?\tret := marshalList\(`)
	fastCall    = "\tif m, ok := fastList(ctx, sel, v); ok {\n\t\treturn m\n\t}\n"
	// The executor's answer buffer, taken from graph.answerBuffer's pool.
	answerBuf    = regexp.MustCompile(`var buf bytes\.Buffer\n(\t+)data\.MarshalGQL\(&buf\)`)
	pooledBuffer = []byte("buf := bytes.NewBuffer(answerBuffer())\n${1}data.MarshalGQL(buf)")
	// A resolver-backed field of an object, resolved in place by
	// graph.resolveObjectField when it cannot wait.
	concurrentField = []byte("out.ResolveConcurrently(ec.OperationContext, &deferred, i,")
	inPlaceField    = []byte("resolveObjectField(ctx, out, field, obj, ec.OperationContext, &deferred, i,")
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seqlists GENERATED.go")
		os.Exit(2)
	}
	path := os.Args[1]
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !bytes.Contains(src, sliceCall) {
		fmt.Fprintln(os.Stderr, "seqlists: no MarshalSliceConcurrently call in", path, "- has gqlgen changed?")
		os.Exit(1)
	}
	out := bytes.ReplaceAll(src, sliceCall, []byte("marshalList("))
	n := 0
	out = rowListFunc.ReplaceAllFunc(out, func(m []byte) []byte {
		n++
		at := bytes.LastIndex(m, []byte("\tret := marshalList("))
		return append(append(m[:at:at], fastCall...), m[at:]...)
	})
	if n == 0 {
		fmt.Fprintln(os.Stderr, "seqlists: no list marshaller of rows in", path, "- has gqlgen changed?")
		os.Exit(1)
	}
	if !answerBuf.Match(out) {
		fmt.Fprintln(os.Stderr, "seqlists: no answer buffer in", path, "- has gqlgen changed?")
		os.Exit(1)
	}
	out = answerBuf.ReplaceAll(out, pooledBuffer)
	if !bytes.Contains(out, concurrentField) {
		fmt.Fprintln(os.Stderr, "seqlists: no concurrently resolved field in", path, "- has gqlgen changed?")
		os.Exit(1)
	}
	out = bytes.ReplaceAll(out, concurrentField, inPlaceField)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
