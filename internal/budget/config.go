package budget

import "github.com/agentgraph/agentgraph/internal/settings"

// MinBytes is the smallest budget an operator may set: under it, a page of
// traces with their texts could not be answered at all.
const MinBytes = 1 << 20

// Config is the memory budget the server gives each request.
type Config struct {
	// RequestBytes is each request's budget: rows read, the answer,
	// decoded bodies (GraphQL, ingest, OTLP, exports).
	RequestBytes int64
}

// DefaultConfig is the budget of a server started without settings.
func DefaultConfig() Config { return Config{RequestBytes: DefaultBytes} }

// Settings are the flags of c.
func (c *Config) Settings() []settings.Setting {
	return []settings.Setting{
		settings.Int64(&c.RequestBytes, "request-memory-bytes", "memory budget of each request: rows read, the answer built, decoded bodies", settings.AtLeast[int64](MinBytes)),
	}
}

// Validate refuses a budget under MinBytes.
func (c Config) Validate() error { return settings.Check(c.Settings()...) }
