package climate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Period is a span of whole months (YYYY-MM, Oslo), both ends included.
type Period struct {
	From string `query:"from" json:"from,omitempty"`
	To   string `query:"to" json:"to,omitempty"`
}

// DefaultMonths is the period shown when none is asked for: the last 12
// months, this one included.
const DefaultMonths = 12

// MaxMonths is the longest period one account spans.
const MaxMonths = 120

var monthRe = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

func parseMonth(s string) (int, bool) {
	m := monthRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if y < 2000 || y > 2100 {
		return 0, false
	}
	return y*12 + mo - 1, true
}

func monthString(n int) string { return fmt.Sprintf("%04d-%02d", n/12, n%12+1) }

// check fills a period's defaults (the last 12 months to now) and
// validates it.
func (p *Period) check(now time.Time) (from, to int, err error) {
	v := &fail.Validation{}
	cur, _ := parseMonth(Month(now))
	to, from = cur, cur-DefaultMonths+1
	if p.To != "" {
		n, ok := parseMonth(p.To)
		if !ok {
			v.Add("to", "format", "ErrClimatePeriod")
		}
		to = n
	}
	if p.From != "" {
		n, ok := parseMonth(p.From)
		if !ok {
			v.Add("from", "format", "ErrClimatePeriod")
		}
		from = n
	} else if p.To != "" {
		from = to - DefaultMonths + 1
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	switch {
	case from > to:
		v.Add("to", "order", "ErrClimatePeriodOrder")
	case to-from+1 > MaxMonths:
		v.Add("from", "too_long", "ErrClimatePeriodTooLong", "Max", MaxMonths)
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	p.From, p.To = monthString(from), monthString(to)
	return from, to, nil
}

func observer(a *access.Actor) bool { return a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor) }

var muniRe = regexp.MustCompile(`^\d{4}$`)

// target is a scope the actor asked for, as found.
type target struct {
	kind, id, name string
	// orgs are the organizations whose members read it and whose admins
	// recompute it.
	orgs []string
}

// find checks the scope and the actor's right to read it: members read
// their organizations' accounts and their projects' and agreements';
// tenant admins and supervisors every account of the region.
func (s *Service) find(ctx context.Context, tx *gorm.DB, kind, id string) (*target, error) {
	a := access.From(ctx)
	t := &target{kind: kind, id: id}
	switch kind {
	case ScopeRegion:
		t.id = RegionID
	case ScopeMunicipality:
		if !muniRe.MatchString(id) {
			return nil, fail.NotFoundErr()
		}
		var n int64
		if err := tx.Table("sites").Where("municipality_no = ?", id).Count(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fail.NotFoundErr()
		}
		t.name = MunicipalityName(id)
	case ScopeAgreement:
		if !store.ValidID(id) {
			return nil, fail.NotFoundErr()
		}
		var ag struct{ Number, SupplierOrgID, ReceiverOrgID string }
		if err := tx.Table("agreements").Select("number, supplier_org_id, receiver_org_id").Where("id = ?", id).Take(&ag).Error; err != nil {
			return nil, store.NotFoundOr(err)
		}
		t.name, t.orgs = ag.Number, []string{ag.SupplierOrgID, ag.ReceiverOrgID}
	case ScopeProject:
		if !store.ValidID(id) {
			return nil, fail.NotFoundErr()
		}
		var st struct{ Name, OrganizationID string }
		if err := tx.Table("sites").Select("name, organization_id").Where("id = ? AND kind = ?", id, "project").Take(&st).Error; err != nil {
			return nil, store.NotFoundOr(err)
		}
		t.name, t.orgs = st.Name, []string{st.OrganizationID}
	case ScopeOrganization:
		if !store.ValidID(id) {
			return nil, fail.NotFoundErr()
		}
		var name string
		if err := tx.Table("organizations").Select("name").Where("id = ?", id).Take(&name).Error; err != nil {
			return nil, store.NotFoundOr(err)
		}
		t.name, t.orgs = name, []string{id}
	default:
		return nil, fail.NotFoundErr()
	}
	if observer(a) {
		return t, nil
	}
	switch kind {
	case ScopeRegion, ScopeMunicipality:
		return nil, fail.ForbiddenErr()
	case ScopeOrganization:
		if a.Principal.Orgs[id] == "" {
			return nil, access.NotOwnOrganization()
		}
		return t, nil
	}
	for _, o := range t.orgs {
		if a.Principal.Orgs[o] != "" {
			return t, nil
		}
	}
	return nil, fail.NotFoundErr()
}

// canRecompute: tenant admins, and the admins of the scope's organizations
// (not for the region or a municipality).
func canRecompute(a *access.Actor, t *target) bool {
	if a.IsAdmin() {
		return true
	}
	for _, o := range t.orgs {
		if a.Principal.Orgs[o] == "admin" {
			return true
		}
	}
	return false
}

// Get reads a scope's account over a period: the recorded figures
// (variant "" or "recorded") or a recompute with a factor set.
func (s *Service) Get(ctx context.Context, kind, id string, p Period, variant string) (*Account, error) {
	from, to, err := p.check(s.now())
	if err != nil {
		return nil, err
	}
	if variant == "" {
		variant = Recorded
	}
	var acc *Account
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		t, err := s.find(ctx, tx, kind, id)
		if err != nil {
			return err
		}
		var recs []Recompute
		if err := tx.Where("scope_kind = ? AND scope_id = ?", t.kind, t.id).Order("factor_set").Find(&recs).Error; err != nil {
			return err
		}
		var recorded []string
		if err := tx.Model(&Cell{}).Where("scope_kind = ? AND scope_id = ? AND variant = ?", t.kind, t.id, Recorded).Distinct().Pluck("factor_set", &recorded).Error; err != nil {
			return err
		}
		if variant != Recorded {
			found := false
			for _, r := range recs {
				found = found || r.FactorSet == variant
			}
			switch {
			case found:
			case len(recorded) == 1 && recorded[0] == variant:
				// The set every recorded load used: that is the
				// recorded account.
				variant = Recorded
			default:
				v := &fail.Validation{}
				v.Add("set", "unknown", "ErrClimateSetUnknown")
				return v.Err()
			}
		}
		var cells []Cell
		if err := tx.Where("scope_kind = ? AND scope_id = ? AND variant = ? AND month >= ? AND month <= ?", t.kind, t.id, variant, p.From, p.To).
			Find(&cells).Error; err != nil {
			return err
		}
		acc = build(cells, from, to)
		acc.Scope, acc.ID, acc.Name, acc.Variant, acc.Recomputes = t.kind, t.id, t.name, variant, recs
		acc.CanRecompute = canRecompute(access.From(ctx), t)
		acc.Newer = newer(recorded)
		if len(acc.FactorSets) == 0 {
			if variant != Recorded {
				acc.FactorSets = []string{variant}
			} else {
				acc.FactorSets = recorded
			}
		}
		return nil
	})
	return acc, err
}

