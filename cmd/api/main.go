// Command api serves the observability graph: GraphQL at /graphql, the web
// explorer at /, and health checks. Later features add subcommands here.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal starts a graceful shutdown, a second one kills
	// the process the default way.
	context.AfterFunc(ctx, stop)
	tuneGC(os.Getenv)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "healthcheck":
			return healthcheck(ctx, args[1:], getenv, stdout, stderr)
		case "import-agentneo":
			return importAgentNeo(ctx, args[1:], getenv, stdout, stderr)
		case "bench":
			return bench(ctx, args[1:], getenv, stdout, stderr)
		case "keys":
			return keys(ctx, args[1:], getenv, stdout, stderr)
		default:
			fmt.Fprintf(stderr, "unknown command %q; commands: serve (default), healthcheck, import-agentneo, bench, keys\n", args[0])
			return 2
		}
	}
	cfg, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return usageExit(stderr, "api", err)
	}
	if err := serve(ctx, cfg, stderr); err != nil {
		fmt.Fprintln(stderr, "api:", err)
		return 1
	}
	return 0
}
