package transport

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// ScheduleInput registers a transport agreed outside Masseflyt. Each end is a
// site of the region or a free point in Norway (with a name).
type ScheduleInput struct {
	OrganizationID string  `json:"organization_id,omitempty" doc:"The organization registering (needed when you represent several)"`
	FromSiteID     string  `json:"from_site_id,omitempty" doc:"Where the masses are loaded: a site of the region (or give from_lat, from_lon, from_name)"`
	FromName       string  `json:"from_name,omitempty" doc:"The name of a free loading point"`
	FromLat        float64 `json:"from_lat,omitempty" doc:"A free loading point's latitude (WGS 84, within Norway)"`
	FromLon        float64 `json:"from_lon,omitempty" doc:"A free loading point's longitude"`
	ToSiteID       string  `json:"to_site_id,omitempty" doc:"Where the masses go: a site of the region (or give to_lat, to_lon, to_name)"`
	ToName         string  `json:"to_name,omitempty" doc:"The name of a free delivery point"`
	ToLat          float64 `json:"to_lat,omitempty" doc:"A free delivery point's latitude (WGS 84, within Norway)"`
	ToLon          float64 `json:"to_lon,omitempty" doc:"A free delivery point's longitude"`
	Fraction       string  `json:"fraction" doc:"The mass fraction (a code of the catalogue)"`
	Tonnes         float64 `json:"tonnes,omitempty" doc:"The quantity in tonnes (0–10 000 000)"`
	DateFrom       string  `json:"date_from" doc:"First day (YYYY-MM-DD)"`
	DateTo         string  `json:"date_to" doc:"Last day (YYYY-MM-DD)"`
	LoadsPerDay    int     `json:"loads_per_day" doc:"Loads per weekday (1–500)"`
	Note           string  `json:"note,omitempty" doc:"A note (at most 2 000 characters)"`
}

// end checks one end of a plan: a site, or a named point in Norway.
func end(tx *gorm.DB, v *fail.Validation, prefix, siteID, name string, lat, lon float64) (*string, string, float64, float64) {
	if siteID != "" {
		st, err := siteTx(tx, siteID)
		if !store.ValidID(siteID) || err != nil {
			v.Add(prefix+"_site_id", "not_found", "ErrTransportSiteUnknown")
			return nil, "", 0, 0
		}
		return &st.ID, st.Name, st.Lat, st.Lon
	}
	name = cleanText(v, prefix+"_name", name, 200, true)
	if !geo.InNorway(geo.Point{Lat: lat, Lon: lon}) {
		v.Add(prefix+"_lat", "outside_norway", "ErrTransportOutsideNorway")
	}
	return nil, name, lat, lon
}

// CreatePlan registers a planned transport for one of the caller's
// organizations.
func (s *Service) CreatePlan(ctx context.Context, in ScheduleInput) (*Schedule, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	orgs := sorted(orgsOf(a))
	v := &fail.Validation{}
	org := in.OrganizationID
	switch {
	case org == "" && len(orgs) == 1:
		org = orgs[0]
	case org == "" && len(orgs) == 0:
		return nil, fail.New(fail.Forbidden, "not_member", "ErrTransportNotMember")
	case org == "":
		v.Add("organization_id", "required", "ErrFieldRequired")
		return nil, v.Err()
	case !orgsOf(a)[org]:
		return nil, access.NotOwnOrganization()
	}
	p := &Schedule{ID: store.NewID(), OrganizationID: org, Status: PlanActive, CreatedBy: a.UserID()}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		p.FromSiteID, p.FromName, p.FromLat, p.FromLon = end(tx, v, "from", in.FromSiteID, in.FromName, in.FromLat, in.FromLon)
		p.ToSiteID, p.ToName, p.ToLat, p.ToLon = end(tx, v, "to", in.ToSiteID, in.ToName, in.ToLat, in.ToLon)
		if p.Fraction = in.Fraction; !oneOf(in.Fraction, fraction.Codes()) {
			v.Add("fraction", "enum", "ErrFieldInvalid")
		}
		if p.Tonnes = in.Tonnes; !finite(in.Tonnes) || in.Tonnes < 0 || in.Tonnes > MaxPlanTonnes {
			v.Add("tonnes", "range", "ErrFieldRange", "Min", 0, "Max", MaxPlanTonnes)
		}
		if p.LoadsPerDay = in.LoadsPerDay; in.LoadsPerDay < 1 || in.LoadsPerDay > MaxLoadsPerDay {
			v.Add("loads_per_day", "range", "ErrFieldRange", "Min", 1, "Max", MaxLoadsPerDay)
		}
		p.DateFrom, p.DateTo = dates(v, in.DateFrom, in.DateTo, time.Time{}, time.Time{})
		p.Note = cleanText(v, "note", in.Note, MaxText, false)
		if !v.OK() {
			return v.Err()
		}
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		return events.Emit(tx, events.TransportPlanChanged{PlanID: p.ID, OrganizationID: org, Status: PlanActive})
	})
	if err != nil {
		return nil, err
	}
	return s.GetPlan(ctx, p.ID)
}

