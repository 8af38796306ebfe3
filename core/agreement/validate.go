package agreement

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// PartyInput names a party: its organization, optionally its project or
// facility and the one person who signs for it.
type PartyInput struct {
	OrganizationID  string `json:"organization_id"`
	SiteID          string `json:"site_id,omitempty"`
	SignatoryUserID string `json:"signatory_user_id,omitempty"`
}

// Input is the body of a new agreement and of new terms (an edit, a
// counter-proposal, an amendment): the whole set of terms each time.
type Input struct {
	TemplateKey string `json:"template_key,omitempty"`
	Locale      string `json:"locale,omitempty"`
	// DialogID and MatchID link the dialog and match the agreement came from.
	DialogID            string     `json:"dialog_id,omitempty"`
	MatchID             string     `json:"match_id,omitempty"`
	Title               string     `json:"title"`
	Supplier            PartyInput `json:"supplier"`
	Receiver            PartyInput `json:"receiver"`
	ListingIDs          []string   `json:"listing_ids"`
	Fractions           []string   `json:"fractions"`
	ConditionClass      int        `json:"condition_class"`
	SampleIDs           []string   `json:"sample_ids,omitempty"`
	DocumentIDs         []string   `json:"document_ids,omitempty"`
	QuantityTonnes      float64    `json:"quantity_tonnes"`
	QuantityM3          float64    `json:"quantity_m3,omitempty"`
	VolumeState         string     `json:"volume_state,omitempty"`
	Density             float64    `json:"density,omitempty"`
	TolerancePct        float64    `json:"tolerance_pct"`
	PriceNOK            float64    `json:"price_nok"`
	PriceUnit           string     `json:"price_unit"`
	Payer               string     `json:"payer"`
	PeriodFrom          string     `json:"period_from"`
	PeriodTo            string     `json:"period_to"`
	DeliveryPoint       string     `json:"delivery_point"`
	OpeningHours        string     `json:"opening_hours,omitempty"`
	Transport           string     `json:"transport"`
	Transporter         string     `json:"transporter,omitempty"`
	QualityRequirements string     `json:"quality_requirements,omitempty"`
	VisualCheckEachLoad bool       `json:"visual_check_each_load"`
	SampleEveryNLoads   int        `json:"sample_every_n_loads"`
	RejectedLoad        string     `json:"rejected_load,omitempty"`
	InvasiveSpecies     string     `json:"invasive_species,omitempty"`
	FreeText            string     `json:"free_text,omitempty"`
}

// InputOf is the input that gives terms t (to edit them).
func InputOf(ag *Agreement, t Terms) Input {
	in := Input{TemplateKey: ag.TemplateKey, Locale: ag.Locale, Title: t.Title,
		Supplier:   PartyInput{OrganizationID: t.Supplier.OrganizationID, SiteID: t.Supplier.SiteID, SignatoryUserID: t.Supplier.SignatoryUserID},
		Receiver:   PartyInput{OrganizationID: t.Receiver.OrganizationID, SiteID: t.Receiver.SiteID, SignatoryUserID: t.Receiver.SignatoryUserID},
		ListingIDs: t.ListingIDs, Fractions: t.Fractions, ConditionClass: t.ConditionClass, SampleIDs: t.SampleIDs, DocumentIDs: t.DocumentIDs,
		QuantityTonnes: t.QuantityTonnes, QuantityM3: t.QuantityM3, VolumeState: t.VolumeState, Density: t.Density, TolerancePct: t.TolerancePct,
		PriceNOK: t.PriceNOK, PriceUnit: t.PriceUnit, Payer: t.Payer, PeriodFrom: t.PeriodFrom, PeriodTo: t.PeriodTo,
		DeliveryPoint: t.DeliveryPoint, OpeningHours: t.OpeningHours, Transport: t.Transport, Transporter: t.Transporter,
		QualityRequirements: t.QualityRequirements, VisualCheckEachLoad: t.VisualCheckEachLoad, SampleEveryNLoads: t.SampleEveryNLoads,
		RejectedLoad: t.RejectedLoad, InvasiveSpecies: t.InvasiveSpecies, FreeText: t.FreeText}
	if ag.DialogID != nil {
		in.DialogID = *ag.DialogID
	}
	if ag.MatchID != nil {
		in.MatchID = *ag.MatchID
	}
	return in
}

