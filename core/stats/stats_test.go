package stats

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestComputeStats checks the arithmetic on a fixed set, laid out around the
// harness clock's now.
func TestComputeStats(t *testing.T) {
	now := storetest.DefaultClock().Now().UTC()
	p := func(h int) *time.Time { x := now.Add(-time.Duration(h) * time.Hour); return &x }
	end := now.AddDate(1, 0, 0)
	ls := []ListingRow{
		{ID: "s1", Kind: "surplus", Fractions: "sprengstein", Status: "published", Tonnes: 1000, PublishedAt: p(100), AvailableTo: end},
		{ID: "n1", Kind: "need", Fractions: "sprengstein,morene", Status: "published", Tonnes: 600, PublishedAt: p(50), AvailableTo: end},
		{ID: "n2", Kind: "need", Fractions: "sprengstein", Status: "partly_matched", Tonnes: 800, PublishedAt: p(10), AvailableTo: end},
		{ID: "c1", Kind: "surplus", Fractions: "leire", Status: "closed", Tonnes: 5000, PublishedAt: p(300), AvailableTo: end},
		{ID: "x1", Kind: "surplus", Fractions: "leire", Status: "published", Tonnes: 7000, PublishedAt: p(300), AvailableTo: now.AddDate(0, 0, -2)},
	}
	ms := []MatchRow{
		// s1→n1: 600 t saving 6000 kg (10 kg/t); s1→n2: 800 t saving 16000 kg (20 kg/t)
		{ListingID: "n1", CounterpartID: "s1", Tonnes: 600, Saving: 6000, CreatedAt: now.Add(-40 * time.Hour)},
		{ListingID: "n2", CounterpartID: "s1", Tonnes: 800, Saving: 16000, CreatedAt: now.Add(-8 * time.Hour)},
	}
	st := Compute("x", now, ls, ms)
	if st.OpenListings != 3 || st.OfferedTonnes != 1000 || st.NeededTonnes != 1400 || st.PublishedListings != 5 || st.AgreedListings != 1 {
		t.Fatalf("totals: %+v", st)
	}
	if st.Matches != 2 || st.MatchedListings != 3 || st.MatchRate != 0.6 {
		t.Fatalf("matches: %+v", st)
	}
	// First matches: s1 after 60 h (published 100 h ago, matched 40 h ago), n1 after 10 h, n2 after 2 h → median 10 h.
	if st.MedianHoursToFirstMatch == nil || *st.MedianHoursToFirstMatch != 10 {
		t.Fatalf("median: %v", st.MedianHoursToFirstMatch)
	}
	// Greedy: s1→n2 800 t × 20 kg = 16 t; then s1 has 200 t left → n1 200 t × 10 kg = 2 t; total 18 t over 1000 t.
	if st.EstimatedCO2eSavedTonnes != 18 || st.EstimatedMatchedTonnes != 1000 {
		t.Fatalf("saving: %v t over %v t", st.EstimatedCO2eSavedTonnes, st.EstimatedMatchedTonnes)
	}
	sawMorene := false
	for _, f := range st.Fractions {
		if f.Code == "morene" {
			sawMorene = true
			if f.NeededTonnes != 300 {
				t.Fatalf("a need for two fractions is split evenly: %+v", f)
			}
		}
		if f.Code == "leire" {
			t.Fatalf("closed and expired listings are not open: %+v", f)
		}
	}
	if !sawMorene {
		t.Fatalf("no morene among the fractions of open listings: %+v", st.Fractions)
	}
}