// GetPlan reads a plan (any member of the region, with its organization).
func (s *Service) GetPlan(ctx context.Context, id string) (*Schedule, error) {
	if access.From(ctx).Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var p Schedule
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Schedule{}).Select("transport_plans.*, o.name AS organization_name").
			Joins("JOIN organizations o ON o.tenant_id = transport_plans.tenant_id AND o.id = transport_plans.organization_id").
			Where("transport_plans.id = ?", id).Take(&p).Error
	})
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &p, nil
}

// WithdrawPlan withdraws an active plan, by a member of its organization.
func (s *Service) WithdrawPlan(ctx context.Context, id string) (*Schedule, error) {
	a := access.From(ctx)
	p, err := s.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if !orgsOf(a)[p.OrganizationID] {
		return nil, access.NotOwnOrganization()
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Schedule{}).Where("id = ? AND status = ?", id, PlanActive).Updates(map[string]any{"status": PlanWithdrawn, "updated_at": s.DB.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fail.ConflictErr("ErrTransportPlanWithdrawn")
		}
		return events.Emit(tx, events.TransportPlanChanged{PlanID: id, OrganizationID: p.OrganizationID, Status: PlanWithdrawn})
	})
	if err != nil {
		return nil, err
	}
	return s.GetPlan(ctx, id)
}

