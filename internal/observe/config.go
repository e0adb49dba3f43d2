package observe

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/agentgraph/agentgraph/internal/settings"
)

// Config is what an operator sets of logs and of the slow-query log.
type Config struct {
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// SlowQuery is the duration above which a SQL statement is logged; 0: never.
	SlowQuery time.Duration
}

// DefaultConfig is the logging of a server started without settings.
func DefaultConfig() Config {
	return Config{LogLevel: "info", LogFormat: "text", SlowQuery: 500 * time.Millisecond}
}

// Settings are the flags of c.
func (c *Config) Settings() []settings.Setting {
	return []settings.Setting{
		settings.String(&c.LogLevel, "log-level", "debug, info, warn or error", settings.Valid(func(s string) error {
			_, err := parseLevel(s)
			return err
		})).Twin("LOG_LEVEL"),
		settings.String(&c.LogFormat, "log-format", "text or json", settings.OneOf("text", "json")).Twin("LOG_FORMAT"),
		settings.Duration(&c.SlowQuery, "slow-query", "log SQL statements slower than this (0: never)", settings.NotNegative[time.Duration]()),
	}
}

// Validate refuses an unknown level or format and a negative threshold.
func (c Config) Validate() error { return settings.Check(c.Settings()...) }

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}

// Logger writes c's records to w, each with its request's id; c must Validate.
func (c Config) Logger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(LogHandler{Handler: h})
}
