package report

import (
	"context"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/store"
)

// MaxDeviations is how many deviating loads a summary lists (the count is
// always whole; lass.csv has every load).
const MaxDeviations = 500

// storageOut fills in what left a storage site, of the fractions the
// scope stored there, and the scope's share of it (see StorageRow).
func (s *Service) storageOut(ctx context.Context, st *StorageRow, until time.Time) error {
	fractions := make([]string, 0, len(st.in))
	for f := range st.in {
		fractions = append(fractions, f)
	}
	type row struct {
		Fraction string
		N        int
		T        float64
	}
	var ins, outs []row
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		args := map[string]any{"site": st.SiteID, "from": st.FirstIn, "until": until, "fractions": fractions, "delivery": haul.KindDelivery,
			"received": []string{haul.StatusReceived, haul.StatusPartly}, "rejected": haul.StatusRejected}
		if err := store.Raw(tx, `SELECT fraction, COUNT(*) AS n, COALESCE(SUM(accepted_tonnes), 0) AS t FROM loads
			WHERE tenant_id = @tenant AND delivery_site_id = @site AND kind = @delivery AND status IN @received AND fraction IN @fractions
			AND departed_at >= @from AND departed_at < @until GROUP BY fraction`, args).Scan(&ins).Error; err != nil {
			return err
		}
		if err := store.Raw(tx, `SELECT fraction, COUNT(*) AS n, COALESCE(SUM(accepted_tonnes), 0) AS t FROM loads
			WHERE tenant_id = @tenant AND pickup_site_id = @site AND kind = @delivery AND status <> @rejected AND fraction IN @fractions
			AND departed_at >= @from AND departed_at < @until GROUP BY fraction`, args).Scan(&outs).Error; err != nil {
			return err
		}
		var last []time.Time
		if err := tx.Model(&haul.Load{}).Where("pickup_site_id = ? AND kind = ? AND status <> ? AND fraction IN ? AND departed_at >= ? AND departed_at < ?",
			st.SiteID, haul.KindDelivery, haul.StatusRejected, fractions, st.FirstIn, until).Order("departed_at DESC").Limit(1).Pluck("departed_at", &last).Error; err != nil {
			return err
		}
		if len(last) == 1 {
			l := last[0].UTC()
			st.LastOut = &l
		}
		return nil
	})
	if err != nil {
		return err
	}
	allIn := map[string]float64{}
	for _, r := range ins {
		allIn[r.Fraction] = r.T
		st.AllInTonnes += r.T
	}
	for _, r := range outs {
		st.OutLoads += r.N
		st.OutAllTonnes += r.T
		mine := st.in[r.Fraction]
		if all := max(allIn[r.Fraction], mine); all > 0 {
			st.OutTonnes += min(mine, r.T*mine/all)
		}
	}
	st.AllInTonnes = max(st.AllInTonnes, st.InTonnes)
	st.OutTonnes = math.Round(st.OutTonnes*1000) / 1000
	return nil
}

// Summary is a scope's period summed up in the shape of a final report.
type Summary struct {
	Scope        Scope          `json:"scope"`
	GeneratedAt  time.Time      `json:"generated_at"`
	Totals       Totals         `json:"totals"`
	Agreements   []AgreementRow `json:"agreements"`
	Fractions    []FractionRow  `json:"fractions"`
	Destinations []DestRow      `json:"destinations"`
	// Deviations are loads with flags, rejected or partly accepted (the
	// first MaxDeviations; DeviationsTotal counts all).
	Deviations      []Deviation  `json:"deviations"`
	DeviationsTotal int          `json:"deviations_total"`
	Storage         []StorageRow `json:"storage"`

	lines []line
	sites map[string]*siteInfo
}

// Totals are the period's loads in numbers.
type Totals struct {
	Loads          int     `json:"loads"`
	Received       int     `json:"received" doc:"Loads with a receipt (accepted, partly accepted or rejected)"`
	Rejected       int     `json:"rejected"`
	Partly         int     `json:"partly_accepted"`
	Flagged        int     `json:"flagged"`
	AcceptedTonnes float64 `json:"accepted_tonnes"`
	KgCO2e         float64 `json:"kg_co2e" doc:"The loads' own climate accounts, rejected loads' trips (there and back loaded) included"`
	TonneKm        float64 `json:"tonne_km" doc:"Accepted tonnes × road km: the masses delivered (the climate accounts' tonne-km counts weighed tonnes, rejected trips included)"`
}