const (
	maxTonnes = 50_000_000.0
	maxPrice  = 100_000.0
	maxText   = 4000
)

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

func inSet(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func enumErr(v *fail.Validation, field string, set []string) {
	v.Add(field, "enum", "ErrFieldEnum", "Allowed", strings.Join(set, ", "))
}

func text(v *fail.Validation, field, s string, max int, required bool) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	long := max >= maxText
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !(long && (r == '\n' || r == '\t')) }):
		// Control characters (NUL, BEL, ESC, …) have no place in a
		// contract; long texts keep their line breaks and tabs.
		v.Add(field, "invalid", "ErrFieldInvalid")
	case required && s == "":
		v.Add(field, "required", "ErrFieldRequired")
	case len([]rune(s)) > max:
		v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
	}
	return s
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// terms validates an input into terms: the parties and their sites and
// signatories, the listings, the quantity (tonnes from m³ at the fraction's
// density when only m³ is given), price, period and texts. Listings must
// belong to a party and have enough left: checked by the caller with
// checkLeft.
func (s *Service) terms(tx *gorm.DB, in *Input, v *fail.Validation) Terms {
	t := Terms{Title: text(v, "title", in.Title, 200, true)}
	t.Supplier = party(tx, v, "supplier", in.Supplier)
	t.Receiver = party(tx, v, "receiver", in.Receiver)
	if t.Supplier.OrganizationID != "" && t.Supplier.OrganizationID == t.Receiver.OrganizationID {
		v.Add("receiver.organization_id", "same_party", "ErrAgreementSameParty")
	}
	// Listings: of the tenant, of one of the parties, not drafts.
	t.ListingIDs = []string{}
	seen := map[string]bool{}
	for _, id := range in.ListingIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		var l market.Listing
		if !store.ValidID(id) || tx.Where("id = ?", id).Limit(1).Find(&l).Error != nil || l.ID == "" {
			v.Add("listing_ids", "not_found", "ErrAgreementListing")
			continue
		}
		if l.OrganizationID != t.Supplier.OrganizationID && l.OrganizationID != t.Receiver.OrganizationID {
			v.Add("listing_ids", "not_party", "ErrAgreementListingParty")
			continue
		}
		if l.Status == market.StatusDraft || l.Status == market.StatusClosed {
			v.Add("listing_ids", "closed", "ErrAgreementListingClosed")
			continue
		}
		t.ListingIDs = append(t.ListingIDs, id)
	}
	if len(t.ListingIDs) > 2 {
		v.Add("listing_ids", "too_many", "ErrFieldTooLong", "Max", 2)
	}
	t.Fractions = []string{}
	for _, f := range in.Fractions {
		if _, ok := fraction.ByCode(f); !ok {
			v.Add("fractions", "unknown_fraction", "ErrUnknownFraction", "Fraction", f)
			continue
		}
		if !inSet(f, t.Fractions) {
			t.Fractions = append(t.Fractions, f)
		}
	}
	if len(in.Fractions) == 0 {
		v.Add("fractions", "required", "ErrFieldRequired")
	}
	if in.ConditionClass < 0 || in.ConditionClass > market.HazardousClass {
		v.Add("condition_class", "range", "ErrFieldRange", "Min", 0, "Max", market.HazardousClass)
	}
	t.ConditionClass = in.ConditionClass
	t.SampleIDs, t.DocumentIDs = refs(tx, v, "sample_ids", "lab_samples", in.SampleIDs, t.ListingIDs), refs(tx, v, "document_ids", "documents", in.DocumentIDs, t.ListingIDs)
	quantity(&t, in, v)
	if t.TolerancePct = in.TolerancePct; !finite(in.TolerancePct) || in.TolerancePct < 0 || in.TolerancePct > 50 {
		v.Add("tolerance_pct", "range", "ErrFieldRange", "Min", 0, "Max", 50)
	}
	if t.PriceNOK = math.Round(in.PriceNOK*100) / 100; !finite(in.PriceNOK) || math.Abs(in.PriceNOK) > maxPrice {
		v.Add("price_nok", "range", "ErrFieldRange", "Min", -maxPrice, "Max", maxPrice)
	}
	if t.PriceUnit = in.PriceUnit; !inSet(in.PriceUnit, PriceUnits) {
		enumErr(v, "price_unit", PriceUnits)
	}
	if t.Payer = in.Payer; !inSet(in.Payer, Payers) {
		enumErr(v, "payer", Payers)
	}
	from, okF := parseDate(in.PeriodFrom)
	to, okT := parseDate(in.PeriodTo)
	if !okF {
		v.Add("period_from", "date", "ErrFieldInvalid")
	}
	if !okT {
		v.Add("period_to", "date", "ErrFieldInvalid")
	}
	if okF && okT {
		if to.Before(from) {
			v.Add("period_to", "date_order", "ErrDateOrder")
		} else if to.After(from.AddDate(10, 0, 0)) {
			v.Add("period_to", "range", "ErrAgreementPeriodLong")
		}
		t.PeriodFrom, t.PeriodTo = from.Format("2006-01-02"), to.Format("2006-01-02")
	}
	t.DeliveryPoint = text(v, "delivery_point", in.DeliveryPoint, 500, true)
	t.OpeningHours = text(v, "opening_hours", in.OpeningHours, 200, false)
	if t.Transport = in.Transport; !inSet(in.Transport, Transports) {
		enumErr(v, "transport", Transports)
	}
	t.Transporter = text(v, "transporter", in.Transporter, 200, false)
	t.QualityRequirements = text(v, "quality_requirements", in.QualityRequirements, maxText, false)
	t.VisualCheckEachLoad = in.VisualCheckEachLoad
	if t.SampleEveryNLoads = in.SampleEveryNLoads; in.SampleEveryNLoads < 0 || in.SampleEveryNLoads > 10000 {
		v.Add("sample_every_n_loads", "range", "ErrFieldRange", "Min", 0, "Max", 10000)
	}
	t.RejectedLoad = text(v, "rejected_load", in.RejectedLoad, maxText, false)
	t.InvasiveSpecies = text(v, "invasive_species", in.InvasiveSpecies, maxText, false)
	t.FreeText = text(v, "free_text", in.FreeText, 20000, false)
	return t
}

