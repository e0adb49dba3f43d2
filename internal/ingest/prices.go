package ingest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

//go:embed prices.json
var defaultPrices []byte

// Price is what a model costs in USD per million tokens of each kind.
type Price struct {
	Input     float64  `json:"input"`
	Output    float64  `json:"output"`
	Reasoning *float64 `json:"reasoning,omitempty"` // defaults to Output
}

// Prices maps model names to prices.
type Prices struct {
	byModel map[string]Price
}

// DefaultPrices returns the price table shipped with the project.
func DefaultPrices() *Prices {
	p, err := parsePrices(defaultPrices, nil)
	if err != nil {
		panic(err)
	}
	return p
}

// LoadPrices reads a JSON file of the same form as the shipped table
// ({"model": {"input": 2.5, "output": 10}}) and lays it over the defaults.
func LoadPrices(path string) (*Prices, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	p, err := parsePrices(raw, DefaultPrices())
	if err != nil {
		return nil, fmt.Errorf("price table %s: %w", path, err)
	}
	return p, nil
}

func parsePrices(raw []byte, base *Prices) (*Prices, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, err
	}
	out := &Prices{byModel: map[string]Price{}}
	if base != nil {
		for k, v := range base.byModel {
			out.byModel[k] = v
		}
	}
	for model, body := range entries {
		if strings.HasPrefix(model, "_") {
			continue
		}
		var p Price
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, fmt.Errorf("model %q: %w", model, err)
		}
		if p.Input < 0 || p.Output < 0 || (p.Reasoning != nil && *p.Reasoning < 0) {
			return nil, fmt.Errorf("model %q: negative price", model)
		}
		// Within the cost range, so a priced call's cost stays finite.
		if p.Input > MaxCost || p.Output > MaxCost || (p.Reasoning != nil && *p.Reasoning > MaxCost) {
			return nil, fmt.Errorf("model %q: a price above %d USD per million tokens", model, MaxCost)
		}
		out.byModel[strings.ToLower(model)] = p
	}
	return out, nil
}

// Lookup returns the price of a model: an exact match, or else the longest
// known name that the model starts with ("gpt-4o-2024-08-06" is "gpt-4o").
func (p *Prices) Lookup(model string) (Price, bool) {
	model = strings.ToLower(model)
	if pr, ok := p.byModel[model]; ok {
		return pr, true
	}
	best, found := "", false
	for name := range p.byModel {
		if strings.HasPrefix(model, name) && len(name) > len(best) {
			best, found = name, true
		}
	}
	return p.byModel[best], found
}

// Cost prices tokens of a model; ok is false for an unknown model.
func (p *Prices) Cost(model string, t TokenUsage) (Cost, bool) {
	pr, ok := p.Lookup(model)
	if !ok {
		return Cost{}, false
	}
	reasoning := pr.Output
	if pr.Reasoning != nil {
		reasoning = *pr.Reasoning
	}
	c := Cost{
		Input:     usd(t.Input, pr.Input),
		Output:    usd(t.Completion, pr.Output),
		Reasoning: usd(t.Reasoning, reasoning),
	}
	total := c.Input + c.Output + c.Reasoning
	c.Total = &total
	return c, true
}

// usd prices tokens at perMillion USD per million, rounded to 1e-10 USD.
func usd(tokens int64, perMillion float64) float64 {
	return math.Round(float64(tokens)*perMillion/1e6*1e10) / 1e10
}