// FractionRow is the quantities of a fraction in a condition class.
type FractionRow struct {
	Fraction       string  `json:"fraction"`
	ConditionClass int     `json:"condition_class"`
	Loads          int     `json:"loads"`
	AcceptedTonnes float64 `json:"accepted_tonnes"`
	Rejected       int     `json:"rejected"`
}

// DestRow is what a receiving site took, with its permits.
type DestRow struct {
	Destination  string      `json:"destination" doc:"reuse, recycling, storage, landfill or other, from the receiving site"`
	SiteID       string      `json:"site_id"`
	SiteName     string      `json:"site_name"`
	FacilityType string      `json:"facility_type,omitempty"`
	OrgName      string      `json:"organization_name"`
	Loads        int         `json:"loads"`
	Tonnes       float64     `json:"accepted_tonnes"`
	Permits      []PermitRow `json:"permits"`
}

// PermitRow is a receiving site's permit.
type PermitRow struct {
	Kind      string     `json:"kind"`
	Authority string     `json:"authority"`
	Reference string     `json:"reference"`
	MaxClass  int        `json:"max_class"`
	ValidFrom *time.Time `json:"valid_from,omitempty"`
	ValidTo   *time.Time `json:"valid_to,omitempty"`
}

// Deviation is a load with flags or not wholly accepted.
type Deviation struct {
	LoadID          string    `json:"load_id"`
	Number          string    `json:"number"`
	AgreementNumber string    `json:"agreement_number"`
	DepartedAt      time.Time `json:"departed_at"`
	Status          string    `json:"status"`
	Result          string    `json:"result,omitempty"`
	Reason          string    `json:"reason,omitempty"`
	Flags           []string  `json:"flags"`
	WeightTonnes    float64   `json:"weight_tonnes"`
	AcceptedTonnes  float64   `json:"accepted_tonnes"`
}

// StorageRow is interim storage: loads into a storage site in the period
// and the scope's share of what left it again. A storage site mixes
// several parties' masses, so what left is shared by mass balance: for
// each fraction the scope stored there, the tonnes that left the site from
// the scope's first load in to the end of the period, times the scope's
// share of the tonnes of that fraction that came in over the same time
// (never more than the scope put in). Other fractions and returns of
// rejected loads do not count.
type StorageRow struct {
	SiteID      string  `json:"site_id"`
	SiteName    string  `json:"site_name"`
	InLoads     int     `json:"in_loads"`
	InTonnes    float64 `json:"in_tonnes"`
	AllInTonnes float64 `json:"all_in_tonnes" doc:"Tonnes of the same fractions received at the site from the scope's first load in, every party's"`
	OutLoads    int     `json:"out_loads" doc:"Loads of the same fractions that left the site since the scope's first load in, every party's"`
	OutTonnes   float64 `json:"out_tonnes" doc:"The scope's share of the tonnes of the same fractions that left the site (mass balance: in proportion to what came in), at most in_tonnes"`
	// OutAllTonnes is what left of the same fractions, every party's.
	OutAllTonnes float64    `json:"out_all_tonnes" doc:"Tonnes of the same fractions that left the site since the scope's first load in, every party's"`
	FirstIn      time.Time  `json:"first_in"`
	LastOut      *time.Time `json:"last_out,omitempty"`
	Days         int        `json:"days" doc:"From the first load in to the last out, or, while still stored, to the end of the period (or today)"`
	StillStored  bool       `json:"still_stored"`

	in map[string]float64 // accepted tonnes in, by fraction
}

// line is an agreement's transport line (pickup to delivery).
type line struct {
	AgreementID, Number, From, To string
	Loads                         int
	Tonnes                        float64
}

// tally sums loads up as they stream past.
type tally struct {
	t         Totals
	classes   map[string]int
	fractions map[[2]any]*FractionRow
	dests     map[string]*DestRow
	devs      []Deviation
	devTotal  int
	storage   map[string]*StorageRow
	lines     map[[3]string]*line
	perAg     map[string]*AgreementRow
	siteIDs   map[string]bool
	orgIDs    map[string]bool
}

