package market

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// PlanLine is one row of a project's mass handling plan: masses cut
// (surplus) or filled (need) of one fraction in a period (a tenant table).
type PlanLine struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	SiteID         string    `json:"site_id"`
	Position       int       `json:"position"`
	Direction      string    `json:"direction"` // cut or fill
	Fraction       string    `json:"fraction"`
	QuantityValue  float64   `json:"quantity"`
	QuantityUnit   string    `json:"unit"`
	QuantityTonnes float64   `json:"quantity_tonnes"`
	PeriodFrom     time.Time `json:"period_from"`
	PeriodTo       time.Time `json:"period_to"`
	IntendedUse    string    `json:"intended_use,omitempty"`
	Note           string    `json:"note,omitempty"`
	ListingID      *string   `json:"listing_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (PlanLine) TableName() string { return "mass_plan_lines" }

// Plan is a project's mass handling plan.
type Plan struct {
	Site  *directory.Site `json:"site"`
	Lines []PlanLine      `json:"lines"`
	// Totals per fraction: tonnes cut and filled, and the balance.
	Totals []PlanTotal `json:"totals"`
}

// PlanTotal sums a fraction.
type PlanTotal struct {
	Fraction string  `json:"fraction"`
	Cut      float64 `json:"cut_tonnes"`
	Fill     float64 `json:"fill_tonnes"`
	Balance  float64 `json:"balance_tonnes"` // cut − fill: > 0 surplus to place, < 0 masses to find
}

// PlanLineInput is one submitted row.
type PlanLineInput struct {
	Direction   string  `json:"direction"`
	Fraction    string  `json:"fraction"`
	Quantity    float64 `json:"quantity"`
	Unit        string  `json:"unit"`
	PeriodFrom  string  `json:"period_from"`
	PeriodTo    string  `json:"period_to"`
	IntendedUse string  `json:"intended_use"`
	Note        string  `json:"note"`
}

// PlanInput replaces a plan; Publish publishes the listings kept in step.
type PlanInput struct {
	Lines   []PlanLineInput `json:"lines"`
	Publish bool            `json:"publish"`
}

// MaxPlanLines bounds a plan.
const MaxPlanLines = 200

// Plan loads a project's plan for its owner, tenant admins and
// supervisors.
func (s *Service) Plan(ctx context.Context, siteID string) (*Plan, error) {
	p, err := s.loadPlan(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if err := planAccess(ctx, p.Site.OrganizationID); err != nil {
		return nil, err
	}
	return p, nil
}

// loadPlan loads a site's plan, without a row rule (Plan and SavePlan have
// theirs).
func (s *Service) loadPlan(ctx context.Context, siteID string) (*Plan, error) {
	st, err := s.Directory.GetSite(ctx, siteID)
	if err != nil {
		return nil, err
	}
	p := &Plan{Site: st}
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("site_id = ?", st.ID).Order("position").Find(&p.Lines).Error
	}); err != nil {
		return nil, err
	}
	if p.Lines == nil {
		p.Lines = []PlanLine{}
	}
	p.Totals = totals(p.Lines)
	return p, nil
}

func totals(lines []PlanLine) []PlanTotal {
	out := []PlanTotal{} // an empty plan has no totals: [], never null
	idx := map[string]int{}
	for _, l := range lines {
		i, ok := idx[l.Fraction]
		if !ok {
			i = len(out)
			idx[l.Fraction] = i
			out = append(out, PlanTotal{Fraction: l.Fraction})
		}
		if l.Direction == "cut" {
			out[i].Cut += l.QuantityTonnes
		} else {
			out[i].Fill += l.QuantityTonnes
		}
		out[i].Balance = out[i].Cut - out[i].Fill
	}
	return out
}

// SavePlan validates every row, then replaces the plan and keeps one
// listing per row in step (a surplus for cut, a need for fill): rows that
// remain update their listing, new rows create one, removed rows close theirs.
// Nothing is saved when any row is invalid.
func (s *Service) SavePlan(ctx context.Context, siteID string, in *PlanInput) (*Plan, error) {
	st, err := s.Directory.GetSite(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).CanEditOrg(st.OrganizationID) {
		return nil, access.NotOwnOrganization()
	}
	if st.Kind != "project" {
		v := &fail.Validation{}
		v.Add("site", "not_project", "ErrPlanProjectOnly")
		return nil, v.Err()
	}
	now := s.now()
	lines, err := planLines(st.ID, in, now)
	if err != nil {
		return nil, err
	}
	userID := access.From(ctx).UserID()
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var old []PlanLine
		if err := tx.Where("site_id = ?", st.ID).Order("position").Find(&old).Error; err != nil {
			return err
		}
		// Reuse listings position by position when direction and fraction agree.
		for i := range lines {
			var listingID string
			if i < len(old) && old[i].ListingID != nil && old[i].Direction == lines[i].Direction && old[i].Fraction == lines[i].Fraction {
				listingID = *old[i].ListingID
				old[i].ListingID = nil
			}
			if err := syncListing(tx, userID, st, &lines[i], listingID, in.Publish, now); err != nil {
				return err
			}
		}
		for _, o := range old {
			if o.ListingID != nil {
				if err := tx.Model(&Listing{}).Where("id = ?", *o.ListingID).Updates(map[string]any{"status": string(StatusClosed), "updated_at": now}).Error; err != nil {
					return err
				}
				if err := closedTx(tx, *o.ListingID, ""); err != nil {
					return err
				}
			}
		}
		if err := tx.Where("site_id = ?", st.ID).Delete(&PlanLine{}).Error; err != nil {
			return err
		}
		if len(lines) > 0 {
			if err := tx.Create(&lines).Error; err != nil {
				return err
			}
		}
		// The open listings are announced and matched like any published listing.
		for _, pl := range lines {
			if pl.ListingID != nil {
				if err := publishedTx(tx, *pl.ListingID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.loadPlan(ctx, st.ID)
}

func syncListing(tx *gorm.DB, userID string, st *directory.Site, pl *PlanLine, listingID string, publish bool, now time.Time) error {
	kind := "surplus"
	title := "Overskudd: "
	if pl.Direction == "fill" {
		kind, title = "need", "Behov: "
	}
	l := Listing{OrganizationID: st.OrganizationID, SiteID: &st.ID, Kind: kind, Title: title + pl.Fraction + " – " + st.Name, Description: pl.Note,
		Fractions: directory.List{pl.Fraction}, QuantityTonnes: pl.QuantityTonnes, QuantityValue: pl.QuantityValue, QuantityUnit: pl.QuantityUnit,
		AvailableFrom: pl.PeriodFrom, AvailableTo: pl.PeriodTo, Lat: st.Lat, Lon: st.Lon, IntendedUse: pl.IntendedUse, Transport: "transport_needed",
		Visibility: "public", UpdatedAt: now}
	if listingID != "" {
		upd := map[string]any{"title": l.Title, "description": l.Description, "fractions": l.Fractions, "quantity_tonnes": l.QuantityTonnes,
			"quantity_value": l.QuantityValue, "quantity_unit": l.QuantityUnit, "available_from": l.AvailableFrom, "available_to": l.AvailableTo,
			"lat": l.Lat, "lon": l.Lon, "intended_use": l.IntendedUse, "updated_at": now}
		if publish {
			upd["status"] = string(StatusPublished)
		}
		pl.ListingID = &listingID
		return tx.Model(&Listing{}).Where("id = ?", listingID).Updates(upd).Error
	}
	l.ID, l.Status, l.CreatedBy, l.CreatedAt = store.NewID(), StatusDraft, userID, now
	if publish {
		l.Status, l.PublishedAt = StatusPublished, &now
	}
	pl.ListingID = &l.ID
	return tx.Create(&l).Error
}

// planLines validates a plan's lines for site siteID (the fuzzed part of
// SavePlan: no database).
func planLines(siteID string, in *PlanInput, now time.Time) ([]PlanLine, error) {
	v := &fail.Validation{}
	if len(in.Lines) > MaxPlanLines {
		v.Add("lines", "too_long", "ErrFieldTooLong", "Max", MaxPlanLines)
		return nil, v.Err()
	}
	lines := make([]PlanLine, 0, len(in.Lines))
	for i, li := range in.Lines {
		f := "lines[" + strconv.Itoa(i) + "]."
		pl := PlanLine{ID: store.NewID(), SiteID: siteID, Position: i, Direction: li.Direction, Fraction: li.Fraction, QuantityValue: li.Quantity,
			QuantityUnit: li.Unit, IntendedUse: li.IntendedUse, Note: strings.TrimSpace(li.Note), CreatedAt: now, UpdatedAt: now}
		if pl.Direction != "cut" && pl.Direction != "fill" {
			enumErr(v, f+"direction", []string{"cut", "fill"})
		}
		fr, ok := FractionByCode(pl.Fraction)
		if !ok {
			v.Add(f+"fraction", "unknown_fraction", "ErrUnknownFraction", "Fraction", pl.Fraction)
		} else if li.Quantity <= 0 || li.Quantity != li.Quantity {
			v.Add(f+"quantity", "positive", "ErrQuantityPositive")
		} else if t, err := fr.ToTonnes(li.Quantity, li.Unit); errors.Is(err, ErrUnitNotApplicable) {
			v.Add(f+"unit", "not_applicable", "ErrUnitNotApplicable", "Fraction", fr.Code)
		} else if err != nil {
			enumErr(v, f+"unit", Units)
		} else if t > maxListingTon {
			v.Add(f+"quantity", "range", "ErrFieldRange", "Min", 0, "Max", strconv.Itoa(int(maxListingTon))+" t")
		} else {
			pl.QuantityTonnes = t
		}
		if from, ok := parseDay(v, f+"period_from", li.PeriodFrom); ok {
			pl.PeriodFrom = from
		}
		if to, ok := parseDay(v, f+"period_to", li.PeriodTo); ok {
			pl.PeriodTo = to
		}
		if !pl.PeriodFrom.IsZero() && !pl.PeriodTo.IsZero() && pl.PeriodTo.Before(pl.PeriodFrom) {
			v.Add(f+"period_to", "date_order", "ErrDateOrder")
		}
		if pl.Direction == "fill" && !inSet(pl.IntendedUse, Uses) {
			enumErr(v, f+"intended_use", Uses)
		}
		if len([]rune(pl.Note)) > 500 {
			v.Add(f+"note", "too_long", "ErrFieldTooLong", "Max", 500)
		}
		lines = append(lines, pl)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return lines, nil
}
