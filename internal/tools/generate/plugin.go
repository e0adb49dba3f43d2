package main

import (
	"go/types"
	"os"
	"path/filepath"

	"github.com/99designs/gqlgen/codegen"
)

// plugin is run by gqlgen after it has built its model of the schema and
// before it writes the executor. It resolves the fields of every object
// but the roots on the calling goroutine (gqlgen's own DisableConcurrency,
// which it sets for Mutation): edges are batch resolvers over whole sibling
// sets (graph/load), so nothing is gained by a goroutine per field. It also
// writes graph/fastlist/rows_gen.go (rows.go), and records, from that model, the
// functions each rewrite of patches.go must
// change, so that a rewrite that misses one fails.
type plugin struct {
	sites sites
}

// sites are the generated functions each rewrite applies to, by name.
type sites struct {
	lists    []string // list marshallers (one MarshalSliceConcurrently each)
	rowLists []string // those of them whose elements are pointers to rows
	argsOf   []string // field contexts that parse arguments
	objects  []string // object marshallers (one deferred group each)
	roots    int      // operation roots marshalled by Exec (query, mutation)
}

func (*plugin) Name() string { return "agentgraph" }

func (p *plugin) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
		if o != data.SubscriptionRoot {
			p.sites.objects = append(p.sites.objects, "_"+o.Name)
		}
		for _, f := range o.Fields {
			if len(f.Args) > 0 {
				p.sites.argsOf = append(p.sites.argsOf, f.FieldContextFunc())
			}
		}
	}
	for _, t := range data.ReferencedTypes {
		name := t.MarshalFunc()
		if name == "" || t.IsPtrToSlice() || t.IsPtrToIntf() || !t.IsSlice() || t.IsScalar() {
			continue
		}
		p.sites.lists = append(p.sites.lists, name)
		if isRowList(t.GO) {
			p.sites.rowLists = append(p.sites.rowLists, name)
		}
	}
	// Written before gqlgen writes and compiles the executor, which uses it.
	rows, err := rowTables(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data.Config.Exec.Dir(), "fastlist", "rows_gen.go"), rows, 0o644); err != nil {
		return err
	}
	for _, root := range []*codegen.Object{data.QueryRoot, data.MutationRoot} {
		if root != nil {
			p.sites.roots++
		}
	}
	return nil
}

// isRowList reports whether t is a slice of pointers to structs.
func isRowList(t types.Type) bool {
	s, ok := t.(*types.Slice)
	if !ok {
		return false
	}
	ptr, ok := s.Elem().(*types.Pointer)
	if !ok {
		return false
	}
	_, ok = ptr.Elem().Underlying().(*types.Struct)
	return ok
}
