package load

import (
	"sync"
	"unsafe"
)

// Cohorts remembers, for the rows a request has read, the rows read by the
// same statement.
type Cohorts struct {
	mu sync.RWMutex
	of map[unsafe.Pointer]any // row -> []*T, the rows of its statement
}

// Add records rows as one cohort.
func Add[T any](c *Cohorts, rows []*T) {
	if len(rows) < 2 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.of == nil {
		c.of = make(map[unsafe.Pointer]any, len(rows))
	}
	for _, r := range rows {
		c.of[unsafe.Pointer(r)] = rows
	}
}

// Of returns the cohort of parents: the rows read with its first row, when
// they hold all of parents, else parents themselves.
func Of[T any](c *Cohorts, parents []*T) []*T {
	if len(parents) == 0 {
		return parents
	}
	c.mu.RLock()
	rows, _ := c.of[unsafe.Pointer(parents[0])].([]*T)
	c.mu.RUnlock()
	if len(rows) < len(parents) {
		return parents
	}
	return rows
}
