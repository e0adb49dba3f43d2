package fair

import "fmt"

// Config sizes a Limiter.
type Config struct {
	// Turns is the number of turns held at once; at least 1, as a limiter
	// without turns would make every request wait for nothing.
	Turns int
	// QueuePerTurn is how many requests one client may have waiting per
	// turn; negative means no bound.
	QueuePerTurn int
}

// DefaultConfig is a limiter of turns turns with the default queues.
func DefaultConfig(turns int) Config { return Config{Turns: turns, QueuePerTurn: QueuePerTurn} }

// Validate refuses a limiter of no turns.
func (c Config) Validate() error {
	if c.Turns < 1 {
		return fmt.Errorf("fair: a limiter needs at least 1 turn, got %d", c.Turns)
	}
	return nil
}

// New returns the limiter c describes; it panics if c does not Validate,
// which is a mistake of the caller, not of a request.
func (c Config) New() *Limiter {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	queue := -1
	if c.QueuePerTurn >= 0 {
		queue = c.QueuePerTurn * c.Turns
	}
	return &Limiter{capacity: c.Turns, share: Share(c.Turns), queue: queue, clients: map[string]*client{}}
}