func newTally(ags []AgreementRow) *tally {
	t := &tally{classes: map[string]int{}, fractions: map[[2]any]*FractionRow{}, dests: map[string]*DestRow{}, storage: map[string]*StorageRow{},
		lines: map[[3]string]*line{}, perAg: map[string]*AgreementRow{}, siteIDs: map[string]bool{}, orgIDs: map[string]bool{}}
	for i := range ags {
		t.classes[ags[i].ID] = ags[i].ConditionClass
		t.perAg[ags[i].ID] = &ags[i]
		t.siteIDs[ags[i].PickupSiteID] = true
		t.siteIDs[ags[i].DeliverySiteID] = true
	}
	return t
}

func (t *tally) add(r *LoadRow) {
	r.ConditionClass = t.classes[r.AgreementID]
	t.t.Loads++
	final := r.Status == haul.StatusReceived || r.Status == haul.StatusPartly || r.Status == haul.StatusRejected
	if final {
		t.t.Received++
	}
	switch r.Status {
	case haul.StatusRejected:
		t.t.Rejected++
	case haul.StatusPartly:
		t.t.Partly++
	}
	if len(r.Flags) > 0 {
		t.t.Flagged++
	}
	t.t.AcceptedTonnes += r.AcceptedTonnes
	if r.KgCO2e != nil {
		t.t.KgCO2e += *r.KgCO2e
	}
	if r.RoadKm != nil {
		t.t.TonneKm += *r.RoadKm * r.AcceptedTonnes
	}
	fk := [2]any{r.Fraction, r.ConditionClass}
	f := t.fractions[fk]
	if f == nil {
		f = &FractionRow{Fraction: r.Fraction, ConditionClass: r.ConditionClass}
		t.fractions[fk] = f
	}
	f.Loads++
	f.AcceptedTonnes += r.AcceptedTonnes
	if r.Status == haul.StatusRejected {
		f.Rejected++
	}
	t.siteIDs[r.PickupSiteID] = true
	t.siteIDs[r.DeliverySiteID] = true
	// Where the masses went: deliveries only (a rejected load's return
	// brings masses back, it disposes of nothing).
	if final && r.AcceptedTonnes > 0 && r.DeliverySiteID != "" && r.Kind != haul.KindReturn {
		d := t.dests[r.DeliverySiteID]
		if d == nil {
			d = &DestRow{SiteID: r.DeliverySiteID, Permits: []PermitRow{}}
			t.dests[r.DeliverySiteID] = d
		}
		d.Loads++
		d.Tonnes += r.AcceptedTonnes
		st := t.storage[r.DeliverySiteID]
		if st == nil {
			st = &StorageRow{SiteID: r.DeliverySiteID, FirstIn: r.DepartedAt, in: map[string]float64{}}
			t.storage[r.DeliverySiteID] = st
		}
		st.InLoads++
		st.InTonnes += r.AcceptedTonnes
		st.in[r.Fraction] += r.AcceptedTonnes
	}
	if len(r.Flags) > 0 || r.Status == haul.StatusRejected || r.Status == haul.StatusPartly {
		t.devTotal++
		if len(t.devs) < MaxDeviations {
			d := Deviation{LoadID: r.ID, Number: r.Number, AgreementNumber: r.AgreementNumber, DepartedAt: r.DepartedAt, Status: r.Status, Result: r.Result,
				Reason: r.Reason, Flags: []string{}, WeightTonnes: r.WeightTonnes, AcceptedTonnes: r.AcceptedTonnes}
			for _, fl := range r.Flags {
				d.Flags = append(d.Flags, fl.Kind)
			}
			t.devs = append(t.devs, d)
		}
	}
	lk := [3]string{r.AgreementID, r.PickupSiteID, r.DeliverySiteID}
	ln := t.lines[lk]
	if ln == nil {
		ln = &line{AgreementID: r.AgreementID, Number: r.AgreementNumber, From: r.PickupSiteID, To: r.DeliverySiteID}
		t.lines[lk] = ln
	}
	ln.Loads++
	ln.Tonnes += r.AcceptedTonnes
	if a := t.perAg[r.AgreementID]; a != nil {
		a.Loads++
		if final {
			a.Received++
		}
		a.AcceptedTonnes += r.AcceptedTonnes
		if r.KgCO2e != nil {
			a.KgCO2e += *r.KgCO2e
		}
	}
}

