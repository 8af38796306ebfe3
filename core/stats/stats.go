// Package stats computes a region's public marketplace statistics (B4, B5):
// tonnes offered and needed per fraction, matches, match rate, time to first
// match and the estimated CO2e saving against the baseline. Figures are
// aggregates: no single listing's quantity, place or owner can be read from
// them.
package stats

import (
	"context"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// MinCell is the least number of listings behind a published aggregate:
// a cell with fewer (one or two listings) is suppressed, so that no single
// listing's quantity can be read from the statistics (M3).
const MinCell = 3

// Amount is a public aggregate of tonnes. It is never the sum itself: the
// sum is reported as the band it falls in, the same bands as the public
// listing view (market.QuantityBand), so it cannot be inverted to a
// listing's quantity; a cell with fewer than MinCell listings is suppressed.
type Amount struct {
	// Band is the band of the sum ("100 000–500 000 t"); empty when
	// suppressed or when no listing contributes.
	Band string `json:"band"`
	// Listings is how many public listings contribute (null when suppressed).
	Listings *int `json:"listings"`
	// Suppressed: fewer than three listings contribute.
	Suppressed bool `json:"suppressed"`
}

// Text is the amount as shown: its band, fewer (the localized "fewer than
// three") when suppressed, "0 t" when no listing contributes.
func (a Amount) Text(fewer string) string {
	switch {
	case a.Suppressed:
		return fewer
	case a.Band == "":
		return "0 t"
	}
	return a.Band
}

// amountOf publishes the sum of n listings' tonnes as a band.
func amountOf(sum float64, n int) Amount {
	if n == 0 {
		zero := 0
		return Amount{Listings: &zero}
	}
	if n < MinCell {
		return Amount{Suppressed: true}
	}
	return Amount{Band: market.QuantityBand(sum), Listings: &n}
}

// Fraction is one fraction's open quantities (public listings only).
type Fraction struct {
	Code         string `json:"code"`
	Name         string `json:"name,omitempty"`
	Offered      Amount `json:"offered"`
	Needed       Amount `json:"needed"`
	Capacity     Amount `json:"capacity"`
	OpenListings int    `json:"open_listings"`
}

// Stats are a region's public statistics. Only public listings count:
// members-only listings and drafts are left out of every figure.
type Stats struct {
	Tenant      string    `json:"tenant"`
	GeneratedAt time.Time `json:"generated_at"`
	// Open public listings now (published or partly agreed, window not past).
	OpenListings int        `json:"open_listings"`
	Offered      Amount     `json:"offered"`
	Needed       Amount     `json:"needed"`
	Fractions    []Fraction `json:"fractions"`
	// Every public listing ever published (also closed and expired ones).
	PublishedListings int `json:"published_listings"`
	// Matches found between public listings, and how many published
	// listings got at least one: MatchRate = MatchedListings / PublishedListings.
	Matches         int     `json:"matches"`
	MatchedListings int     `json:"matched_listings"`
	MatchRate       float64 `json:"match_rate"`
	// Median hours from publication to the first match (null without
	// matches, or with fewer than three matched listings).
	MedianHoursToFirstMatch *float64 `json:"median_hours_to_first_match"`
	// Listings partly or fully agreed (by signed agreements).
	AgreedListings int `json:"agreed_listings"`
	// Agreements signed on the platform (in force or completed) and the
	// tonnes they agreed, as a band: agreed tonnes, counted apart from the
	// potential of open listings (K6).
	Agreements int    `json:"agreements"`
	Agreed     Amount `json:"agreed"`
	// Estimated tonnes CO2e saved if the best matches are carried out, each
	// listing's tonnes counted once, against the baseline (surplus to the
	// nearest landfill, need from the nearest quarry); rounded to two
	// significant digits, null with fewer than three listings behind it.
	EstimatedCO2eSavedTonnes *float64 `json:"estimated_co2e_saved_tonnes"`
	// Tonnes that estimate covers, as a band.
	EstimatedMatched Amount `json:"estimated_matched"`
	Method           string `json:"method"`
	// Realized are the figures of what actually happened (received loads
	// under signed agreements), beside the potential ones above.
	Realized *Realized `json:"realized,omitempty" doc:"Realized figures (B5): what was actually delivered under signed agreements, beside the potential figures (the estimate from matches)"`
}

// Method describes how the figures are made.
const Method = "public listings only (members-only listings and drafts are left out); tonnes are reported as the band of their sum (the public listing view's bands: 0–500, 500–1 000, 1 000–5 000, 5 000–10 000, 10 000–50 000, 50 000–100 000, 100 000–500 000, 500 000–1 000 000, > 1 000 000 t), never the sum; a cell with fewer than 3 listings is suppressed; saving: greedy one-to-one allocation of stored matches by saving per tonne; saving = baseline transport CO2e − match transport CO2e (defra-2025 factors), rounded to two significant digits"

// ListingRow is what the statistics read of a listing.
type ListingRow struct {
	ID, Kind, Fractions, Status string
	Visibility                  string
	Tonnes                      float64
	PublishedAt                 *time.Time
	AvailableTo                 time.Time
}

// MatchRow is what the statistics read of a stored match.
type MatchRow struct {
	ID                       string
	ListingID, CounterpartID string
	Tonnes, Saving           float64
	CreatedAt                time.Time
}

// Service computes and caches statistics per tenant.
type Service struct {
	DB    *store.DB
	once  sync.Once
	cache *store.Cache[*Stats]
}

// CacheTTL bounds how stale another instance's writes can leave the figures
// when no event reached this one.
const CacheTTL = 15 * time.Second

// For returns the tenant's statistics, cached until the next write.
func (s *Service) For(ctx context.Context, tenantID, slug string) (*Stats, error) {
	s.once.Do(func() { s.cache = store.NewCache[*Stats](CacheTTL, 1000) })
	gen := store.Generation(tenantID)
	today := s.now().Format("2006-01-02")
	if st, ok := s.cache.Get(tenantID+"|"+today, gen); ok {
		return st, nil
	}
	st, err := s.compute(store.WithTenant(ctx, tenantID), slug)
	if err != nil {
		return nil, err
	}
	s.cache.Put(tenantID+"|"+today, gen, st)
	return st, nil
}

// now reads the one clock, which the store carries.
func (s *Service) now() time.Time { return s.DB.Now() }

func (s *Service) compute(ctx context.Context, slug string) (*Stats, error) {
	var ls []ListingRow
	var ms []MatchRow
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&market.Listing{}).Select("id, kind, fractions, status, visibility, quantity_tonnes AS tonnes, published_at, available_to").
			Where("status <> ? AND visibility = ?", string(market.StatusDraft), "public").Scan(&ls).Error; err != nil {
			return err
		}
		return tx.Table("matches").Select("id, listing_id, counterpart_id, tonnes, saving_kg_co2e AS saving, created_at").Scan(&ms).Error
	})
	if err != nil {
		return nil, err
	}
	st := Compute(slug, s.now(), ls, ms)
	var ag struct {
		N      int
		Tonnes float64
	}
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Table("agreements").Select("count(*) AS n, COALESCE(SUM(tonnes), 0) AS tonnes").Where("sealed_version > 0 AND status <> ?", "cancelled").Scan(&ag).Error
	}); err != nil {
		return nil, err
	}
	st.Agreements, st.Agreed = ag.N, amountOf(ag.Tonnes, ag.N)
	if st.Realized, err = s.realized(ctx, ls, ms); err != nil {
		return nil, err
	}
	return st, nil
}

