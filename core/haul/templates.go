package haul

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/store"
)

// Step is one step of a receipt check. A default step has no text: its
// words are the message "ReceiptStep" + Key in the reader's language.
type Step struct {
	Key  string `json:"key"`
	Text string `json:"text,omitempty"`
}

// DefaultSteps follow the visual inspection of every load that
// avfallsforskriften § 9-11 requires: fraction and colour as documented,
// smell, foreign objects; class and documents as agreed; invasive species
// (forskrift om fremmede organismer § 24).
var DefaultSteps = []Step{{Key: "fraction_colour"}, {Key: "smell"}, {Key: "foreign_objects"}, {Key: "class_documents"}, {Key: "invasive_species"}}

// Template is a region's receipt check for a fraction, a facility, or
// both (a tenant table); the most specific one applies.
type Template struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey" json:"id"`
	Fraction  string    `json:"fraction"`
	SiteID    *string   `json:"site_id,omitempty"`
	ScopeKey  string    `json:"-"`
	Steps     StepList  `gorm:"type:text" json:"steps"`
	UpdatedBy string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (Template) TableName() string { return "receipt_templates" }

// StepList is a template's steps (JSON text).
type StepList []Step

func (sl StepList) Value() (driver.Value, error) { return jsonValue(sl, "[]") }
func (sl *StepList) Scan(v any) error            { return jsonScan(v, sl) }

// Guide is the receipt check for one load: its steps, and whether this
// load is the one to sample (the agreement's rule, default every 50th).
type Guide struct {
	LoadID      string `json:"load_id"`
	TemplateID  string `json:"template_id,omitempty"`
	Steps       []Step `json:"steps"`
	SampleEvery int    `json:"sample_every"`
	SampleDue   bool   `json:"sample_due"`
	Received    int    `json:"received"`
}

func scopeKey(fr string, site *string) string {
	k := fr + "|"
	if site != nil {
		k += *site
	}
	return k
}

// guide is the most specific template's steps for a load: fraction and
// facility, then facility, then fraction, then the region's general one,
// then the default.
func (s *Service) guide(tx *gorm.DB, l *Load) ([]Step, error) {
	var keys []string
	if l.DeliverySiteID != nil {
		keys = append(keys, scopeKey(l.Fraction, l.DeliverySiteID), scopeKey("", l.DeliverySiteID))
	}
	keys = append(keys, scopeKey(l.Fraction, nil), scopeKey("", nil))
	var ts []Template
	if err := tx.Where("scope_key IN ?", keys).Find(&ts).Error; err != nil {
		return nil, err
	}
	for _, k := range keys {
		for _, t := range ts {
			if t.ScopeKey == k && len(t.Steps) > 0 {
				return t.Steps, nil
			}
		}
	}
	return DefaultSteps, nil
}

// answer checks the answered steps against the guide. No answers: the
// receiver found every step in order (the one-tap receipt). A step that
// failed needs a note.
func answer(guide []Step, in []Check, v *fail.Validation) (Checks, error) {
	out := Checks{}
	if len(in) == 0 {
		for _, st := range guide {
			out = append(out, Check{Key: st.Key, OK: true})
		}
		return out, nil
	}
	known := map[string]bool{}
	for _, st := range guide {
		known[st.Key] = true
	}
	seen := map[string]bool{}
	for i, c := range in {
		switch {
		case !known[c.Key]:
			v.Add("checks["+itoa(i)+"].key", "unknown", "ErrLoadCheckUnknown")
		case seen[c.Key]:
			v.Add("checks["+itoa(i)+"].key", "duplicate", "ErrLoadCheckUnknown")
		case !c.OK && strings.TrimSpace(c.Note) == "":
			v.Add("checks["+itoa(i)+"].note", "required", "ErrLoadCheckNote")
		}
		seen[c.Key] = true
		out = append(out, Check{Key: c.Key, OK: c.OK, Note: strings.TrimSpace(c.Note)})
	}
	for _, st := range guide {
		if !seen[st.Key] {
			out = append(out, Check{Key: st.Key, OK: true})
		}
	}
	return out, v.Err()
}

