package stats

import (
	"encoding/json"
	"strings"
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
		{ID: "s2", Kind: "surplus", Fractions: "sprengstein", Status: "published", Tonnes: 2000, PublishedAt: p(100), AvailableTo: end},
		{ID: "s3", Kind: "surplus", Fractions: "sprengstein", Status: "published", Tonnes: 3000, PublishedAt: p(100), AvailableTo: end},
		{ID: "n1", Kind: "need", Fractions: "sprengstein,morene", Status: "published", Tonnes: 600, PublishedAt: p(50), AvailableTo: end},
		{ID: "n2", Kind: "need", Fractions: "sprengstein", Status: "partly_matched", Tonnes: 800, PublishedAt: p(10), AvailableTo: end},
		{ID: "n3", Kind: "need", Fractions: "sprengstein", Status: "published", Tonnes: 100, PublishedAt: p(10), AvailableTo: end},
		{ID: "c1", Kind: "surplus", Fractions: "leire", Status: "closed", Tonnes: 5000, PublishedAt: p(300), AvailableTo: end},
		{ID: "x1", Kind: "surplus", Fractions: "leire", Status: "published", Tonnes: 7000, PublishedAt: p(300), AvailableTo: now.AddDate(0, 0, -2)},
	}
	for i := range ls {
		ls[i].Visibility = "public"
	}
	ms := []MatchRow{
		// s1→n1: 600 t saving 6000 kg (10 kg/t); s1→n2: 800 t saving 16000 kg (20 kg/t)
		{ListingID: "n1", CounterpartID: "s1", Tonnes: 600, Saving: 6000, CreatedAt: now.Add(-40 * time.Hour)},
		{ListingID: "n2", CounterpartID: "s1", Tonnes: 800, Saving: 16000, CreatedAt: now.Add(-8 * time.Hour)},
	}
	st := Compute("x", now, ls, ms)
	if st.OpenListings != 6 || st.Offered.Band != "5\u00a0000–10\u00a0000 t" || st.Needed.Band != "1\u00a0000–5\u00a0000 t" || st.PublishedListings != 8 || st.AgreedListings != 1 {
		t.Fatalf("totals: %+v", st)
	}
	if st.Matches != 2 || st.MatchedListings != 3 || st.MatchRate != 0.375 {
		t.Fatalf("matches: %+v", st)
	}
	// First matches: s1 after 60 h (published 100 h ago, matched 40 h ago), n1 after 10 h, n2 after 2 h → median 10 h.
	if st.MedianHoursToFirstMatch == nil || *st.MedianHoursToFirstMatch != 10 {
		t.Fatalf("median: %v", st.MedianHoursToFirstMatch)
	}
	// Greedy: s1→n2 800 t × 20 kg = 16 t; then s1 has 200 t left → n1 200 t × 10 kg = 2 t; total 18 t over 1000 t.
	if st.EstimatedCO2eSavedTonnes == nil || *st.EstimatedCO2eSavedTonnes != 18 || st.EstimatedMatched.Band != "1\u00a0000–5\u00a0000 t" {
		t.Fatalf("saving: %v t over %+v", st.EstimatedCO2eSavedTonnes, st.EstimatedMatched)
	}
	sawMorene := false
	for _, f := range st.Fractions {
		if f.Code == "morene" {
			sawMorene = true
			if !f.Needed.Suppressed || f.Needed.Listings != nil || f.Needed.Band != "" {
				t.Fatalf("one listing's need is suppressed: %+v", f)
			}
		}
		if f.Code == "sprengstein" && (f.Offered.Band != "5\u00a0000–10\u00a0000 t" || *f.Offered.Listings != 3 || f.Needed.Band != "1\u00a0000–5\u00a0000 t") {
			t.Fatalf("sprengstein: %+v", f)
		}
		if f.Code == "leire" {
			t.Fatalf("closed and expired listings are not open: %+v", f)
		}
	}
	if !sawMorene {
		t.Fatalf("no morene among the fractions of open listings: %+v", st.Fractions)
	}
}

func m3Rows(now time.Time, vis ...string) []ListingRow {
	pub := now.Add(-time.Hour)
	var ls []ListingRow
	for i, v := range vis {
		ls = append(ls, ListingRow{ID: "l" + string(rune('a'+i)), Kind: "surplus", Fractions: "sprengstein", Status: "published", Visibility: v,
			Tonnes: 250_001, PublishedAt: &pub, AvailableTo: now.AddDate(1, 0, 0)})
	}
	return ls
}

// TestPublicStatsNoExactTonnesM3: one listing of 250 001 t in a fraction
// no longer prints 250 001 t; the statistics show its band at most.
func TestPublicStatsNoExactTonnesM3(t *testing.T) {
	now := storetest.DefaultClock().Now().UTC()
	for n := 1; n <= 4; n++ {
		vis := make([]string, n)
		for i := range vis {
			vis[i] = "public"
		}
		st := Compute("x", now, m3Rows(now, vis...), nil)
		b, _ := json.Marshal(st)
		if strings.Contains(string(b), "250001") || strings.Contains(string(b), "250\u00a0001") || strings.Contains(string(b), "250 001") {
			t.Fatalf("%d listings: exact tonnes in %s", n, b)
		}
		if n >= MinCell && st.Offered.Band != "500\u00a0000–1\u00a0000\u00a0000 t" && st.Offered.Band != "> 1\u00a0000\u00a0000 t" {
			t.Fatalf("%d listings: band %q", n, st.Offered.Band)
		}
	}
	st := Compute("x", now, m3Rows(now, "public", "public", "public"), nil)
	if st.Offered.Band != "500\u00a0000–1\u00a0000\u00a0000 t" { // 750 003 t
		t.Fatalf("sum of three: %+v", st.Offered)
	}
}

// TestPublicStatsSuppressSmallCellsM3: a fraction with two listings is
// suppressed ("færre enn 3"), in the fraction and in the totals.
func TestPublicStatsSuppressSmallCellsM3(t *testing.T) {
	now := storetest.DefaultClock().Now().UTC()
	st := Compute("x", now, m3Rows(now, "public", "public"), nil)
	if len(st.Fractions) != 1 {
		t.Fatalf("fractions: %+v", st.Fractions)
	}
	f := st.Fractions[0]
	if !f.Offered.Suppressed || f.Offered.Band != "" || f.Offered.Listings != nil || !st.Offered.Suppressed {
		t.Fatalf("two listings must be suppressed: %+v / %+v", f, st.Offered)
	}
	if f.Offered.Text("færre enn 3") != "færre enn 3" || f.Needed.Text("x") != "0 t" {
		t.Fatalf("text: %q %q", f.Offered.Text("færre enn 3"), f.Needed.Text("x"))
	}
}

// TestPublicStatsOnlyPublicListingsM3: members-only listings count nowhere.
func TestPublicStatsOnlyPublicListingsM3(t *testing.T) {
	now := storetest.DefaultClock().Now().UTC()
	ls := m3Rows(now, "public", "members", "members", "members", "public")
	ms := []MatchRow{{ListingID: "la", CounterpartID: "lb", Tonnes: 100, Saving: 1000, CreatedAt: now}}
	st := Compute("x", now, ls, ms)
	if st.OpenListings != 2 || st.PublishedListings != 2 || !st.Offered.Suppressed || st.Matches != 0 || st.MatchedListings != 0 || st.EstimatedCO2eSavedTonnes != nil {
		t.Fatalf("members-only listings counted: %+v", st)
	}
	if st.Fractions[0].OpenListings != 2 {
		t.Fatalf("fraction: %+v", st.Fractions[0])
	}
}
