package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/otlp"
)

// Config is everything the server is started with.
type Config struct {
	Addr            string
	DatabaseURL     string
	Demo            bool
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration
	LoaderWait      time.Duration
	// PricesFile is a JSON model price table laid over the shipped one.
	PricesFile string
	// MaxTextBytes caps each text field of ingested data.
	MaxTextBytes int
	// RetentionInterval is how often the retention job runs.
	RetentionInterval time.Duration
	// OTLPMaxBodyBytes caps an OTLP request body, before and after gzip.
	OTLPMaxBodyBytes int
	// SlowQuery is the duration above which a SQL statement is logged.
	SlowQuery time.Duration
	// StatementTimeout cancels SQL statements running longer (PostgreSQL).
	StatementTimeout time.Duration
	// RequestTimeout bounds a GraphQL request.
	RequestTimeout time.Duration
	// RequestMemoryBytes is each request's memory budget: rows read, the
	// answer, decoded bodies (GraphQL, ingest, OTLP, exports).
	RequestMemoryBytes int
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
		Addr:               "127.0.0.1:8080",
		LogLevel:           "info",
		LogFormat:          "text",
		ShutdownTimeout:    15 * time.Second,
		LoaderWait:         graph.DefaultOptions().LoaderWait,
		MaxTextBytes:       1 << 20,
		RetentionInterval:  time.Hour,
		OTLPMaxBodyBytes:   int(otlp.DefaultMaxBodyBytes),
		SlowQuery:          500 * time.Millisecond,
		StatementTimeout:   30 * time.Second,
		RequestTimeout:     graph.DefaultLimits().Timeout,
		ReadHeaderTimeout:  10 * time.Second,
		ReadBodyTimeout:    30 * time.Second,
		WriteTimeout:       30 * time.Second,
		RequestMemoryBytes: budget.DefaultBytes,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("--addr (API_ADDR): must not be empty")
	}
	if _, err := c.slogLevel(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format (LOG_FORMAT): must be text or json, got %q", c.LogFormat)
	}
	if c.ShutdownTimeout <= 0 {
		return errors.New("--shutdown-timeout (API_SHUTDOWN_TIMEOUT): must be positive")
	}
	if c.LoaderWait < 0 || c.LoaderWait > time.Second {
		return errors.New("--loader-wait (API_LOADER_WAIT): must be between 0 and 1s")
	}
	if c.MaxTextBytes < 1024 || c.MaxTextBytes > 64<<20 {
		return errors.New("--max-text-bytes (API_MAX_TEXT_BYTES): must be between 1024 and 67108864")
	}
	if c.OTLPMaxBodyBytes < 1024 {
		return errors.New("--otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES): must be at least 1024")
	}
	if c.SlowQuery < 0 || c.StatementTimeout < 0 || c.RequestTimeout <= 0 {
		return errors.New("--slow-query, --statement-timeout and --request-timeout must not be negative (and the request timeout not zero)")
	}
	if c.RequestMemoryBytes < 1<<20 {
		return errors.New("--request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576")
	}
	if c.ReadHeaderTimeout <= 0 || c.ReadBodyTimeout <= 0 || c.WriteTimeout <= 0 {
		return errors.New("--read-header-timeout, --read-body-timeout and --write-timeout must be positive")
	}
	if c.RetentionInterval < time.Second {
		return errors.New("--retention-interval (API_RETENTION_INTERVAL): must be at least 1s")
	}
	return nil
}

func (c Config) slogLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level (LOG_LEVEL): must be debug, info, warn or error, got %q", c.LogLevel)
	}
	return l, nil
}

// envFlags binds flags whose defaults come from environment variables, so
// every setting has an environment twin and a flag wins over its twin.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	// envErrs holds bad environment values by flag name; a flag given on
	// the command line replaces its variable, so it clears the error.
	envErrs map[string]error
}

// newEnvFlags binds flags of fs to the environment read by getenv.
func newEnvFlags(fs *flag.FlagSet, getenv func(string) string) *envFlags {
	return &envFlags{fs: fs, getenv: getenv, envErrs: map[string]error{}}
}

// envErr returns, after parsing, the bad environment values whose flags
// were not given on the command line.
func (e *envFlags) envErr() error {
	e.fs.Visit(func(set *flag.Flag) { delete(e.envErrs, set.Name) })
	if len(e.envErrs) == 0 {
		return nil
	}
	errs := make([]error, 0, len(e.envErrs))
	for _, name := range slices.Sorted(maps.Keys(e.envErrs)) {
		errs = append(errs, e.envErrs[name])
	}
	return errors.Join(errs...)
}

