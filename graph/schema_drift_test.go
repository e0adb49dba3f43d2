package graph

import (
	"sort"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/graph/fastlist"
	"github.com/agentgraph/agentgraph/graph/load"
)

// The few tables kept beside the schema are checked against it here, so
// that a field or type added to the schema and forgotten in them fails.

// leafFields are the fields of an object the fast writer must know: those
// whose value comes from the row alone (scalars, enums, lists of them, and
// objects that have a row table themselves), without arguments.
func leafFields(def *ast.Definition, tables map[string]map[string]bool, resolved func(typeName, field string) bool) []string {
	var out []string
	for _, f := range def.Fields {
		if len(f.Arguments) > 0 || f.Name == "__typename" {
			continue
		}
		t := parsedSchema.Types[f.Type.Name()]
		switch {
		case t == nil:
		case t.Kind == ast.Scalar || t.Kind == ast.Enum:
			out = append(out, f.Name)
		case t.Kind == ast.Object && tables[t.Name] != nil && f.Type.Elem == nil && !resolved(def.Name, f.Name):
			out = append(out, f.Name)
		}
	}
	return out
}

func TestRowTablesCoverTheSchema(t *testing.T) {
	cfg, err := config.LoadConfig("../gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	resolved := func(typeName, field string) bool { return cfg.Models[typeName].Fields[field].Resolver }
	tables := map[string]map[string]bool{}
	for name, fields := range fastlist.Tables() {
		tables[name] = map[string]bool{}
		for _, f := range fields {
			tables[name][f] = true
		}
	}
	if len(tables) == 0 {
		t.Fatal("no row tables registered")
	}
	for name, fields := range tables {
		def := parsedSchema.Types[name]
		if def == nil {
			t.Errorf("row table of %s, a type the schema does not have", name)
			continue
		}
		for f := range fields {
			if def.Fields.ForName(f) == nil {
				t.Errorf("row table of %s writes %s, a field the schema does not have", name, f)
			}
		}
		var missing []string
		for _, f := range leafFields(def, tables, resolved) {
			if !fields[f] {
				missing = append(missing, f)
			}
		}
		sort.Strings(missing)
		for _, f := range missing {
			t.Errorf("%s.%s is a leaf of a row type but no row table writes it: teach internal/tools/generate its scalar, or add it to fastrows.go", name, f)
		}
	}
}

func TestNodeTypesCoverTheSchema(t *testing.T) {
	nodeTypes := map[string]bool{}
	for _, name := range load.NodeTypes() {
		nodeTypes[name] = true
	}
	for _, def := range parsedSchema.Types {
		if def.Kind != ast.Object {
			continue
		}
		implements := false
		for _, i := range def.Interfaces {
			implements = implements || i == "Node"
		}
		if ok := nodeTypes[def.Name]; implements != ok {
			t.Errorf("%s: implements Node %v, reachable by id %v (graph/load/entities.go)", def.Name, implements, ok)
		}
	}
}
