package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/fair"
)

// TestPoolSharedBetweenClients: a client whose cursors hold 3 of the pool's
// 4 connections waits for its next statement and transaction, while another
// client's go through at once, and the first client's run once it reads on.
func TestPoolSharedBetweenClients(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpenURL(t, b.NewURL(t), db.Options{MaxOpenConns: 4})
		bg := context.Background()
		if _, err := store.EnsureProject(bg, "p"); err != nil {
			t.Fatal(err)
		}
		a, other := fair.WithClient(bg, "key:1"), fair.WithClient(bg, "key:2")
		started, release := make(chan struct{}), make(chan struct{})
		streams := make(chan error, 3)
		for range 3 {
			go func() {
				streams <- store.Stream(a, db.Exports["projects"], db.Cond{}, func([]string) error { return nil },
					func([]any) error { started <- struct{}{}; <-release; return nil })
			}()
		}
		for range 3 {
			select {
			case <-started:
			case err := <-streams:
				t.Fatalf("stream ended early: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("3 streams did not start")
			}
		}

		short, cancel := context.WithTimeout(a, 300*time.Millisecond)
		defer cancel()
		if _, err := store.HasActiveAPIKeys(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a statement of the client holding 3 of 4 connections: %v, want it to wait past its deadline", err)
		}
		err := store.Transaction(short, func(tx *db.DB) error { _, err := tx.EnsureProject(short, "q"); return err })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a transaction of that client: %v, want it to wait past its deadline", err)
		}

		quick, cancel := context.WithTimeout(other, 5*time.Second)
		defer cancel()
		start := time.Now()
		if _, err := store.HasActiveAPIKeys(quick); err != nil {
			t.Fatalf("another client's statement: %v", err)
		}
		if err := store.Transaction(quick, func(tx *db.DB) error { _, err := tx.EnsureProject(quick, "r"); return err }); err != nil {
			t.Fatalf("another client's transaction: %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("another client's statements took %s", took)
		}

		close(release)
		for range 3 {
			if err := <-streams; err != nil {
				t.Fatal(err)
			}
		}
		if _, err := store.HasActiveAPIKeys(a); err != nil {
			t.Errorf("the first client once its cursors closed: %v", err)
		}
	})
}
