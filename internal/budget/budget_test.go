package budget

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

func TestChargeFailsOverTheLimitAndStaysFailed(t *testing.T) {
	b := New(100)
	if err := b.Charge(100); err != nil {
		t.Fatalf("charge up to the limit: %v", err)
	}
	err := b.Charge(1)
	if apperr.CodeOf(err) != apperr.ResponseTooLarge {
		t.Fatalf("charge over the limit: %v", err)
	}
	if err := b.Charge(0); err == nil || !b.Exceeded() {
		t.Fatal("a budget once exceeded must refuse every later charge")
	}
}

func TestConcurrentChargesCountEveryByte(t *testing.T) {
	b := New(1 << 40)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				_ = b.Charge(3)
			}
		}()
	}
	wg.Wait()
	if b.Used() != 8*1000*3 {
		t.Fatalf("used %d", b.Used())
	}
}

func TestNoBudgetIsUnbounded(t *testing.T) {
	if err := Charge(context.Background(), 1<<62); err != nil {
		t.Fatal(err)
	}
	if err := New(0).Charge(1 << 62); err != nil {
		t.Fatal(err)
	}
	ctx := With(context.Background(), New(10))
	if Charge(ctx, 11) == nil {
		t.Fatal("the context's budget was not charged")
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64 MiB", 1536: "1.5 KiB", 100: "100 bytes", 3 << 19: "1.5 MiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMiddlewareGivesEachRequestItsOwnBudget(t *testing.T) {
	var seen []*Budget
	h := Middleware(100, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b := From(r.Context())
		if b == nil || b.Limit() != 100 || b.Used() != 0 {
			t.Fatalf("budget %+v", b)
		}
		_ = Charge(r.Context(), 60)
		seen = append(seen, b)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if len(seen) != 2 || seen[0] == seen[1] {
		t.Fatal("requests shared a budget")
	}
}