func (e *envFlags) env(name, usage string) string {
	return fmt.Sprintf("%s (env %s)", usage, name)
}

func (e *envFlags) String(p *string, flagName, envName, usage string) {
	if v := e.getenv(envName); v != "" {
		*p = v
	}
	e.fs.StringVar(p, flagName, *p, e.env(envName, usage))
}

func (e *envFlags) Bool(p *bool, flagName, envName, usage string) {
	if v := e.getenv(envName); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.envErrs[flagName] = fmt.Errorf("%s: must be true or false, got %q", envName, v)
		}
		*p = b
	}
	e.fs.BoolVar(p, flagName, *p, e.env(envName, usage))
}

func (e *envFlags) Int(p *int, flagName, envName, usage string) {
	if v := e.getenv(envName); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.envErrs[flagName] = fmt.Errorf("%s: must be an integer, got %q", envName, v)
		}
		*p = n
	}
	e.fs.IntVar(p, flagName, *p, e.env(envName, usage))
}

func (e *envFlags) Duration(p *time.Duration, flagName, envName, usage string) {
	if v := e.getenv(envName); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.envErrs[flagName] = fmt.Errorf("%s: must be a duration such as 10s, got %q", envName, v)
		}
		*p = d
	}
	e.fs.DurationVar(p, flagName, *p, e.env(envName, usage))
}

// parseServeFlags reads the server's configuration from args and the environment.
func parseServeFlags(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(output)
	f := newEnvFlags(fs, getenv)
	f.String(&cfg.Addr, "addr", "API_ADDR", "address to listen on")
	f.String(&cfg.DatabaseURL, "database-url", "DATABASE_URL", "postgres://... or sqlite:PATH (default sqlite:data/agentgraph.db)")
	f.Bool(&cfg.Demo, "demo", "API_DEMO", "load demo data into an empty database at start-up")
	f.String(&cfg.LogLevel, "log-level", "LOG_LEVEL", "debug, info, warn or error")
	f.String(&cfg.LogFormat, "log-format", "LOG_FORMAT", "text or json")
	f.Duration(&cfg.ShutdownTimeout, "shutdown-timeout", "API_SHUTDOWN_TIMEOUT", "how long in-flight requests may take to finish on SIGTERM")
	f.Duration(&cfg.LoaderWait, "loader-wait", "API_LOADER_WAIT", "how long dataloaders collect keys before a batch")
	f.String(&cfg.PricesFile, "prices", "API_PRICES", "JSON file of model prices (USD per million tokens) laid over the shipped table")
	f.Int(&cfg.MaxTextBytes, "max-text-bytes", "API_MAX_TEXT_BYTES", "largest accepted text field (prompt, output...) in ingested data")
	f.Int(&cfg.OTLPMaxBodyBytes, "otlp-max-body-bytes", "API_OTLP_MAX_BODY_BYTES", "largest OTLP request body, before and after decompression")
	f.Duration(&cfg.SlowQuery, "slow-query", "API_SLOW_QUERY", "log SQL statements slower than this (0: never)")
	f.Duration(&cfg.StatementTimeout, "statement-timeout", "API_STATEMENT_TIMEOUT", "PostgreSQL cancels statements running longer (0: the server's setting)")
	f.Duration(&cfg.RequestTimeout, "request-timeout", "API_REQUEST_TIMEOUT", "longest time a GraphQL request may take")
	f.Int(&cfg.RequestMemoryBytes, "request-memory-bytes", "API_REQUEST_MEMORY_BYTES", "memory budget of each request: rows read, the answer built, decoded bodies")
	f.Duration(&cfg.ReadHeaderTimeout, "read-header-timeout", "API_READ_HEADER_TIMEOUT", "longest time a client may take to send a request's headers")
	f.Duration(&cfg.ReadBodyTimeout, "read-body-timeout", "API_READ_BODY_TIMEOUT", "longest time a request body may take to arrive after its headers")
	f.Duration(&cfg.WriteTimeout, "write-timeout", "API_WRITE_TIMEOUT", "longest time each write of an answer may wait for the client to read")
	f.Duration(&cfg.RetentionInterval, "retention-interval", "API_RETENTION_INTERVAL", "how often traces past their project's retention are deleted")
	f.Bool(&cfg.Insecure, "insecure", "API_INSECURE", "allow anonymous callers on a non-loopback address while no API key exists (never on a network you do not trust)")
	fs.Usage = func() {
		fmt.Fprintf(output, "Usage: api [serve] [flags]\n\nServes the observability graph over GraphQL.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := f.envErr(); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}