// quantity checks the quantity and fills in what follows from it: tonnes
// from m³ at the density (the fraction's, in the volume state, unless one
// is given), or m³ from tonnes.
func quantity(t *Terms, in *Input, v *fail.Validation) {
	t.VolumeState = in.VolumeState
	if t.VolumeState == "" {
		t.VolumeState = "in_place"
	}
	if !inSet(t.VolumeState, VolumeStates) {
		enumErr(v, "volume_state", VolumeStates)
	}
	for f, q := range map[string]float64{"quantity_tonnes": in.QuantityTonnes, "quantity_m3": in.QuantityM3} {
		if !finite(q) || q < 0 || q > maxTonnes {
			v.Add(f, "range", "ErrFieldRange", "Min", 0, "Max", maxTonnes)
		}
	}
	if in.QuantityTonnes <= 0 && in.QuantityM3 <= 0 {
		if in.QuantityTonnes == 0 && in.QuantityM3 == 0 {
			v.Add("quantity_tonnes", "required", "ErrFieldRequired")
		}
		return
	}
	d := in.Density
	if !finite(d) || d < 0 || d > 5 {
		v.Add("density", "range", "ErrFieldRange", "Min", 0, "Max", 5)
		return
	}
	if d == 0 && len(t.Fractions) > 0 {
		if f, ok := fraction.ByCode(t.Fractions[0]); ok {
			d = f.DensityInPlace
			if t.VolumeState == "loose" || d == 0 {
				d = f.DensityLoose
			}
		}
	}
	t.Density = d
	t.QuantityTonnes, t.QuantityM3 = in.QuantityTonnes, in.QuantityM3
	switch {
	case t.QuantityTonnes == 0 && d > 0:
		t.QuantityTonnes = math.Round(t.QuantityM3 * d)
	case t.QuantityM3 == 0 && d > 0:
		t.QuantityM3 = math.Round(t.QuantityTonnes / d)
	case t.QuantityTonnes == 0:
		v.Add("quantity_tonnes", "required", "ErrFieldRequired")
	}
}