// Compute derives the public statistics from the listings (drafts and
// members-only listings are left out here too) and the stored matches.
func Compute(slug string, now time.Time, ls []ListingRow, ms []MatchRow) *Stats {
	st := &Stats{Tenant: slug, GeneratedAt: now.UTC().Truncate(time.Second), Fractions: []Fraction{}, Method: Method}
	today := now.UTC().Truncate(24 * time.Hour)
	type cell struct {
		sum float64
		n   int
	}
	type sums struct{ offered, needed, capacity cell }
	byCode := map[string]*sums{}
	open := map[string]int{}
	for _, f := range market.Fractions {
		byCode[f.Code] = &sums{}
	}
	var offered, needed cell
	published := map[string]*ListingRow{}
	remaining := map[string]float64{}
	for i := range ls {
		l := &ls[i]
		status := market.Status(l.Status)
		if l.Visibility != "public" || status == market.StatusDraft {
			continue
		}
		published[l.ID] = l
		remaining[l.ID] = l.Tonnes
		if status == market.StatusPartlyMatched || status == market.StatusFullyMatched {
			st.AgreedListings++
		}
		if !status.Open() || l.AvailableTo.Before(today) {
			continue
		}
		st.OpenListings++
		switch l.Kind {
		case "surplus":
			offered.sum += l.Tonnes
			offered.n++
		case "need":
			needed.sum += l.Tonnes
			needed.n++
		}
		codes := splitList(l.Fractions)
		for _, code := range codes {
			f := byCode[code]
			if f == nil {
				continue
			}
			share := l.Tonnes / float64(len(codes)) // a need for several fractions counts once, split evenly
			open[code]++
			switch l.Kind {
			case "surplus":
				f.offered.sum += share
				f.offered.n++
			case "need":
				f.needed.sum += share
				f.needed.n++
			case "capacity":
				f.capacity.sum += share
				f.capacity.n++
			}
		}
	}
	st.PublishedListings = len(published)
	for _, f := range market.Fractions {
		if n := open[f.Code]; n > 0 {
			x := byCode[f.Code]
			st.Fractions = append(st.Fractions, Fraction{Code: f.Code, OpenListings: n,
				Offered: amountOf(x.offered.sum, x.offered.n), Needed: amountOf(x.needed.sum, x.needed.n), Capacity: amountOf(x.capacity.sum, x.capacity.n)})
		}
	}
	st.Offered, st.Needed = amountOf(offered.sum, offered.n), amountOf(needed.sum, needed.n)

	// Matches between public listings only: a match with a members-only
	// listing says nothing in public.
	public := ms[:0:0]
	for _, m := range ms {
		_, okA := published[m.ListingID]
		_, okB := published[m.CounterpartID]
		if okA && okB {
			public = append(public, m)
		}
	}
	ms = public
	first := map[string]time.Time{}
	note := func(id string, at time.Time) {
		if t, ok := first[id]; !ok || at.Before(t) {
			first[id] = at
		}
	}
	for _, m := range ms {
		st.Matches++
		note(m.ListingID, m.CreatedAt)
		note(m.CounterpartID, m.CreatedAt)
	}
	st.MatchedListings = len(first)
	if st.PublishedListings > 0 {
		st.MatchRate = math.Round(float64(st.MatchedListings)/float64(st.PublishedListings)*1000) / 1000
	}
	var hours []float64
	for id, at := range first {
		if p := published[id].PublishedAt; p != nil {
			hours = append(hours, math.Max(0, at.Sub(*p).Hours()))
		}
	}
	if len(hours) >= MinCell {
		sort.Float64s(hours)
		med := hours[len(hours)/2]
		if len(hours)%2 == 0 {
			med = (hours[len(hours)/2-1] + hours[len(hours)/2]) / 2
		}
		med = math.Round(med*10) / 10
		st.MedianHoursToFirstMatch = &med
	}

	// Each tonne once: best savings per tonne first, limited by what is left
	// of both listings.
	sort.SliceStable(ms, func(i, j int) bool { return perTonne(ms[i]) > perTonne(ms[j]) })
	var saved, tonnes float64
	behind := map[string]bool{}
	for _, m := range ms {
		if m.Tonnes <= 0 || m.Saving <= 0 {
			continue
		}
		t := math.Min(m.Tonnes, math.Min(remaining[m.ListingID], remaining[m.CounterpartID]))
		if t <= 0 {
			continue
		}
		remaining[m.ListingID] -= t
		remaining[m.CounterpartID] -= t
		saved += perTonne(m) * t
		tonnes += t
		behind[m.ListingID], behind[m.CounterpartID] = true, true
	}
	st.EstimatedMatched = amountOf(tonnes, len(behind))
	if len(behind) >= MinCell {
		co2 := roundSig(saved/1000, 2)
		st.EstimatedCO2eSavedTonnes = &co2
	}
	return st
}

// roundSig rounds x to n significant digits.
func roundSig(x float64, n int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	scale := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*scale) / scale
}

func perTonne(m MatchRow) float64 {
	if m.Tonnes <= 0 {
		return 0
	}
	return m.Saving / m.Tonnes
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' })
}
