package db

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// TestFillBinsKeepsToTheCellLimit gives the zero-filling more groups than
// the count before the aggregate found (rows written in between): it
// refuses instead of building bins × groups rows.
func TestFillBinsKeepsToTheCellLimit(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := AnalyticsQuery{From: from, To: from.Add(5000 * time.Minute), Dims: []string{"TRACE"}, Bin: time.Minute}
	rows := func(groups int) []AnalyticsRow {
		var out []AnalyticsRow
		for i := range groups {
			id := fmt.Sprint(i)
			out = append(out, AnalyticsRow{Bucket: &from, Dims: map[string]*string{"TRACE": &id}})
		}
		return out
	}
	got, err := fillBins(rows(10), q, 60, 0, 0)
	if err != nil || len(got) != 50_000 {
		t.Fatalf("10 groups × 5,000 bins: %d rows, %v; want 50,000", len(got), err)
	}
	got, err = fillBins(rows(11), q, 60, 0, 0)
	if apperr.CodeOf(err) != apperr.InvalidArgument || !strings.Contains(err.Error(), "5,000 bins × 11 groups = 55,000 cells") || got != nil {
		t.Fatalf("11 groups × 5,000 bins: %d rows, %v; want refused", len(got), err)
	}
}

func TestCellLimitMessages(t *testing.T) {
	for _, c := range []struct {
		bins, groups int64
		want         string
	}{
		{20, 2_600, "bin: 20 bins × 2,600 groups = 52,000 cells, more than 50,000: use a coarser bin, a shorter timeRange or fewer groupBy dimensions"},
		{1, 50_001, "bin: 1 bin × more than 50,000 groups = more than 50,000 cells"},
		{2, 50_001, "bin: 2 bins × more than 50,000 groups = more than 100,000 cells, more than 50,000"},
		{0, 50_001, "groupBy: more than 50,000 groups, more than 50,000: use a shorter timeRange or fewer groupBy dimensions"},
		{0, 1_000_000, "groupBy: more than 50,000 groups"},
	} {
		if err := checkCellCount(c.bins, c.groups); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%d bins × %d groups: %v, want %q", c.bins, c.groups, err, c.want)
		}
	}
	if err := checkCellCount(5000, 10); err != nil {
		t.Errorf("5,000 bins × 10 groups: %v", err)
	}
}
