package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/observe"
	"github.com/agentgraph/agentgraph/internal/otlp"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// Config is everything the server is started with: its own settings and
// those of each module, which owns their flags, defaults and checks.
type Config struct {
	Server ServerConfig
	// DatabaseURL names the store (db.URLSetting).
	DatabaseURL string
	DB          db.Options
	Log         observe.Config
	Graph       graph.Options
	Budget      budget.Config
	Ingest      ingest.Config
	OTLP        otlp.Options
}

// ServerConfig is what the HTTP server itself is started with.
type ServerConfig struct {
	Addr            string
	Demo            bool
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds the time a client takes to send its headers.
	ReadHeaderTimeout time.Duration
	// ReadBodyTimeout bounds the time a body takes to arrive after its headers.
	ReadBodyTimeout time.Duration
	// WriteTimeout bounds each write of an answer: a client that stops
	// reading is cut off after it.
	WriteTimeout time.Duration
	// Insecure lets a server without API keys listen on a non-loopback address.
	Insecure bool
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Server: ServerConfig{
			Addr:              "127.0.0.1:8080",
			ShutdownTimeout:   15 * time.Second,
			ReadHeaderTimeout: 10 * time.Second,
			ReadBodyTimeout:   30 * time.Second,
			WriteTimeout:      30 * time.Second,
		},
		DatabaseURL: db.DefaultURL,
		DB:          db.DefaultOptions(),
		Log:         observe.DefaultConfig(),
		Graph:       graph.DefaultOptions(),
		Budget:      budget.DefaultConfig(),
		Ingest:      ingest.DefaultConfig(),
		OTLP:        otlp.DefaultOptions(),
	}
}

// settings are the flags of the server's own settings.
func (c *ServerConfig) settings() []settings.Setting {
	positive := settings.Positive[time.Duration]()
	return []settings.Setting{
		settings.String(&c.Addr, "addr", "address to listen on", settings.NotEmpty()),
		settings.Bool(&c.Demo, "demo", "load demo data into an empty database at start-up"),
		settings.Duration(&c.ShutdownTimeout, "shutdown-timeout", "how long in-flight requests may take to finish on SIGTERM", positive),
		settings.Duration(&c.ReadHeaderTimeout, "read-header-timeout", "longest time a client may take to send a request's headers", positive),
		settings.Duration(&c.ReadBodyTimeout, "read-body-timeout", "longest time a request body may take to arrive after its headers", positive),
		settings.Duration(&c.WriteTimeout, "write-timeout", "longest time each write of an answer may wait for the client to read", positive),
		settings.Bool(&c.Insecure, "insecure", "allow anonymous callers on a non-loopback address while no API key exists (never on a network you do not trust)"),
	}
}

// settings are every flag of api serve, each module's from the module.
func (c *Config) settings() []settings.Setting {
	return slices.Concat(
		c.Server.settings(),
		[]settings.Setting{db.URLSetting(&c.DatabaseURL)},
		c.DB.Settings(),
		c.Log.Settings(),
		c.Graph.Settings(),
		c.Budget.Settings(),
		c.Ingest.Settings(),
		c.OTLP.Settings(),
	)
}

// Validate reports every setting that cannot work, each module's problems
// joined into one error, one line per problem.
func (c Config) Validate() error {
	return errors.Join(
		settings.Check(c.Server.settings()...),
		settings.Check(db.URLSetting(&c.DatabaseURL)),
		c.DB.Validate(),
		c.Log.Validate(),
		c.Graph.Validate(),
		c.Budget.Validate(),
		c.Ingest.Validate(),
		c.OTLP.Validate(),
	)
}

// graphOptions are the GraphQL layer's options, with the request budget.
func (c Config) graphOptions() graph.Options {
	o := c.Graph
	o.Limits.MemoryBytes = c.Budget.RequestBytes
	return o
}

// otlpOptions are the OTLP receiver's options, with the request budget.
func (c Config) otlpOptions() otlp.Options {
	o := c.OTLP
	o.MemoryBytes = c.Budget.RequestBytes
	return o
}

// commandLine is the flag set of a subcommand. Every subcommand reads its
// settings the same way: a flag wins over its environment twin, which wins
// over the default, and every bad value is reported at once.
type commandLine struct {
	*flag.FlagSet
	flags *settings.Flags
}

// newCommandLine binds sets to a flag set named name writing to output;
// usage, the text before the flags, is shown by -h.
func newCommandLine(name, usage string, output io.Writer, getenv func(string) string, sets ...settings.Setting) *commandLine {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprint(output, usage)
		fmt.Fprintf(output, "\nFlags:\n")
		fs.PrintDefaults()
	}
	return &commandLine{FlagSet: fs, flags: settings.Bind(fs, getenv, sets...)}
}

// problems returns, once parsed, the unreadable environment twins joined
// with the command's other problems.
func (c *commandLine) problems(errs ...error) error {
	return errors.Join(append([]error{c.flags.EnvErr()}, errs...)...)
}

// unexpected refuses positional arguments of a command that takes none.
func (c *commandLine) unexpected() error {
	if c.NArg() == 0 {
		return nil
	}
	return fmt.Errorf("unexpected arguments: %s", strings.Join(c.Args(), " "))
}

// usageExit reports a command line that cannot run, each problem on its
// own line after prefix, and returns the exit code: 0 for -h, else 2.
func usageExit(stderr io.Writer, prefix string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "%s: %s\n", prefix, line)
	}
	return 2
}

const serveUsage = `Usage: api [serve] [flags]

Serves the observability graph over GraphQL.
`

// parseServeFlags reads the server's configuration from args and the environment.
func parseServeFlags(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := newCommandLine("api", serveUsage, output, getenv, cfg.settings()...)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	return cfg, fs.problems(fs.unexpected(), cfg.Validate())
}
