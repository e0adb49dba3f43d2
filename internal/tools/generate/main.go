// Command generate runs gqlgen on gqlgen.yml with this project's plugin
// (plugin.go) and then applies the few checked rewrites of patches.go to
// the generated executor. go generate runs it (graph/resolver.go).
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run() error {
	if err := checkGqlgenVersion(); err != nil {
		return err
	}
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return fmt.Errorf("loading gqlgen.yml: %w", err)
	}
	if err := checkLayout(cfg); err != nil {
		return err
	}
	p := &plugin{}
	if err := api.Generate(cfg, api.AddPlugin(p)); err != nil {
		return err
	}
	src, err := os.ReadFile(cfg.Exec.Filename)
	if err != nil {
		return err
	}
	out, err := applyPatches(src, p.sites, skipped())
	if err != nil {
		return fmt.Errorf("%s: %w (see docs/architecture.md, \"Upgrading gqlgen\")", cfg.Exec.Filename, err)
	}
	return os.WriteFile(cfg.Exec.Filename, out, 0o644)
}

// skipped names the rewrites to leave out, from GENERATE_SKIP (a comma
// separated list): only for building a variant to measure.
func skipped() map[string]bool {
	skip := map[string]bool{}
	for _, name := range strings.Split(os.Getenv("GENERATE_SKIP"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			skip[name] = true
		}
	}
	return skip
}
