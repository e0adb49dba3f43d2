package load

import (
	"reflect"
	"sync"
	"unsafe"
)

// Cohorts remembers, for the rows a request has read, the rows read by the
// same statement. Rows are indexed only when a field of their type is
// first loaded: most rows (the calls of a page of traces) are leaves no
// field is loaded for.
type Cohorts struct {
	mu      sync.Mutex
	of      map[unsafe.Pointer]any // row -> []*T, the rows of its statement
	pending map[reflect.Type][]any // by row type, cohorts not indexed yet
}

// Add records rows as one cohort.
func Add[T any](c *Cohorts, rows []*T) {
	if len(rows) < 2 {
		return
	}
	t := reflect.TypeFor[T]()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = map[reflect.Type][]any{}
	}
	c.pending[t] = append(c.pending[t], rows)
}

// Of returns the cohort of parents: the rows read with its first row, when
// they hold all of parents, else parents themselves.
func Of[T any](c *Cohorts, parents []*T) []*T {
	if len(parents) == 0 {
		return parents
	}
	c.mu.Lock()
	if waiting := c.pending[reflect.TypeFor[T]()]; len(waiting) > 0 {
		if c.of == nil {
			c.of = map[unsafe.Pointer]any{}
		}
		for _, cohort := range waiting {
			for _, r := range cohort.([]*T) {
				c.of[unsafe.Pointer(r)] = cohort
			}
		}
		delete(c.pending, reflect.TypeFor[T]())
	}
	rows, _ := c.of[unsafe.Pointer(parents[0])].([]*T)
	c.mu.Unlock()
	if len(rows) < len(parents) {
		return parents
	}
	return rows
}