// newer are the registered sets newer than every set the recorded account
// used (every set but the default when it has no loads yet).
func newer(recorded []string) []string {
	if len(recorded) == 0 {
		recorded = []string{emissions.Default.Name}
	}
	count := map[string]int{}
	for _, r := range recorded {
		for _, fs := range emissions.Newer(r) {
			count[fs.Name]++
		}
	}
	out := []string{}
	for _, fs := range emissions.Sets() {
		if count[fs.Name] == len(recorded) {
			out = append(out, fs.Name)
		}
	}
	return out
}

// build sums cells into an account over months from..to.
func build(cells []Cell, from, to int) *Account {
	acc := &Account{From: monthString(from), To: monthString(to), Months: []Row{}, Fractions: []Row{}, Municipalities: []Row{}, Rows: []Row{}, FactorSets: []string{}}
	months := map[string]*Row{}
	for n := from; n <= to; n++ {
		m := monthString(n)
		acc.Months = append(acc.Months, Row{Month: m})
	}
	for i := range acc.Months {
		months[acc.Months[i].Month] = &acc.Months[i]
	}
	fr, mu, mf := map[string]*Row{}, map[string]*Row{}, map[[2]string]*Row{}
	sets := map[string]bool{}
	for _, c := range cells {
		acc.Totals.add(c.Figures)
		if r := months[c.Month]; r != nil {
			r.add(c.Figures)
		}
		rowOf(fr, c.Fraction, func() *Row { return &Row{Fraction: c.Fraction} }).add(c.Figures)
		rowOf(mu, c.MunicipalityNo, func() *Row { return &Row{MunicipalityNo: c.MunicipalityNo, Label: MunicipalityName(c.MunicipalityNo)} }).add(c.Figures)
		k := [2]string{c.Month, c.Fraction}
		if mf[k] == nil {
			mf[k] = &Row{Month: c.Month, Fraction: c.Fraction}
		}
		mf[k].add(c.Figures)
		sets[c.FactorSet] = true
	}
	largest := func(m map[string]*Row) []Row {
		out := make([]Row, 0, len(m))
		for _, r := range m {
			out = append(out, *r)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Tonnes != out[j].Tonnes {
				return out[i].Tonnes > out[j].Tonnes
			}
			return out[i].Fraction+out[i].MunicipalityNo < out[j].Fraction+out[j].MunicipalityNo
		})
		return out
	}
	acc.Fractions, acc.Municipalities = largest(fr), largest(mu)
	for _, r := range mf {
		acc.Rows = append(acc.Rows, *r)
	}
	sort.Slice(acc.Rows, func(i, j int) bool {
		if acc.Rows[i].Month != acc.Rows[j].Month {
			return acc.Rows[i].Month < acc.Rows[j].Month
		}
		return acc.Rows[i].Fraction < acc.Rows[j].Fraction
	})
	for k := range sets {
		acc.FactorSets = append(acc.FactorSets, k)
	}
	sort.Strings(acc.FactorSets)
	acc.Totals = roundFig(acc.Totals)
	acc.ZeroShare = acc.Totals.ZeroShare()
	for _, rows := range [][]Row{acc.Months, acc.Fractions, acc.Municipalities, acc.Rows} {
		for i := range rows {
			rows[i].Figures = roundFig(rows[i].Figures)
			rows[i].ZeroShare = rows[i].Figures.ZeroShare()
		}
	}
	return acc
}