// party resolves a party: the organization of the tenant, its site, and a
// signatory who is an approved admin of it.
func party(tx *gorm.DB, v *fail.Validation, field string, in PartyInput) Party {
	var o directory.Organization
	if !store.ValidID(in.OrganizationID) || tx.Where("id = ?", in.OrganizationID).Limit(1).Find(&o).Error != nil || o.ID == "" {
		v.Add(field+".organization_id", "not_found", "ErrAgreementOrg")
		return Party{}
	}
	p := Party{OrganizationID: o.ID, Name: o.Name, OrgNumber: o.OrgNumber}
	if in.SiteID != "" {
		var st directory.Site
		if !store.ValidID(in.SiteID) || tx.Where("id = ? AND organization_id = ?", in.SiteID, o.ID).Limit(1).Find(&st).Error != nil || st.ID == "" {
			v.Add(field+".site_id", "not_found", "ErrAgreementSite")
		} else {
			p.SiteID, p.SiteName = st.ID, st.Name
		}
	}
	if in.SignatoryUserID != "" {
		var name string
		err := tx.Table("memberships").Joins("JOIN users ON users.id = memberships.user_id").
			Where("memberships.user_id = ? AND memberships.organization_id = ? AND memberships.status = ? AND memberships.role = ?", in.SignatoryUserID, o.ID, directory.StatusApproved, directory.AdminRole).
			Select("users.name").Limit(1).Scan(&name).Error
		if err != nil || name == "" {
			v.Add(field+".signatory_user_id", "not_admin", "ErrAgreementSignatory")
		} else {
			p.SignatoryUserID, p.SignatoryName = in.SignatoryUserID, name
		}
	}
	return p
}

// refs keeps the IDs of samples or documents of the agreement's listings.
func refs(tx *gorm.DB, v *fail.Validation, field, table string, ids, listings []string) []string {
	out := []string{}
	for _, id := range ids {
		if id == "" || inSet(id, out) {
			continue
		}
		var n int64
		if !store.ValidID(id) || len(listings) == 0 || tx.Table(table).Where("id = ? AND listing_id IN ?", id, listings).Count(&n).Error != nil || n == 0 {
			v.Add(field, "not_found", "ErrAgreementReference")
			continue
		}
		out = append(out, id)
	}
	return out
}

// checkLeft refuses terms for more than their listings have left beyond
// the tolerance: a listing's quantity less what agreements in force (other
// than except) have agreed. The listings are locked first (lockListings),
// so that two steps checking the same listing run one after the other.
func checkLeft(ctx context.Context, tx *gorm.DB, t Terms, except string, v *fail.Validation) error {
	left, short, err := shortfall(tx, t, except)
	if err != nil || !short {
		return err
	}
	v.Add("quantity_tonnes", "more_than_left", "ErrAgreementMoreThanLeft", "Left", math.Floor(math.Max(left, 0)))
	return nil
}

// shortfall locks t's listings and reports whether t agrees more than one
// of them has left (beyond the tolerance), and what that one has left.
func shortfall(tx *gorm.DB, t Terms, except string) (left float64, short bool, err error) {
	if err := lockListings(tx, t.ListingIDs); err != nil {
		return 0, false, err
	}
	for _, id := range t.ListingIDs {
		left, err := market.LeftTx(tx, id, except)
		if err != nil {
			return 0, false, err
		}
		if t.QuantityTonnes > left*(1+t.TolerancePct/100)+0.5 {
			return left, true, nil
		}
	}
	return 0, false, nil
}

// lockListings takes the row locks of listings ids for the transaction, in
// ID order (no deadlock between two steps locking the same two): an update
// that changes nothing locks the row on Postgres and takes the write lock
// on SQLite, like loadTx. What the listings have left, read after, cannot
// change under the transaction.
func lockListings(tx *gorm.DB, ids []string) error {
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	for i, id := range sorted {
		if id == "" || (i > 0 && id == sorted[i-1]) || !store.ValidID(id) {
			continue
		}
		if err := tx.Model(&market.Listing{}).Where("id = ?", id).Update("updated_at", gorm.Expr("updated_at")).Error; err != nil {
			return err
		}
	}
	return nil
}
