package fair

import (
	"strings"
	"testing"
)

// TestNoTurnsRefused: a limiter of no turns is a mistake, refused rather
// than silently made a limiter of one.
func TestNoTurnsRefused(t *testing.T) {
	for _, turns := range []int{0, -3} {
		if err := DefaultConfig(turns).Validate(); err == nil || !strings.Contains(err.Error(), "at least 1 turn") {
			t.Errorf("Validate of %d turns = %v", turns, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d) did not panic", turns)
				}
			}()
			New(turns)
		}()
	}
	if l := NewUnqueued(2); l.Capacity() != 2 || l.queue >= 0 {
		t.Errorf("NewUnqueued(2): capacity %d, queue %d", l.Capacity(), l.queue)
	}
	if l := New(2); l.queue != 2*QueuePerTurn {
		t.Errorf("New(2): queue %d, want %d", l.queue, 2*QueuePerTurn)
	}
}