func rowOf(m map[string]*Row, k string, mk func() *Row) *Row {
	r := m[k]
	if r == nil {
		r = mk()
		m[k] = r
	}
	return r
}

func (r *Row) add(f Figures) { r.Figures.add(f) }

// scopeCond selects a scope's counted loads (loadSelect's aliases).
func scopeCond(kind string) string {
	c := ""
	switch kind {
	case ScopeAgreement:
		c = "l.agreement_id = @sid"
	case ScopeProject:
		c = "((l.pickup_site_id = @sid AND ps.kind = 'project') OR (l.delivery_site_id = @sid AND ds.kind = 'project'))"
	case ScopeOrganization:
		c = "(l.supplier_org_id = @sid OR l.receiver_org_id = @sid)"
	case ScopeMunicipality:
		c = "ps.municipality_no = @sid"
	default:
		c = "@sid = @sid"
	}
	return c + " AND EXISTS (SELECT 1 FROM climate_loads c WHERE c.tenant_id = l.tenant_id AND c.id = l.id)"
}

// RecomputeInput asks for a scope's account recomputed with a factor set.
type RecomputeInput struct {
	FactorSet string `json:"factor_set"`
}

// Recompute recomputes a scope's account with a newer registered factor
// set, on request (a tenant admin, or an admin of the scope's
// organization): the recorded account stays as it was, and the
// recomputed one is kept beside it, with who asked and when; new loads
// update both. Asking again with the same set computes it afresh.
func (s *Service) Recompute(ctx context.Context, kind, id string, in RecomputeInput) (*Recompute, error) {
	a := access.From(ctx)
	fs, ok := emissions.Lookup(in.FactorSet)
	if !ok {
		v := &fail.Validation{}
		v.Add("factor_set", "unknown", "ErrClimateSetUnknown")
		return nil, v.Err()
	}
	var rec Recompute
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx); err != nil {
			return err
		}
		t, err := s.find(ctx, tx, kind, id)
		if err != nil {
			return err
		}
		if !canRecompute(a, t) {
			return fail.New(fail.Forbidden, "not_admin", "ErrClimateRecomputeAdmin")
		}
		var recorded []string
		if err := tx.Model(&Cell{}).Where("scope_kind = ? AND scope_id = ? AND variant = ?", t.kind, t.id, Recorded).Distinct().Pluck("factor_set", &recorded).Error; err != nil {
			return err
		}
		isNewer := false
		for _, n := range newer(recorded) {
			isNewer = isNewer || n == fs.Name
		}
		if !isNewer {
			v := &fail.Validation{}
			v.Add("factor_set", "not_newer", "ErrClimateSetNotNewer")
			return v.Err()
		}
		ls, err := loadRows(tx, countableCond+" AND "+scopeCond(t.kind), map[string]any{"sid": t.id})
		if err != nil {
			return err
		}
		cells := map[cellKey]*Figures{}
		loads := 0
		for i := range ls {
			l := &ls[i]
			f, err := l.figures(&fs)
			if err != nil {
				return err
			}
			loads += f.Loads
			sum(cells, []contribution{{cellKey{t.kind, t.id, fs.Name, Month(*l.ReceivedAt), l.Fraction, str(l.MunicipalityNo), fs.Name}, f}})
		}
		now := s.now()
		if err := tx.Where("scope_kind = ? AND scope_id = ? AND variant = ?", t.kind, t.id, fs.Name).Delete(&Cell{}).Error; err != nil {
			return err
		}
		if err := insertCells(tx, cells, now); err != nil {
			return err
		}
		err = tx.Where("scope_kind = ? AND scope_id = ? AND factor_set = ?", t.kind, t.id, fs.Name).Take(&rec).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			rec = Recompute{ID: store.NewID(), ScopeKind: t.kind, ScopeID: t.id, FactorSet: fs.Name, Loads: loads, RecomputedBy: a.UserID(), CreatedAt: now, UpdatedAt: now}
			return tx.Create(&rec).Error
		case err != nil:
			return err
		}
		rec.Loads, rec.RecomputedBy, rec.UpdatedAt = loads, a.UserID(), now
		return tx.Model(&Recompute{}).Where("id = ?", rec.ID).Updates(map[string]any{"loads": rec.Loads, "recomputed_by": rec.RecomputedBy, "updated_at": now}).Error
	})
	if err != nil {
		return nil, err
	}
	return &rec, nil
}