// Place is one end of a planned transport.
type Place struct {
	SiteID string  `json:"site_id,omitempty"`
	Name   string  `json:"name"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	// Approximate: the point is its ~1 km cell's centre (a project's
	// point the viewer may not see exactly).
	Approximate bool `json:"approximate,omitempty"`
}

// WeekLoads is the loads of one ISO week ("2026-W49").
type WeekLoads struct {
	Week  string `json:"week"`
	Loads int    `json:"loads"`
}

// Planned is one planned transport of the overview: a transport order or
// a registered plan.
type Planned struct {
	Kind          string      `json:"kind"` // order or plan
	ID            string      `json:"id"`
	From          Place       `json:"from"`
	To            Place       `json:"to"`
	Fraction      string      `json:"fraction"`
	Tonnes        float64     `json:"tonnes"`
	DateFrom      time.Time   `json:"date_from"`
	DateTo        time.Time   `json:"date_to"`
	LoadsPerDay   int         `json:"loads_per_day"`
	Loads         int         `json:"loads"`
	Organizations []string    `json:"organizations"`
	OrgIDs        []string    `json:"organization_ids"`
	Weeks         []WeekLoads `json:"weeks"`
}

// Overview is the planned transports in a period with their loads per
// week.
type Overview struct {
	From  time.Time   `json:"from"`
	To    time.Time   `json:"to"`
	Items []Planned   `json:"items"`
	Weeks []WeekLoads `json:"weeks"`
	// Truncated: more than MaxOverviewItems match; Items and Weeks hold
	// the first by start date, and narrower filters show the rest.
	Truncated bool `json:"truncated" doc:"More planned transports match than the overview holds (MaxOverviewItems, 500): items and weeks cover the first 500 by start date; narrow the period or filters to see the rest"`
}

// Filter selects planned transports: those overlapping [From, To] (by
// default from this week's Monday for 12 weeks), of one fraction, touching
// one site, or with one organization as a party.
type Filter struct {
	From, To       string
	Fraction       string
	SiteID         string
	OrganizationID string
}

// MaxOverviewDays bounds the overview's period; MaxOverviewItems its size
// (orders and plans together; an overview cut there says Truncated).
const (
	MaxOverviewDays  = 371
	MaxOverviewItems = 500
)

// window checks a filter's period.
func (s *Service) window(f Filter) (time.Time, time.Time, error) {
	v := &fail.Validation{}
	now := s.DB.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	from, to := monday, monday.AddDate(0, 0, 12*7-1)
	if f.From != "" || f.To != "" {
		fs, ts := f.From, f.To
		if fs == "" {
			fs = monday.Format(time.DateOnly)
		}
		if ts == "" {
			if t, ok := parseDate(fs); ok {
				ts = t.AddDate(0, 0, 12*7-1).Format(time.DateOnly)
			}
		}
		from, to = dates(v, fs, ts, time.Time{}, time.Time{})
		if v.OK() && to.Sub(from) > MaxOverviewDays*24*time.Hour {
			v.Add("to", "too_long", "ErrTransportPeriodTooLong", "Max", MaxOverviewDays)
		}
	}
	if f.Fraction != "" && !oneOf(f.Fraction, fraction.Codes()) {
		v.Add("fraction", "enum", "ErrFieldInvalid")
	}
	if f.SiteID != "" && !store.ValidID(f.SiteID) {
		v.Add("site_id", "invalid", "ErrFieldInvalid")
	}
	if f.OrganizationID != "" && !store.ValidID(f.OrganizationID) {
		v.Add("organization_id", "invalid", "ErrFieldInvalid")
	}
	// dates() names date_from/date_to; the filter's fields are from/to.
	if err := v.Err(); err != nil {
		if fe, ok := fail.As(err); ok {
			for i := range fe.Fields {
				fe.Fields[i].Pointer = strings.NewReplacer("/date_from", "/from", "/date_to", "/to").Replace(fe.Fields[i].Pointer)
				fe.Fields[i].Label = fail.LabelID(fe.Fields[i].Pointer)
			}
			return from, to, fe
		}
		return from, to, err
	}
	return from, to, nil
}

// isoWeek names a day's ISO week.
func isoWeek(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

type placeRow struct {
	ID               string
	Name             string
	Lat, Lon         float64
	ExactPointPublic bool
	OrganizationID   string
}

// collect reads the planned transports of the filter: active orders on
// agreements in force and active plans, with their loads per week inside
// [from, to], the first MaxOverviewItems by start date (truncated when
// more match). Each kind is read to one past the cap, so the first
// MaxOverviewItems of the two merged are the true first ones.
func (s *Service) collect(tx *gorm.DB, f Filter, from, to time.Time) ([]Planned, map[string]placeRow, bool, error) {
	var orders []Order
	q := ordersWithNames(tx).Where("transport_orders.status = ? AND ag.status NOT IN ? AND transport_orders.date_from <= ? AND transport_orders.date_to >= ?",
		OrderActive, []string{"cancelled", "completed"}, to, from)
	if f.Fraction != "" {
		q = q.Where("transport_orders.fraction = ?", f.Fraction)
	}
	if f.SiteID != "" {
		q = q.Where("(transport_orders.pickup_site_id = ? OR transport_orders.delivery_site_id = ?)", f.SiteID, f.SiteID)
	}
	if f.OrganizationID != "" {
		q = q.Where("(transport_orders.transporter_org_id = ? OR transport_orders.supplier_org_id = ? OR transport_orders.receiver_org_id = ?)", f.OrganizationID, f.OrganizationID, f.OrganizationID)
	}
	if err := q.Order("transport_orders.date_from, transport_orders.id").Limit(MaxOverviewItems + 1).Find(&orders).Error; err != nil {
		return nil, nil, false, err
	}
	var plans []Schedule
	pq := tx.Model(&Schedule{}).Select("transport_plans.*, o.name AS organization_name").
		Joins("JOIN organizations o ON o.tenant_id = transport_plans.tenant_id AND o.id = transport_plans.organization_id").
		Where("transport_plans.status = ? AND transport_plans.date_from <= ? AND transport_plans.date_to >= ?", PlanActive, to, from)
	if f.Fraction != "" {
		pq = pq.Where("transport_plans.fraction = ?", f.Fraction)
	}
	if f.SiteID != "" {
		pq = pq.Where("(transport_plans.from_site_id = ? OR transport_plans.to_site_id = ?)", f.SiteID, f.SiteID)
	}
	if f.OrganizationID != "" {
		pq = pq.Where("transport_plans.organization_id = ?", f.OrganizationID)
	}
	if err := pq.Order("transport_plans.date_from, transport_plans.id").Limit(MaxOverviewItems + 1).Find(&plans).Error; err != nil {
		return nil, nil, false, err
	}
	siteIDs := map[string]bool{}
	orderIDs := make([]string, 0, len(orders))
	for _, o := range orders {
		siteIDs[o.PickupSiteID], siteIDs[o.DeliverySiteID] = true, true
		orderIDs = append(orderIDs, o.ID)
	}
	for _, p := range plans {
		if p.FromSiteID != nil {
			siteIDs[*p.FromSiteID] = true
		}
		if p.ToSiteID != nil {
			siteIDs[*p.ToSiteID] = true
		}
	}
	sites := map[string]placeRow{}
	if len(siteIDs) > 0 {
		var rows []placeRow
		if err := tx.Table("sites").Select("id, name, lat, lon, exact_point_public, organization_id").Where("id IN ?", sorted(siteIDs)).Find(&rows).Error; err != nil {
			return nil, nil, false, err
		}
		for _, r := range rows {
			sites[r.ID] = r
		}
	}
	weekly := map[string]map[string]int{}
	tonnes := map[string]float64{}
	if len(orderIDs) > 0 {
		var pls []PlannedLoad
		if err := tx.Where("order_id IN ? AND day >= ? AND day <= ?", orderIDs, from, to).Find(&pls).Error; err != nil {
			return nil, nil, false, err
		}
		for _, pl := range pls {
			if weekly[pl.OrderID] == nil {
				weekly[pl.OrderID] = map[string]int{}
			}
			weekly[pl.OrderID][isoWeek(pl.Day)] += pl.Loads
			tonnes[pl.OrderID] += pl.Tonnes
		}
	}
	out := make([]Planned, 0, len(orders)+len(plans))
	for _, o := range orders {
		ps, ds := sites[o.PickupSiteID], sites[o.DeliverySiteID]
		it := Planned{Kind: "order", ID: o.ID, Fraction: o.Fraction, DateFrom: o.DateFrom, DateTo: o.DateTo, LoadsPerDay: o.LoadsPerDay,
			From: Place{SiteID: ps.ID, Name: ps.Name, Lat: ps.Lat, Lon: ps.Lon}, To: Place{SiteID: ds.ID, Name: ds.Name, Lat: ds.Lat, Lon: ds.Lon},
			Organizations: []string{o.TransporterName, o.SupplierName, o.ReceiverName}, OrgIDs: []string{o.TransporterOrgID, o.SupplierOrgID, o.ReceiverOrgID}}
		it.Weeks, it.Loads = weeksOf(weekly[o.ID])
		it.Tonnes = math.Round(tonnes[o.ID]*10) / 10
		out = append(out, it)
	}
	for _, p := range plans {
		it := Planned{Kind: "plan", ID: p.ID, Fraction: p.Fraction, Tonnes: p.Tonnes, DateFrom: p.DateFrom, DateTo: p.DateTo, LoadsPerDay: p.LoadsPerDay,
			From: Place{Name: p.FromName, Lat: p.FromLat, Lon: p.FromLon}, To: Place{Name: p.ToName, Lat: p.ToLat, Lon: p.ToLon},
			Organizations: []string{p.OrganizationName}, OrgIDs: []string{p.OrganizationID}}
		if p.FromSiteID != nil {
			it.From.SiteID = *p.FromSiteID
		}
		if p.ToSiteID != nil {
			it.To.SiteID = *p.ToSiteID
		}
		w := map[string]int{}
		lo, hi := maxTime(p.DateFrom, from), minTime(p.DateTo, to)
		for _, d := range days(lo, hi) {
			w[isoWeek(d)] += p.LoadsPerDay
		}
		it.Weeks, it.Loads = weeksOf(w)
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DateFrom.Equal(out[j].DateFrom) {
			return out[i].DateFrom.Before(out[j].DateFrom)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > MaxOverviewItems {
		return out[:MaxOverviewItems], sites, true, nil
	}
	return out, sites, false, nil
}

func weeksOf(m map[string]int) ([]WeekLoads, int) {
	out := make([]WeekLoads, 0, len(m))
	total := 0
	for w, n := range m {
		out = append(out, WeekLoads{Week: w, Loads: n})
		total += n
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week < out[j].Week })
	return out, total
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Planned is the overview of planned transports for a member of the
// region (transport:read): orders and plans with their parties. A project
// site's point the viewer's organizations do not own and that its owner
// keeps private is shown as its ~1 km cell, as everywhere else.
func (s *Service) Planned(ctx context.Context, f Filter) (*Overview, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	from, to, err := s.window(f)
	if err != nil {
		return nil, err
	}
	ov := &Overview{From: from, To: to, Items: []Planned{}, Weeks: []WeekLoads{}}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		items, sites, truncated, err := s.collect(tx, f, from, to)
		if err != nil {
			return err
		}
		ov.Truncated = truncated
		orgs, obs := orgsOf(a), observer(a)
		coarse := func(p *Place, party bool) {
			st, ok := sites[p.SiteID]
			if !ok || st.ExactPointPublic || obs || party || orgs[st.OrganizationID] {
				return
			}
			p.Lat, p.Lon = geo.Cell(p.Lat, p.Lon)
			p.Approximate = true
		}
		total := map[string]int{}
		for i := range items {
			party := false
			for _, o := range items[i].OrgIDs {
				party = party || orgs[o]
			}
			coarse(&items[i].From, party)
			coarse(&items[i].To, party)
			for _, w := range items[i].Weeks {
				total[w.Week] += w.Loads
			}
		}
		ov.Items = items
		ov.Weeks, _ = weeksOf(total)
		return nil
	})
	return ov, err
}

// Corridor is the public, anonymised form of planned transports: the
// loads of one ISO week between two ~1 km cells, of one fraction. No
// parties, no sites, no exact points.
type Corridor struct {
	Week     string  `json:"week"`
	FromLat  float64 `json:"from_lat"`
	FromLon  float64 `json:"from_lon"`
	ToLat    float64 `json:"to_lat"`
	ToLon    float64 `json:"to_lon"`
	Fraction string  `json:"fraction"`
	Loads    int     `json:"loads"`
}

// Corridors is the public aggregate.
type Corridors struct {
	From  time.Time  `json:"from"`
	To    time.Time  `json:"to"`
	Items []Corridor `json:"items"`
	// Other is, per ISO week, the loads of corridors with fewer than
	// MinCorridorItems orders and plans: shown as a sum, never as a
	// corridor (one order between two known sites names its parties).
	Other []WeekLoads `json:"other"`
	// Truncated: more planned transports match than are summed
	// (MaxOverviewItems).
	Truncated bool `json:"truncated" doc:"More planned transports match than are summed (500): the sums cover the first by start date; narrow the period or fraction"`
}

// MinCorridorItems is the fewest distinct orders and plans a public
// corridor's week must have to be shown.
const MinCorridorItems = 3

// Corridors is the public, anonymised aggregate of planned transports
// (anyone, the widgets): loads per corridor (cell to cell) and ISO week,
// filtered by period and fraction only.
func (s *Service) Corridors(ctx context.Context, f Filter) (*Corridors, error) {
	f.SiteID, f.OrganizationID = "", "" // filters that would name parties
	from, to, err := s.window(f)
	if err != nil {
		return nil, err
	}
	out := &Corridors{From: from, To: to, Items: []Corridor{}, Other: []WeekLoads{}}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		items, _, truncated, err := s.collect(tx, f, from, to)
		if err != nil {
			return err
		}
		out.Truncated = truncated
		agg := map[Corridor]int{}
		count := map[Corridor]int{} // distinct orders and plans
		for _, it := range items {
			fl, fo := geo.Cell(it.From.Lat, it.From.Lon)
			tl, tlo := geo.Cell(it.To.Lat, it.To.Lon)
			for _, w := range it.Weeks {
				k := Corridor{Week: w.Week, FromLat: fl, FromLon: fo, ToLat: tl, ToLon: tlo, Fraction: it.Fraction}
				agg[k] += w.Loads
				count[k]++
			}
		}
		other := map[string]int{}
		for k, n := range agg {
			if count[k] < MinCorridorItems {
				other[k.Week] += n
				continue
			}
			k.Loads = n
			out.Items = append(out.Items, k)
		}
		out.Other, _ = weeksOf(other)
		sort.Slice(out.Items, func(i, j int) bool {
			a, b := out.Items[i], out.Items[j]
			if a.Week != b.Week {
				return a.Week < b.Week
			}
			if a.Loads != b.Loads {
				return a.Loads > b.Loads
			}
			return fmt.Sprint(a) < fmt.Sprint(b)
		})
		return nil
	})
	return out, err
}