// finish reads the sites, permits and storage outflows and sorts the
// summary.
func (s *Service) finish(ctx context.Context, sc *Scope, ags []AgreementRow, t *tally) (*Summary, error) {
	sm := &Summary{Scope: *sc, GeneratedAt: s.DB.Now(), Totals: t.t, Fractions: []FractionRow{}, Destinations: []DestRow{}, Deviations: t.devs,
		DeviationsTotal: t.devTotal, Storage: []StorageRow{}}
	if sm.Deviations == nil {
		sm.Deviations = []Deviation{}
	}
	sm.Agreements = []AgreementRow{}
	for _, a := range ags {
		if len(a.Status) > 12 && a.Status[:12] == "ended_before" {
			if a.Loads == 0 {
				continue
			}
			a.Status = a.Status[13:]
		}
		sm.Agreements = append(sm.Agreements, a)
	}
	sites, err := s.sites(ctx, t.siteIDs)
	if err != nil {
		return nil, err
	}
	sm.sites = sites
	orgs := map[string]bool{}
	for _, si := range sites {
		orgs[si.OrgID] = true
	}
	names, err := s.orgNames(ctx, orgs)
	if err != nil {
		return nil, err
	}
	for _, f := range t.fractions {
		sm.Fractions = append(sm.Fractions, *f)
	}
	sort.Slice(sm.Fractions, func(i, j int) bool {
		a, b := sm.Fractions[i], sm.Fractions[j]
		if a.Fraction != b.Fraction {
			return a.Fraction < b.Fraction
		}
		return a.ConditionClass < b.ConditionClass
	})
	for id, d := range t.dests {
		if si := sites[id]; si != nil {
			d.SiteName, d.FacilityType, d.OrgName = si.Name, si.FacilityType, names[si.OrgID]
			d.Destination = Destination(si.Kind, si.FacilityType)
			for _, p := range si.Permits {
				d.Permits = append(d.Permits, PermitRow{Kind: p.Kind, Authority: p.Authority, Reference: p.Reference, MaxClass: p.MaxClass, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo})
			}
		} else {
			d.Destination = DestOther
		}
		sm.Destinations = append(sm.Destinations, *d)
	}
	order := map[string]int{}
	for i, d := range Destinations {
		order[d] = i
	}
	sort.Slice(sm.Destinations, func(i, j int) bool {
		a, b := sm.Destinations[i], sm.Destinations[j]
		if a.Destination != b.Destination {
			return order[a.Destination] < order[b.Destination]
		}
		if a.Tonnes != b.Tonnes {
			return a.Tonnes > b.Tonnes
		}
		return a.SiteID < b.SiteID
	})
	// Interim storage: the storage sites that received, and the scope's
	// share of what left them from the first load in to the end of the
	// period.
	end := sc.Until
	if now := s.DB.Now(); now.Before(end) {
		end = now
	}
	for id, st := range t.storage {
		si := sites[id]
		if si == nil || Destination(si.Kind, si.FacilityType) != DestStorage {
			continue
		}
		st.SiteName = si.Name
		if err := s.storageOut(ctx, st, sc.Until); err != nil {
			return nil, err
		}
		st.StillStored = st.OutTonnes < st.InTonnes-0.5
		stop := end
		if !st.StillStored && st.LastOut != nil {
			stop = *st.LastOut
		}
		st.Days = int(stop.Sub(st.FirstIn).Hours() / 24)
		if st.Days < 0 {
			st.Days = 0
		}
		sm.Storage = append(sm.Storage, *st)
	}
	sort.Slice(sm.Storage, func(i, j int) bool { return sm.Storage[i].SiteName < sm.Storage[j].SiteName })
	for _, ln := range t.lines {
		sm.lines = append(sm.lines, *ln)
	}
	sort.Slice(sm.lines, func(i, j int) bool {
		a, b := sm.lines[i], sm.lines[j]
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.From+a.To < b.From+b.To
	})
	return sm, nil
}

// Summary sums up the scope's period (the JSON the supervisors' systems
// read; the package's PDF shows the same).
func (s *Service) Summary(ctx context.Context, q Query) (*Summary, error) {
	sc, err := s.Resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	ags, err := s.agreements(ctx, sc)
	if err != nil {
		return nil, err
	}
	t := newTally(ags)
	if err := s.eachLoad(ctx, sc, func(r *LoadRow) error { t.add(r); return nil }); err != nil {
		return nil, err
	}
	return s.finish(ctx, sc, ags, t)
}
