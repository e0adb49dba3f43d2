// Command seqlists rewrites gqlgen's generated code to marshal lists through
// graph.marshalList (see graph/lists.go). go generate runs it after gqlgen.
package main

import (
	"bytes"
	"fmt"
	"os"
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
	from := []byte("graphql.MarshalSliceConcurrently(")
	if !bytes.Contains(src, from) {
		fmt.Fprintln(os.Stderr, "seqlists: no MarshalSliceConcurrently call in", path, "- has gqlgen changed?")
		os.Exit(1)
	}
	out := bytes.ReplaceAll(src, from, []byte("marshalList("))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
