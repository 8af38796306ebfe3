package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Resolve checks a query and the actor's right to it: a validation error
// for a bad kind or period, 404 for a scope that is not in the region (or
// a site that is not a project), 403 for a member of no party.
func (s *Service) Resolve(ctx context.Context, q Query) (*Scope, error) {
	v := &fail.Validation{}
	if q.Kind != KindProject && q.Kind != KindOrganization {
		v.Add("kind", "invalid", "ErrFieldInvalid")
	}
	if strings.TrimSpace(q.From) == "" && strings.TrimSpace(q.To) == "" { // neither: this year so far
		now := numfmt.Local(s.DB.Now())
		q.From, q.To = fmt.Sprintf("%04d-01-01", now.Year()), now.Format("2006-01-02")
	}
	start, until := period(v, q.From, q.To)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !store.ValidID(q.ID) {
		return nil, fail.NotFoundErr()
	}
	a := access.From(ctx)
	tid, _ := store.TenantID(ctx)
	sc := &Scope{Kind: q.Kind, ID: q.ID, From: strings.TrimSpace(q.From), To: strings.TrimSpace(q.To), TenantID: tid, Start: start, Until: until}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if q.Kind == KindOrganization {
			var o directory.Organization
			if err := tx.Select("id, name").Where("id = ?", q.ID).Take(&o).Error; err != nil {
				return store.NotFoundOr(err)
			}
			sc.Name, sc.OrgID, sc.OrgName = o.Name, o.ID, o.Name
			if !observer(a) && !member(a, o.ID) {
				return notParty()
			}
			return nil
		}
		var st directory.Site
		if err := tx.Select("id, name, kind, organization_id").Where("id = ?", q.ID).Take(&st).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if st.Kind != "project" {
			return fail.NotFoundErr()
		}
		sc.Name, sc.OrgID = st.Name, st.OrganizationID
		var names []string
		tx.Model(&directory.Organization{}).Where("id = ?", st.OrganizationID).Pluck("name", &names)
		if len(names) > 0 {
			sc.OrgName = names[0]
		}
		if observer(a) || member(a, st.OrganizationID) {
			return nil
		}
		// The parties of the project's loads and agreements.
		parties, err := s.projectParties(tx, st.ID)
		if err != nil {
			return err
		}
		if !member(a, parties...) {
			return notParty()
		}
		for _, o := range parties {
			if member(a, o) && !slices.Contains(sc.Parties, o) {
				sc.Parties = append(sc.Parties, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

func (s *Service) projectParties(tx *gorm.DB, siteID string) ([]string, error) {
	var rows []struct{ A, B string }
	err := store.Raw(tx, `SELECT supplier_org_id AS a, receiver_org_id AS b FROM agreements WHERE tenant_id = @tenant AND sealed_version > 0 AND id IN (`+projectAgreementIDs+`)`,
		map[string]any{"site": siteID, "like": siteLike(siteID)}).Scan(&rows).Error
	var out []string
	for _, r := range rows {
		out = append(out, r.A, r.B)
	}
	return out, err
}

// projectAgreementIDs selects the agreements of a project: those with a
// load from or to the site, and those whose terms name it.
const projectAgreementIDs = `SELECT agreement_id FROM loads WHERE tenant_id = @tenant AND (pickup_site_id = @site OR delivery_site_id = @site)
	UNION SELECT agreement_id FROM agreement_versions WHERE tenant_id = @tenant AND terms LIKE @like`

func siteLike(id string) string { return `%"site_id":"` + id + `"%` }

// loadCond is the scope's condition on loads (alias l).
func (sc *Scope) loadCond() string {
	if sc.Kind == KindProject {
		if len(sc.Parties) > 0 {
			return `(l.pickup_site_id = @id OR l.delivery_site_id = @id) AND (l.supplier_org_id IN @parties OR l.receiver_org_id IN @parties)`
		}
		return `(l.pickup_site_id = @id OR l.delivery_site_id = @id)`
	}
	return `(l.supplier_org_id = @id OR l.receiver_org_id = @id)`
}

func (sc *Scope) args() map[string]any {
	return map[string]any{"id": sc.ID, "site": sc.ID, "like": siteLike(sc.ID), "from": sc.Start, "until": sc.Until, "parties": sc.Parties}
}

// AgreementRow is an agreement concerned, with its sealed terms and its
// loads in the period.
type AgreementRow struct {
	ID             string     `json:"id"`
	Number         string     `json:"number"`
	Status         string     `json:"status"`
	Title          string     `json:"title"`
	SupplierOrgID  string     `json:"supplier_org_id"`
	SupplierName   string     `json:"supplier_name"`
	ReceiverOrgID  string     `json:"receiver_org_id"`
	ReceiverName   string     `json:"receiver_name"`
	Fraction       string     `json:"fraction"`
	ConditionClass int        `json:"condition_class"`
	Tonnes         float64    `json:"tonnes" doc:"Agreed quantity"`
	PeriodFrom     string     `json:"period_from"`
	PeriodTo       string     `json:"period_to"`
	PickupSiteID   string     `json:"pickup_site_id,omitempty"`
	PickupSite     string     `json:"pickup_site,omitempty"`
	DeliverySiteID string     `json:"delivery_site_id,omitempty"`
	DeliverySite   string     `json:"delivery_site,omitempty"`
	SealedAt       *time.Time `json:"sealed_at,omitempty"`
	SealHash       string     `json:"seal_hash,omitempty"`
	// In the period.
	Loads          int     `json:"loads"`
	Received       int     `json:"received"`
	AcceptedTonnes float64 `json:"accepted_tonnes"`
	KgCO2e         float64 `json:"kg_co2e"`
}

// agreements reads the agreements concerned: sealed before the period
// ends, not ended before it starts (or with loads in it).
func (s *Service) agreements(ctx context.Context, sc *Scope) ([]AgreementRow, error) {
	cond := `a.id IN (` + projectAgreementIDs + `)`
	if len(sc.Parties) > 0 {
		cond += ` AND (a.supplier_org_id IN @parties OR a.receiver_org_id IN @parties)`
	}
	if sc.Kind == KindOrganization {
		cond = `(a.supplier_org_id = @id OR a.receiver_org_id = @id)`
	}
	type row struct {
		ID, Number, Status, SupplierOrgID, ReceiverOrgID, SupplierName, ReceiverName, Fraction, SealHash, Terms string
		Tonnes                                                                                                  float64
		SealedAt                                                                                                *time.Time
		UpdatedAt                                                                                               time.Time
	}
	var rows []row
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return store.Raw(tx, `SELECT a.id, a.number, a.status, a.supplier_org_id, a.receiver_org_id, a.fraction, a.tonnes, a.seal_hash, a.sealed_at, a.updated_at,
			COALESCE(so.name, '') AS supplier_name, COALESCE(ro.name, '') AS receiver_name, COALESCE(v.terms, '') AS terms
			FROM agreements a
			LEFT JOIN organizations so ON so.tenant_id = a.tenant_id AND so.id = a.supplier_org_id
			LEFT JOIN organizations ro ON ro.tenant_id = a.tenant_id AND ro.id = a.receiver_org_id
			LEFT JOIN agreement_versions v ON v.tenant_id = a.tenant_id AND v.agreement_id = a.id AND v.version = a.sealed_version
			WHERE a.tenant_id = @tenant AND a.sealed_version > 0 AND a.sealed_at < @until AND `+cond+` ORDER BY a.number, a.id`, sc.args()).Scan(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]AgreementRow, 0, len(rows))
	for _, r := range rows {
		var t agreement.Terms
		if r.Terms != "" {
			_ = json.Unmarshal([]byte(r.Terms), &t)
		}
		ar := AgreementRow{ID: r.ID, Number: r.Number, Status: r.Status, Title: t.Title, SupplierOrgID: r.SupplierOrgID, SupplierName: r.SupplierName,
			ReceiverOrgID: r.ReceiverOrgID, ReceiverName: r.ReceiverName, Fraction: r.Fraction, ConditionClass: t.ConditionClass, Tonnes: r.Tonnes,
			PeriodFrom: t.PeriodFrom, PeriodTo: t.PeriodTo, PickupSiteID: t.Supplier.SiteID, PickupSite: t.Supplier.SiteName,
			DeliverySiteID: t.Receiver.SiteID, DeliverySite: t.Receiver.SiteName, SealHash: r.SealHash}
		if r.SealedAt != nil {
			x := r.SealedAt.UTC()
			ar.SealedAt = &x
		}
		ended := (r.Status == string(agreement.StatusCancelled) || r.Status == string(agreement.StatusCompleted)) && r.UpdatedAt.Before(sc.Start)
		if ended {
			ar.Status = "ended_before:" + ar.Status // dropped below unless it has loads in the period
		}
		out = append(out, ar)
	}
	return out, nil
}

// LoadRow is one load as the package and the API list it.
type LoadRow struct {
	ID              string     `json:"id"`
	Number          string     `json:"number"`
	Kind            string     `json:"kind"`
	AgreementID     string     `json:"agreement_id"`
	AgreementNumber string     `json:"agreement_number"`
	Status          string     `json:"status"`
	Fraction        string     `json:"fraction"`
	ConditionClass  int        `json:"condition_class"`
	SupplierOrgID   string     `json:"supplier_org_id"`
	ReceiverOrgID   string     `json:"receiver_org_id"`
	TransporterID   string     `json:"transporter_org_id"`
	PickupSiteID    string     `json:"pickup_site_id,omitempty"`
	DeliverySiteID  string     `json:"delivery_site_id,omitempty"`
	Registration    string     `json:"registration"`
	EuroClass       string     `json:"euro_class"`
	Fuel            string     `json:"fuel"`
	DepartedAt      time.Time  `json:"departed_at"`
	ReleasedAt      *time.Time `json:"released_at,omitempty"`
	ReceivedAt      *time.Time `json:"received_at,omitempty"`
	EstTonnes       float64    `json:"est_tonnes"`
	WeightTonnes    float64    `json:"weight_tonnes"`
	WeightMethod    string     `json:"weight_method,omitempty"`
	AcceptedTonnes  float64    `json:"accepted_tonnes"`
	Result          string     `json:"result,omitempty"`
	Reason          string     `json:"reason,omitempty"`
	Flags           haul.Flags `json:"flags"`
	KgCO2e          *float64   `json:"kg_co2e,omitempty"`
	RoadKm          *float64   `json:"road_km,omitempty"`
	FactorSet       string     `json:"factor_set,omitempty"`
}

const loadColumns = `l.id, l.number, l.kind, l.agreement_id, COALESCE(a.number, ''), l.status, l.fraction, l.supplier_org_id, l.receiver_org_id,
	l.transporter_org_id, COALESCE(l.pickup_site_id, ''), COALESCE(l.delivery_site_id, ''), l.registration,
	CASE WHEN l.vehicle_body_type <> '' THEN l.vehicle_euro_class ELSE COALESCE(v.euro_class, '') END,
	CASE WHEN l.vehicle_body_type <> '' THEN l.vehicle_fuel ELSE COALESCE(v.fuel, '') END,
	l.departed_at, l.released_at, l.received_at, l.est_tonnes, l.weight_tonnes, COALESCE(l.weight_method, ''), l.accepted_tonnes, COALESCE(l.result, ''),
	COALESCE(l.reason, ''), COALESCE(l.flags, ''), l.kg_co2e, l.road_km, COALESCE(l.factor_set, '')`

const loadFrom = ` FROM loads l
	LEFT JOIN vehicles v ON v.tenant_id = l.tenant_id AND v.id = l.vehicle_id
	LEFT JOIN agreements a ON a.tenant_id = l.tenant_id AND a.id = l.agreement_id`

func scanLoad(rows *sql.Rows, r *LoadRow) error {
	var rel, rec sql.NullTime
	var kg, km sql.NullFloat64
	var flags string
	if err := rows.Scan(&r.ID, &r.Number, &r.Kind, &r.AgreementID, &r.AgreementNumber, &r.Status, &r.Fraction, &r.SupplierOrgID, &r.ReceiverOrgID,
		&r.TransporterID, &r.PickupSiteID, &r.DeliverySiteID, &r.Registration, &r.EuroClass, &r.Fuel, &r.DepartedAt, &rel, &rec, &r.EstTonnes,
		&r.WeightTonnes, &r.WeightMethod, &r.AcceptedTonnes, &r.Result, &r.Reason, &flags, &kg, &km, &r.FactorSet); err != nil {
		return err
	}
	r.DepartedAt = r.DepartedAt.UTC()
	r.ReleasedAt, r.ReceivedAt, r.KgCO2e, r.RoadKm, r.Flags = nil, nil, nil, nil, haul.Flags{}
	if rel.Valid {
		t := rel.Time.UTC()
		r.ReleasedAt = &t
	}
	if rec.Valid {
		t := rec.Time.UTC()
		r.ReceivedAt = &t
	}
	if kg.Valid {
		x := kg.Float64
		r.KgCO2e = &x
	}
	if km.Valid {
		x := km.Float64
		r.RoadKm = &x
	}
	if flags != "" && flags != "[]" {
		_ = r.Flags.Scan(flags)
	}
	return nil
}

// eachLoad streams the scope's loads departed in the period, oldest
// first, scanning rows directly (a project can hold 50 000 loads). The row
// passed to fn is reused: copy what you keep.
func (s *Service) eachLoad(ctx context.Context, sc *Scope, fn func(*LoadRow) error) error {
	return s.DB.Read(ctx, func(tx *gorm.DB) error {
		rows, err := store.Raw(tx, `SELECT `+loadColumns+loadFrom+` WHERE l.tenant_id = @tenant AND `+sc.loadCond()+`
			AND l.departed_at >= @from AND l.departed_at < @until ORDER BY l.departed_at, l.id`, sc.args()).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var r LoadRow
		for rows.Next() {
			if err := scanLoad(rows, &r); err != nil {
				return err
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Loads lists the scope's loads in the period, oldest first (keyset pages).
func (s *Service) Loads(ctx context.Context, q Query, r page.Request) (page.Page[LoadRow], error) {
	sc, err := s.Resolve(ctx, q)
	if err != nil {
		return page.Page[LoadRow]{}, err
	}
	args := sc.args()
	where := ""
	if r.Cursor != "" {
		k, err := page.Decode(r.Cursor, 2)
		if err != nil {
			return page.Page[LoadRow]{}, err
		}
		at, perr := time.Parse(time.RFC3339Nano, k[0])
		if perr != nil {
			return page.Page[LoadRow]{}, page.BadCursor()
		}
		where = ` AND (l.departed_at > @at OR (l.departed_at = @at AND l.id > @lid))`
		args["at"], args["lid"] = at, k[1]
	}
	args["limit"] = r.Limit + 1
	classes, _ := s.classes(ctx, sc)
	var out []LoadRow
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		rows, err := store.Raw(tx, `SELECT `+loadColumns+loadFrom+` WHERE l.tenant_id = @tenant AND `+sc.loadCond()+`
			AND l.departed_at >= @from AND l.departed_at < @until`+where+` ORDER BY l.departed_at, l.id LIMIT @limit`, args).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x LoadRow
			if err := scanLoad(rows, &x); err != nil {
				return err
			}
			x.ConditionClass = classes[x.AgreementID]
			out = append(out, x)
		}
		return rows.Err()
	})
	if err != nil {
		return page.Page[LoadRow]{}, err
	}
	if out == nil {
		out = []LoadRow{}
	}
	return page.Cut(out, r.Limit, func(x LoadRow) page.Key { return page.Key{x.DepartedAt.Format(time.RFC3339Nano), x.ID} }), nil
}

// classes maps the scope's agreements to their condition class.
func (s *Service) classes(ctx context.Context, sc *Scope) (map[string]int, error) {
	ags, err := s.agreements(ctx, sc)
	out := map[string]int{}
	for _, a := range ags {
		out[a.ID] = a.ConditionClass
	}
	return out, err
}

// siteInfo is what the report needs of a site.
type siteInfo struct {
	ID, OrgID, Name, Kind, FacilityType, Address, City, MunicipalityNo string
	Lat, Lon                                                           float64
	Permits                                                            []directory.Permit
}

// sites reads the sites with the given IDs and their permits.
func (s *Service) sites(ctx context.Context, ids map[string]bool) (map[string]*siteInfo, error) {
	out := map[string]*siteInfo{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		if id != "" {
			list = append(list, id)
		}
	}
	sort.Strings(list)
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		for lo := 0; lo < len(list); lo += 500 {
			part := list[lo:min(lo+500, len(list))]
			var sts []directory.Site
			if err := tx.Select("id, organization_id, name, kind, facility_type, address, city, municipality_no, lat, lon").Where("id IN ?", part).Find(&sts).Error; err != nil {
				return err
			}
			for _, st := range sts {
				out[st.ID] = &siteInfo{ID: st.ID, OrgID: st.OrganizationID, Name: st.Name, Kind: st.Kind, FacilityType: st.FacilityType, Address: st.Address,
					City: st.City, MunicipalityNo: st.MunicipalityNo, Lat: st.Lat, Lon: st.Lon}
			}
			var ps []directory.Permit
			if err := tx.Where("site_id IN ?", part).Order("kind, reference, id").Find(&ps).Error; err != nil {
				return err
			}
			for _, p := range ps {
				if si := out[p.SiteID]; si != nil {
					si.Permits = append(si.Permits, p)
				}
			}
		}
		return nil
	})
	return out, err
}

// orgNames maps organization IDs to names.
func (s *Service) orgNames(ctx context.Context, ids map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	list := make([]string, 0, len(ids))
	for id := range ids {
		if id != "" {
			list = append(list, id)
		}
	}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		for lo := 0; lo < len(list); lo += 500 {
			var os []directory.Organization
			if err := tx.Select("id, name").Where("id IN ?", list[lo:min(lo+500, len(list))]).Find(&os).Error; err != nil {
				return err
			}
			for _, o := range os {
				out[o.ID] = o.Name
			}
		}
		return nil
	})
	return out, err
}

// Destination is where a receiving site puts masses: a project reuses
// them; a facility by its type.
func Destination(kind, facilityType string) string {
	if kind == "project" {
		return DestReuse
	}
	switch facilityType {
	case "receiving_site", "quarry", "port":
		return DestReuse
	case "recycling_plant", "environmental_park":
		return DestRecycling
	case "intermediate_storage":
		return DestStorage
	case "landfill":
		return DestLandfill
	}
	return DestOther
}
