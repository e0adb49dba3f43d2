package graph

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// Options tunes the GraphQL handler.
type Options struct {
	// LoaderWait is how long the lookups of an operation's several root
	// fields are gathered into one statement: 0 (no wait) to MaxLoaderWait.
	// Nested edges never wait (package load).
	LoaderWait time.Duration
	// Ingest writes the traces of mutations; nil means one with default options.
	Ingest *ingest.Service
	// Limits bound the size and cost of requests; zero fields take defaults.
	Limits Limits
	// Observer, when set, learns of operations and loader batches.
	Observer Observer
}

// MaxLoaderWait bounds Options.LoaderWait: every request waits for it.
const MaxLoaderWait = time.Second

// DefaultOptions returns the options used when none are given.
func DefaultOptions() Options {
	return Options{LoaderWait: 2 * time.Millisecond, Limits: DefaultLimits()}
}

// Settings are the flags of o.
func (o *Options) Settings() []settings.Setting {
	return append([]settings.Setting{o.loaderWait()}, o.Limits.Settings()...)
}

func (o *Options) loaderWait() settings.Setting {
	return settings.Duration(&o.LoaderWait, "loader-wait", "how long aliased root lookups (several root fields of one operation) are gathered into one statement", settings.Between(0, MaxLoaderWait))
}

// Validate refuses options the handler cannot work with, every problem at once.
func (o Options) Validate() error {
	return errors.Join(settings.Check(o.loaderWait()), o.Limits.Validate())
}

// withDefaults fills the zero fields of o's limits; it panics if o does not
// Validate then, a mistake of the caller: the server validates its
// configuration at start-up.
func (o Options) withDefaults() Options {
	o.Limits = o.Limits.withDefaults()
	if err := o.Validate(); err != nil {
		panic("graph: " + err.Error())
	}
	return o
}

// Limits protect the server from requests that are too big or too costly.
// Zero fields take DefaultLimits' values; negative sizes are refused,
// except where a field says what they mean.
type Limits struct {
	// MaxBodyBytes caps a request body; larger ones get 413.
	MaxBodyBytes int64
	// ParserTokens caps the tokens of a query document, so a huge document
	// (100,000 directives on a field) is refused before it is parsed.
	ParserTokens int
	// MaxDepth caps how deeply selections nest.
	MaxDepth int
	// MaxAliases caps the aliased fields of an operation.
	MaxAliases int
	// MaxComplexity caps the estimated cost of an operation: every field
	// costs 1, and a connection its page size times its selection.
	MaxComplexity int
	// Timeout bounds the time a request may take, database work included.
	Timeout time.Duration
	// MemoryBytes is each request's memory budget (internal/budget): the
	// rows it reads, the answer built from them and what decoding its body
	// allocates. Zero means budget.DefaultBytes; negative, no budget.
	MemoryBytes int64
	// MaxInFlight caps the requests executed at once; the others wait
	// (within their Timeout) for a turn. One client holds at most
	// fair.Share of them, the rest is kept for other clients. On a few
	// cores more concurrency adds no throughput, only memory: every
	// executing request may hold its memory budget. Zero means
	// InFlightPerCPU per CPU (GOMAXPROCS); negative, no cap.
	MaxInFlight int
}

// InFlightPerCPU is the default of Limits.MaxInFlight per CPU.
const InFlightPerCPU = httpx.InFlightPerCPU

// DefaultLimits are generous for real frontends and tight for abuse.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:  httpx.DefaultMaxBodyBytes,
		ParserTokens:  15000,
		MaxDepth:      16,
		MaxAliases:    100,
		MaxComplexity: 1000000,
		Timeout:       httpx.DefaultTimeout,
		MemoryBytes:   budget.DefaultBytes,
	}
}

// Settings are the flags of l.
func (l *Limits) Settings() []settings.Setting {
	return []settings.Setting{
		settings.Duration(&l.Timeout, "request-timeout", "longest time a GraphQL request may take", settings.Positive[time.Duration]()),
	}
}

// Validate refuses limits that are not positive (MemoryBytes and
// MaxInFlight excepted: negative turns them off), every problem at once.
func (l Limits) Validate() error {
	errs := []error{settings.Check(l.Settings()...)}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"MaxBodyBytes", l.MaxBodyBytes},
		{"ParserTokens", int64(l.ParserTokens)},
		{"MaxDepth", int64(l.MaxDepth)},
		{"MaxAliases", int64(l.MaxAliases)},
		{"MaxComplexity", int64(l.MaxComplexity)},
	} {
		if f.v <= 0 {
			errs = append(errs, fmt.Errorf("graph.Limits.%s: must be positive, got %d", f.name, f.v))
		}
	}
	return errors.Join(errs...)
}

// withDefaults fills zero fields from DefaultLimits; it panics if l does not
// Validate then (see Options.withDefaults).
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.ParserTokens == 0 {
		l.ParserTokens = d.ParserTokens
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxAliases == 0 {
		l.MaxAliases = d.MaxAliases
	}
	if l.MaxComplexity == 0 {
		l.MaxComplexity = d.MaxComplexity
	}
	if l.Timeout == 0 {
		l.Timeout = d.Timeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.MaxInFlight == 0 {
		l.MaxInFlight = InFlightPerCPU * runtime.GOMAXPROCS(0)
	}
	if err := l.Validate(); err != nil {
		panic("graph: " + err.Error())
	}
	return l
}

// InFlight is the number of requests at once l lets execute (MaxInFlight,
// or its default; <= 0: no cap). The server's other limiters take it too.
func (l Limits) InFlight() int { return l.withDefaults().MaxInFlight }
