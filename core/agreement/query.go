package agreement

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Bounds are the page sizes of agreement lists.
var Bounds = page.Bounds{Default: 50, Max: 200}

func withNames(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Agreement{}).Select("agreements.*, sup.name AS supplier_name, rec.name AS receiver_name").
		Joins("JOIN organizations sup ON sup.tenant_id = agreements.tenant_id AND sup.id = agreements.supplier_org_id").
		Joins("JOIN organizations rec ON rec.tenant_id = agreements.tenant_id AND rec.id = agreements.receiver_org_id")
}

// find reads an agreement the actor may see.
func (s *Service) find(ctx context.Context, id string) (*Agreement, error) {
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var ag Agreement
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return withNames(tx).Where("agreements.id = ?", id).Take(&ag).Error })
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	if !canRead(access.From(ctx), &ag) {
		return nil, fail.NotFoundErr()
	}
	return &ag, nil
}

// Filter selects agreements in a list.
type Filter struct {
	Status string
	// Awaiting: only those waiting for the actor's party (to answer a
	// proposal, or to sign).
	Awaiting bool
	// Mine: only my organizations' agreements, also for supervisors and
	// tenant admins.
	Mine bool
	// ListingID: only agreements that draw on this listing (either side).
	ListingID string
	Page      page.Request
}

// List lists the agreements the actor may see, newest change first: its
// organizations' (members), every one (supervisors and tenant admins).
func (s *Service) List(ctx context.Context, f Filter) (page.Page[Agreement], error) {
	var none page.Page[Agreement]
	a := access.From(ctx)
	if a.Anonymous() {
		return none, fail.UnauthorizedErr()
	}
	if f.Status != "" && !inSet(f.Status, Statuses) {
		v := &fail.Validation{}
		enumErr(v, "status", Statuses)
		return none, v.Err()
	}
	var orgs []string
	for o := range a.Principal.Orgs {
		orgs = append(orgs, o)
	}
	all := a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor)
	if !all && len(orgs) == 0 {
		return page.Page[Agreement]{Items: []Agreement{}}, nil
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = Bounds.Default
	}
	var rows []Agreement
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := withNames(tx)
		if !all || f.Awaiting || f.Mine {
			if len(orgs) == 0 {
				orgs = []string{""}
			}
			q = q.Where("(agreements.supplier_org_id IN ? OR agreements.receiver_org_id IN ?) AND (agreements.status <> ? OR agreements.sealed_version > 0 OR agreements.proposed_by_org_id IN ?)", orgs, orgs, string(StatusDraft), orgs)
		} else {
			// Supervisors and tenant admins read agreements once proposed;
			// a draft is its author's side's alone.
			if len(orgs) == 0 {
				orgs = []string{""}
			}
			q = q.Where("agreements.status <> ? OR agreements.sealed_version > 0 OR agreements.proposed_by_org_id IN ?", string(StatusDraft), orgs)
		}
		if f.ListingID != "" {
			q = q.Where("agreements.listing_id = ? OR agreements.counterpart_listing_id = ?", f.ListingID, f.ListingID)
		}
		if f.Status != "" {
			q = q.Where("agreements.status = ?", f.Status)
		}
		if f.Awaiting {
			// The subquery names the tenant as a value, so Citus reads
			// the tenant's shard only (docs/scaling.md).
			q = q.Where("((agreements.status = ? AND agreements.proposed_by_org_id NOT IN ?) OR (agreements.status = ? AND NOT EXISTS (SELECT 1 FROM agreement_signatures sg WHERE sg.tenant_id = ? AND sg.agreement_id = agreements.id AND sg.version = agreements.version AND sg.organization_id IN ?)))",
				string(StatusProposed), orgs, string(StatusAccepted), a.TenantID, orgs)
		}
		if f.Page.Cursor != "" {
			k, err := page.Decode(f.Page.Cursor, 2)
			if err != nil {
				return err
			}
			at, err := time.Parse(time.RFC3339Nano, k[0])
			if err != nil || !store.ValidID(k[1]) {
				return page.BadCursor()
			}
			q = q.Where("(agreements.updated_at < ? OR (agreements.updated_at = ? AND agreements.id < ?))", at, at, k[1])
		}
		return q.Order("agreements.updated_at DESC, agreements.id DESC").Limit(limit + 1).Find(&rows).Error
	})
	if err != nil {
		return none, err
	}
	return page.Cut(rows, limit, func(ag Agreement) page.Key {
		return page.Key{ag.UpdatedAt.UTC().Format(time.RFC3339Nano), ag.ID}
	}), nil
}

// Get reads an agreement with its terms, versions, signatures, timeline,
// rendered text and the steps the actor may take.
func (s *Service) Get(ctx context.Context, id string) (*Detail, error) {
	ag, err := s.find(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Agreement: ag}
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("agreement_id = ?", id).Order("version").Find(&d.Versions).Error; err != nil {
			return err
		}
		if err := tx.Model(&Signature{}).Select("agreement_signatures.*, organizations.name AS organization_name").
			Joins("JOIN organizations ON organizations.tenant_id = agreement_signatures.tenant_id AND organizations.id = agreement_signatures.organization_id").
			Where("agreement_signatures.agreement_id = ?", id).Order("agreement_signatures.signed_at, agreement_signatures.id").Find(&d.Signatures).Error; err != nil {
			return err
		}
		return tx.Where("agreement_id = ?", id).Order("created_at, id").Find(&d.Timeline).Error
	})
	if err != nil {
		return nil, err
	}
	for _, v := range d.Versions {
		if v.Version == ag.Version {
			d.Terms = Terms(v.Terms)
		}
		if v.Version == ag.SealedVersion {
			t := Terms(v.Terms)
			d.Sealed = &t
		}
	}
	if tpl, err := s.Template(ctx, ag.TemplateKey, ag.Locale, ag.TemplateVersion); err == nil {
		d.templateBody = tpl.Body
		d.Text, _ = Render(tpl.Body, fieldValues(ag.Number, d.Terms, ag.Locale))
	}
	d.Can = capabilities(access.From(ctx), ag, d)
	return d, nil
}

