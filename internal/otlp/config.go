package otlp

import (
	"errors"
	"fmt"
	"time"

	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes     = 16 << 20
	DefaultProjectAttribute = "agentgraph.project"
	DefaultProjectName      = "default"
	DefaultRetryAfter       = 5 * time.Second
)

// MinBodyBytes is the smallest body limit: under it, no real export fits.
const MinBodyBytes = 1024

// Options tunes the receiver; zero values pick the defaults, negative ones
// are refused (Validate).
type Options struct {
	// MaxBodyBytes caps the request body, both as received and after gzip
	// decompression; larger requests get 413. 0 means 16 MiB.
	MaxBodyBytes int64
	// ProjectAttribute names the span or resource attribute that overrides
	// service.name as the project name. "" means "agentgraph.project".
	ProjectAttribute string
	// DefaultProject is the project of spans with neither the project
	// attribute nor service.name. "" means "default".
	DefaultProject string
	// RetryAfter is the delay suggested with 503 answers. 0 means 5 s.
	RetryAfter time.Duration
	// MemoryBytes is each request's memory budget (internal/budget). 0
	// means budget.DefaultBytes; negative, no budget.
	MemoryBytes int64
}

// DefaultOptions are the options of a receiver given none.
func DefaultOptions() Options {
	return Options{
		MaxBodyBytes:     DefaultMaxBodyBytes,
		ProjectAttribute: DefaultProjectAttribute,
		DefaultProject:   DefaultProjectName,
		RetryAfter:       DefaultRetryAfter,
		MemoryBytes:      budget.DefaultBytes,
	}
}

// Settings are the flags of o.
func (o *Options) Settings() []settings.Setting {
	return []settings.Setting{
		settings.Int64(&o.MaxBodyBytes, "otlp-max-body-bytes", "largest OTLP request body, before and after decompression", settings.AtLeast[int64](MinBodyBytes)),
	}
}

// Validate refuses options the receiver cannot work with; the zero values
// that mean a default are for NewHandler to fill, so they are refused here.
func (o Options) Validate() error {
	var errs []error
	if o.RetryAfter <= 0 {
		errs = append(errs, fmt.Errorf("otlp.Options.RetryAfter: must be positive, got %v", o.RetryAfter))
	}
	if o.ProjectAttribute == "" || o.DefaultProject == "" {
		errs = append(errs, errors.New("otlp.Options.ProjectAttribute and DefaultProject: must not be empty"))
	}
	return errors.Join(append([]error{settings.Check(o.Settings()...)}, errs...)...)
}

// withDefaults fills the zero fields of o from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = d.MaxBodyBytes
	}
	if o.ProjectAttribute == "" {
		o.ProjectAttribute = d.ProjectAttribute
	}
	if o.DefaultProject == "" {
		o.DefaultProject = d.DefaultProject
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = d.RetryAfter
	}
	if o.MemoryBytes == 0 {
		o.MemoryBytes = d.MemoryBytes
	}
	return o
}