// Guide is the receipt check of a load for its receiver, with the
// sampling rule's answer for this load.
func (s *Service) Guide(ctx context.Context, id string) (*Guide, error) {
	l, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	g := &Guide{LoadID: l.ID}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		steps, err := s.guide(tx, l)
		if err != nil {
			return err
		}
		g.Steps = steps
		var t Tally
		if err := tx.Where("id = ?", l.AgreementID).Take(&t).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		g.Received = t.Received
		g.SampleEvery = DefaultSampleEvery
		var terms struct{ Terms string }
		if err := tx.Table("agreement_versions").Select("agreement_versions.terms").
			Joins("JOIN agreements a ON a.tenant_id = agreement_versions.tenant_id AND a.id = agreement_versions.agreement_id AND a.sealed_version = agreement_versions.version").
			Where("agreement_versions.agreement_id = ?", l.AgreementID).Take(&terms).Error; err == nil {
			if n := sampleEvery(terms.Terms); n > 0 {
				g.SampleEvery = n
			}
		}
		if l.Final() {
			g.SampleDue = l.SampleDue
		} else if l.Kind == KindDelivery {
			g.SampleDue = (t.Received+1)%g.SampleEvery == 0
		}
		return nil
	})
	return g, err
}

// TemplateInput is a receipt check template: for a fraction ("" for any),
// a facility (none for any) and its steps.
type TemplateInput struct {
	Fraction string `json:"fraction"`
	SiteID   string `json:"site_id,omitempty"`
	Steps    []Step `json:"steps"`
}

var stepKey = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// Templates lists the region's receipt check templates (tenant admins).
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	if !access.From(ctx).IsAdmin() {
		return nil, fail.ForbiddenErr()
	}
	out := []Template{}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Order("scope_key, id").Find(&out).Error })
	return out, err
}

// SaveTemplate stores the region's template for a fraction and facility,
// replacing the one there was.
func (s *Service) SaveTemplate(ctx context.Context, in TemplateInput) (*Template, error) {
	a := access.From(ctx)
	if !a.IsAdmin() {
		return nil, fail.ForbiddenErr()
	}
	v := &fail.Validation{}
	in.Fraction = strings.TrimSpace(in.Fraction)
	if _, ok := fraction.ByCode(in.Fraction); in.Fraction != "" && !ok {
		v.Add("fraction", "enum", "ErrFieldInvalid")
	}
	switch {
	case len(in.Steps) == 0:
		v.Add("steps", "required", "ErrFieldRequired")
	case len(in.Steps) > 30:
		v.Add("steps", "too_many", "ErrFieldInvalid")
	}
	seen := map[string]bool{}
	for i := range in.Steps {
		st := &in.Steps[i]
		st.Key, st.Text = strings.TrimSpace(st.Key), strings.TrimSpace(st.Text)
		if !stepKey.MatchString(st.Key) || seen[st.Key] {
			v.Add("steps["+itoa(i)+"].key", "invalid", "ErrLoadStepKey")
		}
		seen[st.Key] = true
		if n := utf8.RuneCountInString(st.Text); n == 0 || n > 300 {
			v.Add("steps["+itoa(i)+"].text", "required", "ErrLoadStepText")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	site := optID(strings.TrimSpace(in.SiteID))
	now := s.now()
	t := &Template{ID: store.NewID(), Fraction: in.Fraction, SiteID: site, ScopeKey: scopeKey(in.Fraction, site), Steps: in.Steps, UpdatedBy: a.UserID(), CreatedAt: now, UpdatedAt: now}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if site != nil {
			var n int64
			if !store.ValidID(*site) || tx.Table("sites").Where("id = ? AND kind = ?", *site, "facility").Count(&n).Error != nil || n == 0 {
				v.Add("site_id", "unknown", "ErrLoadTemplateSite")
				return v.Err()
			}
		}
		var old Template
		err := tx.Where("scope_key = ?", t.ScopeKey).Take(&old).Error
		if err == nil {
			t.ID, t.CreatedAt = old.ID, old.CreatedAt
			return tx.Model(&Template{}).Where("id = ?", old.ID).Updates(map[string]any{"steps": t.Steps, "updated_by": t.UpdatedBy, "updated_at": now}).Error
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		return tx.Create(t).Error
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTemplate removes a template; the next general one applies again.
func (s *Service) DeleteTemplate(ctx context.Context, id string) error {
	if !access.From(ctx).IsAdmin() {
		return fail.ForbiddenErr()
	}
	if !store.ValidID(id) {
		return fail.NotFoundErr()
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Delete(&Template{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fail.NotFoundErr()
		}
		return nil
	})
}

// sampleEvery reads the sampling rule from sealed terms (JSON).
func sampleEvery(terms string) int {
	var t struct {
		SampleEveryNLoads int `json:"sample_every_n_loads"`
	}
	if json.Unmarshal([]byte(terms), &t) != nil {
		return 0
	}
	return t.SampleEveryNLoads
}