func capabilities(a *access.Actor, ag *Agreement, d *Detail) Capabilities {
	var c Capabilities
	p := a.Principal
	mine := func(org string) bool { return p.Orgs[org] != "" }
	party := mine(ag.SupplierOrgID) || mine(ag.ReceiverOrgID)
	if !party {
		return c
	}
	other := (mine(ag.SupplierOrgID) && ag.ProposedByOrgID != ag.SupplierOrgID) || (mine(ag.ReceiverOrgID) && ag.ProposedByOrgID != ag.ReceiverOrgID)
	c.Edit = ag.Status == StatusDraft && mine(ag.ProposedByOrgID)
	c.Propose = c.Edit
	c.Accept = ag.Status == StatusProposed && other
	c.Counter = c.Accept
	c.Amend = ag.Status == StatusSealed
	bind := mayBind(p, ag)
	c.Complete = ag.Status == StatusSealed && bind
	c.Cancel = !ag.Final() && (!ag.InForce() || bind)
	pending := ag.Amending() && ag.Status != StatusDraft
	c.Withdraw = pending && mine(ag.ProposedByOrgID)
	c.Reject = (pending || (ag.SealedVersion == 0 && (ag.Status == StatusProposed || ag.Status == StatusAccepted))) && other
	if ag.Status == StatusAccepted && p.Token == nil {
		signed := map[string]bool{}
		for _, sg := range d.Signatures {
			if sg.Version == ag.Version {
				signed[sg.OrganizationID] = true
			}
		}
		for _, pt := range []Party{d.Terms.Supplier, d.Terms.Receiver} {
			if signed[pt.OrganizationID] || p.Orgs[pt.OrganizationID] != "admin" || (pt.SignatoryUserID != "" && pt.SignatoryUserID != a.UserID()) {
				continue
			}
			if p.AAL == auth.AAL2 {
				c.Sign = true
			} else {
				c.SignNeedsAAL2 = true
			}
		}
	}
	return c
}

// Diff lists the terms changed from version from to version to.
func (s *Service) Diff(ctx context.Context, id string, from, to int) ([]Change, error) {
	if _, err := s.find(ctx, id); err != nil {
		return nil, err
	}
	var a, b Terms
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		if a, err = termsTx(tx, id, from); err != nil {
			return err
		}
		b, err = termsTx(tx, id, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := Diff(a, b)
	if out == nil {
		out = []Change{}
	}
	return out, nil
}

// Verification is the outcome of Verify.
type Verification struct {
	Sealed  bool   `json:"sealed"`
	Valid   bool   `json:"valid"`
	Version int    `json:"version,omitempty"`
	Hash    string `json:"hash,omitempty"`
	// Changed names the terms whose stored value no longer matches its
	// sealed digest.
	Changed []string `json:"changed"`
	// SignaturesValid: every signature on the sealed version signed its hash.
	SignaturesValid bool `json:"signatures_valid"`
}

// Verify recomputes the seal of an agreement from its stored terms: the
// hash of the canonical form and each term's digest. A term edited in the
// database after sealing is named.
func (s *Service) Verify(ctx context.Context, id string) (*Verification, error) {
	ag, err := s.find(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Verification{Changed: []string{}}
	if ag.SealedVersion == 0 {
		return out, nil
	}
	out.Sealed, out.Version, out.Hash = true, ag.SealedVersion, ag.SealHash
	var t Terms
	var sigs []Signature
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		if t, err = termsTx(tx, id, ag.SealedVersion); err != nil {
			return err
		}
		return tx.Where("agreement_id = ? AND version = ?", id, ag.SealedVersion).Find(&sigs).Error
	})
	if err != nil {
		return nil, err
	}
	stored := map[string]string{}
	_ = json.Unmarshal([]byte(ag.TermDigests), &stored)
	// The template body as stored now (a missing template counts as
	// changed) and the agreement's language are sealed like the terms.
	doc := Document{Number: ag.Number, TemplateKey: ag.TemplateKey, TemplateVersion: ag.TemplateVersion, Locale: ag.Locale}
	if tpl, err := s.Template(ctx, ag.TemplateKey, ag.Locale, ag.TemplateVersion); err == nil {
		doc.TemplateBody = tpl.Body
	} else if !errors.Is(err, fail.ErrNotFound) {
		return nil, err
	} else {
		doc.TemplateBody = "\x00missing"
	}
	now := Digests(doc, t)
	for _, k := range append(append([]string(nil), TermNames...), SealedTerms...) {
		if stored[k] != now[k] {
			out.Changed = append(out.Changed, k)
		}
	}
	hash := Hash(doc, t)
	out.SignaturesValid = len(sigs) == 2
	for _, sg := range sigs {
		if sg.DocHash != ag.SealHash {
			out.SignaturesValid = false
		}
	}
	out.Valid = hash == ag.SealHash && len(out.Changed) == 0 && out.SignaturesValid
	return out, nil
}
