package main

import (
	"fmt"
	"runtime/debug"

	"github.com/99designs/gqlgen/codegen/config"
)

// pinnedGqlgen is the gqlgen release the rewrites of patches.go were
// checked against. Another release may write the executor differently; the
// patches count their sites and fail rather than miss one, but an upgrade
// is meant to be deliberate: bump this, run go generate, run the tests
// (docs/architecture.md, "Upgrading gqlgen").
const pinnedGqlgen = "v0.17.98"

func checkGqlgenVersion() error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("no build information to read gqlgen's version from")
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/99designs/gqlgen" {
			v := dep.Version
			if dep.Replace != nil {
				v = dep.Replace.Version
			}
			if v != pinnedGqlgen {
				return fmt.Errorf("gqlgen is %s but the executor rewrites were checked against %s", v, pinnedGqlgen)
			}
			return nil
		}
	}
	return fmt.Errorf("gqlgen is not a dependency of this build")
}

// checkLayout refuses the configurations the rewrites do not know.
func checkLayout(cfg *config.Config) error {
	switch {
	case cfg.Exec.Layout != config.ExecLayoutSingleFile:
		return fmt.Errorf("exec.layout is %q; the executor rewrites expect %q", cfg.Exec.Layout, config.ExecLayoutSingleFile)
	case cfg.UseFunctionSyntaxForExecutionContext:
		return fmt.Errorf("exec.use_function_syntax_for_execution_context is set; the executor rewrites expect methods")
	case cfg.OmitPanicHandler:
		return fmt.Errorf("omit_panic_handler is set; the executor rewrites expect the panic handler")
	}
	return nil
}
