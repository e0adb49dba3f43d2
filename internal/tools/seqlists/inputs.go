package main

import (
	"bytes"
	"fmt"
	"regexp"
)

var (
	// An input object's field, unmarshalled under a path context built
	// before the call (two allocations, used only by an error).
	eagerField = regexp.MustCompile(`(?m)^(\t+)ctx := graphql\.WithPathContext\(ctx, graphql\.NewPathWithField\("(\w+)"\)\)\n\t+data, err := ec\.([^(\s]+)\(ctx, v\)\n\t+if err != nil \{\n\t+return it, err\n`)
	lazyField  = []byte("${1}data, err := ec.${3}(ctx, v)\n${1}if err != nil {\n${1}\treturn it, onInputPath(ctx, graphql.NewPathWithField(\"${2}\"), v, err, ec.${3})\n")
	// An element of an input list, likewise.
	eagerElement = regexp.MustCompile(`(?m)^(\t+)ctx := graphql\.WithPathContext\(ctx, graphql\.NewPathWithIndex\(i\)\)\n\t+res\[i\], err = ec\.([^(\s]+)\(ctx, vSlice\[i\]\)\n\t+if err != nil \{\n\t+return nil, err\n`)
	lazyElement  = []byte("${1}res[i], err = ec.${2}(ctx, vSlice[i])\n${1}if err != nil {\n${1}\treturn nil, onInputPath(ctx, graphql.NewPathWithIndex(i), vSlice[i], err, ec.${2})\n")
	// The copy of an input object's map, which only a default value
	// written into it needs.
	mapCopy   = []byte("\tasMap := map[string]any{}\n\tfor k, v := range obj.(map[string]any) {\n\t\tasMap[k] = v\n\t}\n")
	mapShared = []byte("\tasMap := obj.(map[string]any)\n")
	mapWrite  = []byte("\tasMap[\"")
	funcStart = []byte("\nfunc ")
)

// lazyInputPaths rewrites the unmarshalling of input objects and lists so
// that a path context is built only for a value that failed (graph's
// onInputPath runs it again under one, for the error's path), and an
// object's map is not copied unless a default is written into it. A batch
// of traces has thousands of fields, and these were a tenth of its
// unmarshalling.
func lazyInputPaths(src []byte) ([]byte, error) {
	fields := len(eagerField.FindAllIndex(src, -1))
	elements := len(eagerElement.FindAllIndex(src, -1))
	if fields == 0 || elements == 0 || !bytes.Contains(src, mapCopy) {
		return nil, fmt.Errorf("no input unmarshalling found (fields %d, elements %d) - has gqlgen changed?", fields, elements)
	}
	out := eagerField.ReplaceAll(src, lazyField)
	out = eagerElement.ReplaceAll(out, lazyElement)
	funcs := bytes.Split(out, funcStart)
	for i, f := range funcs {
		if bytes.Contains(f, mapCopy) && !bytes.Contains(f, mapWrite) {
			funcs[i] = bytes.Replace(f, mapCopy, mapShared, 1)
		}
	}
	return bytes.Join(funcs, funcStart), nil
}
