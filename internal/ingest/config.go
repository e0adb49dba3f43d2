package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// Bounds of the text fields' cap: under MinTextBytes a prompt could hardly
// be recorded; above MaxTextBytesLimit one field could take a request's
// whole memory budget.
const (
	DefaultMaxTextBytes = 1 << 20
	MinTextBytes        = 1024
	MaxTextBytesLimit   = 64 << 20
	DefaultMaxTraces    = 1000
)

// Options tunes a Service; zero values pick the defaults, negative ones
// are refused (Validate).
type Options struct {
	// Prices computes the cost of LLM calls that carry none; nil means DefaultPrices().
	Prices *Prices
	// MaxTextBytes caps every text field (prompts, outputs, messages...);
	// 0 means DefaultMaxTextBytes, at most MaxTextBytesLimit.
	MaxTextBytes int
	// MaxTraces caps the traces of one Ingest call; 0 means DefaultMaxTraces.
	MaxTraces int
	// Observe, when set, learns the outcome of every Ingest call: the
	// traces written, or the error.
	Observe func(ctx context.Context, traces int, err error)
}

// DefaultOptions are the options of a Service given none.
func DefaultOptions() Options {
	return Options{Prices: DefaultPrices(), MaxTextBytes: DefaultMaxTextBytes, MaxTraces: DefaultMaxTraces}
}

// Validate refuses options a Service cannot work with; the zero values that
// mean a default are for New to fill, so they are refused here.
func (o Options) Validate() error {
	var errs []error
	if o.MaxTextBytes < 1 || o.MaxTextBytes > MaxTextBytesLimit {
		errs = append(errs, fmt.Errorf("ingest.Options.MaxTextBytes: must be between 1 and %d, got %d", MaxTextBytesLimit, o.MaxTextBytes))
	}
	if o.MaxTraces < 1 {
		errs = append(errs, fmt.Errorf("ingest.Options.MaxTraces: must be positive, got %d", o.MaxTraces))
	}
	if o.Prices == nil {
		errs = append(errs, errors.New("ingest.Options.Prices: must be set"))
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields of o from DefaultOptions.
func (o Options) withDefaults() Options {
	if o.Prices == nil {
		o.Prices = DefaultPrices()
	}
	if o.MaxTextBytes == 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
	if o.MaxTraces == 0 {
		o.MaxTraces = DefaultMaxTraces
	}
	return o
}

// Config is what an operator sets of ingestion: the cap of text fields,
// the price table and how often retention runs.
type Config struct {
	// MaxTextBytes caps every text field, MinTextBytes to MaxTextBytesLimit.
	MaxTextBytes int
	// PricesFile is a JSON model price table laid over the shipped one.
	PricesFile string
	// RetentionInterval is how often the retention job runs.
	RetentionInterval time.Duration
}

// DefaultConfig is ingestion's configuration when nothing is set.
func DefaultConfig() Config {
	return Config{MaxTextBytes: DefaultMaxTextBytes, RetentionInterval: time.Hour}
}

// Settings are the flags of c.
func (c *Config) Settings() []settings.Setting {
	return []settings.Setting{
		settings.String(&c.PricesFile, "prices", "JSON file of model prices (USD per million tokens) laid over the shipped table"),
		settings.Int(&c.MaxTextBytes, "max-text-bytes", "largest accepted text field (prompt, output...) in ingested data", settings.Between(MinTextBytes, MaxTextBytesLimit)),
		settings.Duration(&c.RetentionInterval, "retention-interval", "how often traces past their project's retention are deleted", settings.AtLeast(time.Second)),
	}
}

// Validate refuses values out of their flags' ranges.
func (c Config) Validate() error { return settings.Check(c.Settings()...) }

// Service returns the Service c describes, writing to store; it fails when
// the price table cannot be read.
func (c Config) Service(store *db.DB) (*Service, error) {
	opts := Options{MaxTextBytes: c.MaxTextBytes}
	if c.PricesFile != "" {
		prices, err := LoadPrices(c.PricesFile)
		if err != nil {
			return nil, err
		}
		opts.Prices = prices
	}
	return New(store, opts), nil
}
