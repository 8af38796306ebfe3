package agreement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Create stores a draft agreement for the party the actor represents; the
// other party sees it once it is proposed.
func (s *Service) Create(ctx context.Context, in *Input) (*Agreement, error) {
	a := access.From(ctx)
	v := &fail.Validation{}
	if in.TemplateKey == "" {
		in.TemplateKey = "delivery"
	}
	if !inSet(in.TemplateKey, TemplateKeys) {
		enumErr(v, "template_key", TemplateKeys)
	}
	if in.Locale == "" {
		in.Locale = a.Locale
	}
	if !inSet(in.Locale, Locales) {
		in.Locale = "nb"
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	by := ""
	for _, o := range []string{in.Supplier.OrganizationID, in.Receiver.OrganizationID} {
		if o != "" && a.Principal.Orgs[o] != "" && by == "" {
			by = o
		}
	}
	if by == "" {
		return nil, fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
	}
	tpl, err := s.Template(ctx, in.TemplateKey, in.Locale, -1)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ag := &Agreement{ID: store.NewID(), Status: StatusDraft, Version: 1, TemplateKey: tpl.Key, TemplateVersion: tpl.Version, Locale: in.Locale,
		ProposedByOrgID: by, CreatedBy: a.UserID(), CreatedAt: now, UpdatedAt: now}
	ag.DialogID, ag.MatchID = optID(in.DialogID), optID(in.MatchID)
	for attempt := 0; ; attempt++ {
		err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
			t := s.terms(tx, in, v)
			if v.OK() {
				if err := checkLeft(ctx, tx, t, "", v); err != nil {
					return err
				}
			}
			if err := v.Err(); err != nil {
				return err
			}
			links(tx, ag, t, v)
			if err := v.Err(); err != nil {
				return err
			}
			ag.SupplierOrgID, ag.ReceiverOrgID = t.Supplier.OrganizationID, t.Receiver.OrganizationID
			ag.setListings(t)
			if ag.Number, err = nextNumber(tx, now.Year()); err != nil {
				return err
			}
			if err := tx.Create(ag).Error; err != nil {
				return err
			}
			if err := tx.Create(&Version{ID: store.NewID(), AgreementID: ag.ID, Version: 1, Terms: TermsJSON(t), ProposedByOrgID: by, CreatedBy: a.UserID(), CreatedAt: now}).Error; err != nil {
				return err
			}
			return s.step(tx, ag, KindCreated, by, nil)
		})
		if store.IsUniqueViolation(err) && attempt < 5 { // two agreements took the same number
			v = &fail.Validation{}
			continue
		}
		break
	}
	if err != nil {
		return nil, err
	}
	return s.find(ctx, ag.ID)
}

// links checks the dialog and the match an agreement came from: a dialog
// of the tenant between the two parties, a match of one of its listings.
func links(tx *gorm.DB, ag *Agreement, t Terms, v *fail.Validation) {
	parties := []string{t.Supplier.OrganizationID, t.Receiver.OrganizationID}
	if ag.DialogID != nil {
		var n int64
		if !store.ValidID(*ag.DialogID) || tx.Table("dialogs").Where("id = ? AND owner_org_id IN ? AND counterpart_org_id IN ?", *ag.DialogID, parties, parties).Count(&n).Error != nil || n == 0 {
			v.Add("dialog_id", "not_found", "ErrAgreementDialog")
		}
	}
	if ag.MatchID != nil && !store.ValidID(*ag.MatchID) {
		v.Add("match_id", "not_found", "ErrAgreementMatch")
	}
}

func optID(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (ag *Agreement) setListings(t Terms) {
	ag.ListingID, ag.CounterpartListingID = nil, nil
	if len(t.ListingIDs) > 0 {
		ag.ListingID = &t.ListingIDs[0]
	}
	if len(t.ListingIDs) > 1 {
		ag.CounterpartListingID = &t.ListingIDs[1]
	}
	if len(t.Fractions) > 0 {
		ag.Fraction = t.Fractions[0]
	}
}

// nextNumber is the tenant's next agreement number of the year
// (AVT-2026-0007). Two writers may read the same; the unique key refuses
// the second, which Create retries.
func nextNumber(tx *gorm.DB, year int) (string, error) {
	prefix := fmt.Sprintf("AVT-%d-", year)
	var last string
	if err := tx.Model(&Agreement{}).Where("number LIKE ?", prefix+"%").Order("number DESC").Limit(1).Pluck("number", &last).Error; err != nil {
		return "", err
	}
	n := 0
	if last != "" {
		n, _ = strconv.Atoi(strings.TrimPrefix(last, prefix))
	}
	return fmt.Sprintf("%s%04d", prefix, n+1), nil
}

// step records a step on the timeline and, when e is set, its event in the
// outbox, in tx.
func (s *Service) step(tx *gorm.DB, ag *Agreement, kind, org string, e events.Event) error {
	a := access.From(tx.Statement.Context)
	name := ""
	if !a.Anonymous() {
		name = a.Principal.User.Name
	}
	if err := tx.Create(&Event{ID: store.NewID(), AgreementID: ag.ID, Kind: kind, Version: ag.Version, OrganizationID: org, UserID: a.UserID(), UserName: name, CreatedAt: s.now()}).Error; err != nil {
		return err
	}
	if e == nil {
		return nil
	}
	if err := events.Emit(tx, e); err != nil {
		return err
	}
	return notes(tx, ag, e, a.UserID())
}

func stepOf(ag *Agreement, by, userID string) events.AgreementStep {
	return events.AgreementStep{AgreementID: ag.ID, Number: ag.Number, Version: ag.Version, ByOrgID: by, ToOrgID: ag.other(by), UserID: userID}
}

// loadTx reads an agreement in tx, locking its row for the transaction
// (an update that changes nothing takes the row lock on both engines), so
// that two steps on one agreement run one after the other.
func loadTx(tx *gorm.DB, id string) (*Agreement, error) {
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	res := tx.Model(&Agreement{}).Where("id = ?", id).Update("updated_at", gorm.Expr("updated_at"))
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, fail.NotFoundErr()
	}
	var ag Agreement
	if err := tx.Where("id = ?", id).Take(&ag).Error; err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &ag, nil
}

func termsTx(tx *gorm.DB, id string, version int) (Terms, error) {
	var v Version
	if err := tx.Where("agreement_id = ? AND version = ?", id, version).Take(&v).Error; err != nil {
		return Terms{}, store.NotFoundOr(err)
	}
	return Terms(v.Terms), nil
}

// change runs one step on agreement id in a transaction: fn gets the
// locked agreement and the party the actor acts for.
func (s *Service) change(ctx context.Context, id string, fn func(tx *gorm.DB, ag *Agreement) error) (*Agreement, error) {
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		ag, err := loadTx(tx, id)
		if err != nil {
			return err
		}
		if !canRead(access.From(ctx), ag) {
			return fail.NotFoundErr()
		}
		if err := fn(tx, ag); err != nil {
			return err
		}
		ag.UpdatedAt = s.now()
		return tx.Model(&Agreement{}).Where("id = ?", ag.ID).Select("status", "version", "sealed_version", "proposed_by_org_id", "listing_id", "counterpart_listing_id",
			"fraction", "tonnes", "seal_hash", "term_digests", "sealed_at", "updated_at").Updates(ag).Error
	})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, id)
}

func conflict(msg string) error { return fail.ConflictErr(msg) }

// checkVersion refuses a step on a version that is no longer the current.
func checkVersion(ag *Agreement, version int) error {
	if version != 0 && version != ag.Version {
		return fail.New(fail.Conflict, "old_version", "ErrAgreementOldVersion", "Version", ag.Version)
	}
	return nil
}

// Update replaces the terms of a draft (its drafting party only).
func (s *Service) Update(ctx context.Context, id string, in *Input) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, "")
		if err != nil {
			return err
		}
		if ag.Status != StatusDraft {
			return conflict("ErrAgreementNotDraft")
		}
		if org != ag.ProposedByOrgID {
			return fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
		}
		t, err := s.validTerms(ctx, tx, ag, in, false)
		if err != nil {
			return err
		}
		ag.setListings(t)
		if err := tx.Model(&Version{}).Where("agreement_id = ? AND version = ?", ag.ID, ag.Version).Update("terms", TermsJSON(t)).Error; err != nil {
			return err
		}
		return s.step(tx, ag, KindEdited, org, nil)
	})
}

// validTerms validates new terms of ag: the parties stay the same
// organizations, listings have enough left, and (when complete) every
// field of the agreement's template has a value.
func (s *Service) validTerms(ctx context.Context, tx *gorm.DB, ag *Agreement, in *Input, complete bool) (Terms, error) {
	v := &fail.Validation{}
	t := s.terms(tx, in, v)
	if t.Supplier.OrganizationID != "" && t.Supplier.OrganizationID != ag.SupplierOrgID {
		v.Add("supplier.organization_id", "immutable", "ErrAgreementPartiesFixed")
	}
	if t.Receiver.OrganizationID != "" && t.Receiver.OrganizationID != ag.ReceiverOrgID {
		v.Add("receiver.organization_id", "immutable", "ErrAgreementPartiesFixed")
	}
	if v.OK() {
		if err := checkLeft(ctx, tx, t, ag.ID, v); err != nil {
			return t, err
		}
	}
	if err := v.Err(); err != nil {
		return t, err
	}
	if complete {
		if err := s.complete(ctx, ag, t); err != nil {
			return t, err
		}
	}
	return t, nil
}

// complete refuses terms that leave a field of the agreement's template
// without a value.
func (s *Service) complete(ctx context.Context, ag *Agreement, t Terms) error {
	tpl, err := s.Template(ctx, ag.TemplateKey, ag.Locale, ag.TemplateVersion)
	if err != nil {
		return err
	}
	return requireValues(tpl, ag.Number, t, ag.Locale)
}

// Propose sends a draft to the other party.
func (s *Service) Propose(ctx context.Context, id string) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, "")
		if err != nil {
			return err
		}
		if ag.Status != StatusDraft {
			return conflict("ErrAgreementNotDraft")
		}
		if org != ag.ProposedByOrgID {
			return fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
		}
		t, err := termsTx(tx, ag.ID, ag.Version)
		if err != nil {
			return err
		}
		v := &fail.Validation{}
		if err := checkLeft(ctx, tx, t, ag.ID, v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.complete(ctx, ag, t); err != nil {
			return err
		}
		ag.Status = StatusProposed
		return s.step(tx, ag, KindProposed, org, events.AgreementProposed{AgreementStep: stepOf(ag, org, access.From(ctx).UserID())})
	})
}

// Counter proposes new terms to a proposal from the other party: a new
// version, proposed by the actor's party.
func (s *Service) Counter(ctx context.Context, id string, version int, in *Input) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		if ag.Status != StatusProposed {
			return conflict("ErrAgreementNotProposed")
		}
		org, err := actorParty(ctx, ag, ag.ProposedByOrgID)
		if err != nil {
			return err
		}
		if org == ag.ProposedByOrgID {
			return conflict("ErrAgreementOwnProposal")
		}
		if err := checkVersion(ag, version); err != nil {
			return err
		}
		t, err := s.validTerms(ctx, tx, ag, in, true)
		if err != nil {
			return err
		}
		return s.newVersion(tx, ag, org, t, KindCounterProposed)
	})
}

// newVersion stores terms t as the agreement's next version, proposed by
// org: a counter-proposal (KindCounterProposed) or an amendment, announced
// as a proposal.
func (s *Service) newVersion(tx *gorm.DB, ag *Agreement, org string, t Terms, kind string) error {
	a := access.From(tx.Statement.Context)
	// The next number after every version stored: a withdrawn or rejected
	// amendment keeps its number (Withdraw, Reject).
	var last int
	if err := tx.Model(&Version{}).Where("agreement_id = ?", ag.ID).Select("COALESCE(MAX(version), 0)").Scan(&last).Error; err != nil {
		return err
	}
	ag.Version = max(ag.Version, last) + 1
	ag.Status, ag.ProposedByOrgID = StatusProposed, org
	if err := tx.Create(&Version{ID: store.NewID(), AgreementID: ag.ID, Version: ag.Version, Terms: TermsJSON(t), ProposedByOrgID: org, CreatedBy: a.UserID(), CreatedAt: s.now()}).Error; err != nil {
		return err
	}
	st := stepOf(ag, org, a.UserID())
	if kind == KindCounterProposed {
		return s.step(tx, ag, kind, org, events.AgreementCounterProposed{AgreementStep: st})
	}
	return s.step(tx, ag, kind, org, events.AgreementProposed{AgreementStep: st})
}

// Accept accepts the other party's proposal of version; both sign next.
func (s *Service) Accept(ctx context.Context, id string, version int) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		if ag.Status != StatusProposed {
			return conflict("ErrAgreementNotProposed")
		}
		org, err := actorParty(ctx, ag, ag.ProposedByOrgID)
		if err != nil {
			return err
		}
		if org == ag.ProposedByOrgID {
			return conflict("ErrAgreementOwnProposal")
		}
		if err := checkVersion(ag, version); err != nil {
			return err
		}
		t, err := termsTx(tx, ag.ID, ag.Version)
		if err != nil {
			return err
		}
		if err := s.complete(ctx, ag, t); err != nil {
			return err
		}
		ag.Status = StatusAccepted
		return s.step(tx, ag, KindAccepted, org, events.AgreementAccepted{AgreementStep: stepOf(ag, org, access.From(ctx).UserID())})
	})
}

// signerOf is the party the actor may sign for on ag, or the refusal: a
// token never signs; a signatory is an organization admin of a party (or
// the person the terms name), logged in with a second factor.
func signerOf(ctx context.Context, ag *Agreement, t Terms, signed map[string]bool) (string, error) {
	a := access.From(ctx)
	p := a.Principal
	if !canRead(a, ag) {
		return "", fail.NotFoundErr()
	}
	if p.Token != nil {
		return "", fail.New(fail.Forbidden, "token_cannot_sign", "ErrAgreementTokenSign")
	}
	for _, party := range []Party{t.Supplier, t.Receiver} {
		if signed[party.OrganizationID] || p.Orgs[party.OrganizationID] != "admin" {
			continue
		}
		if party.SignatoryUserID != "" && party.SignatoryUserID != a.UserID() {
			continue
		}
		if p.AAL != auth.AAL2 {
			return "", fail.New(fail.Forbidden, "second_factor_required", "ErrAgreementSignAAL")
		}
		return party.OrganizationID, nil
	}
	for _, party := range []Party{t.Supplier, t.Receiver} {
		if signed[party.OrganizationID] && p.Orgs[party.OrganizationID] != "" {
			return "", conflict("ErrAgreementSignedAlready")
		}
	}
	return "", fail.New(fail.Forbidden, "not_signatory", "ErrAgreementNotSignatory")
}

// Sign records the actor's signature on version for its party through the
// signing method. When both parties have signed the version, the terms are
// sealed: their hash and a digest per term are stored, the listings keep
// score, and the agreement (or its amendment) is in force. Two parties
// signing at once give one sealed agreement: the row is locked for the
// step.
func (s *Service) Sign(ctx context.Context, id string, version int) (*Agreement, error) {
	a := access.From(ctx)
	if s.Signer == nil {
		return nil, fail.New(fail.Unavailable, "no_signer", "ErrAgreementNoSigner")
	}
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		if ag.Final() {
			return conflict("ErrAgreementFinal")
		}
		if version == 0 {
			v := &fail.Validation{}
			v.Add("version", "required", "ErrFieldRequired")
			return v.Err()
		}
		if err := checkVersion(ag, version); err != nil {
			return err
		}
		if ag.Status != StatusAccepted {
			return conflict("ErrAgreementNotAccepted")
		}
		t, err := termsTx(tx, ag.ID, ag.Version)
		if err != nil {
			return err
		}
		var sigs []Signature
		if err := tx.Where("agreement_id = ? AND version = ?", ag.ID, ag.Version).Find(&sigs).Error; err != nil {
			return err
		}
		signed := map[string]bool{}
		for _, sg := range sigs {
			signed[sg.OrganizationID] = true
		}
		org, err := signerOf(ctx, ag, t, signed)
		if err != nil {
			return err
		}
		if err := s.complete(ctx, ag, t); err != nil {
			return err
		}
		doc, err := s.document(ctx, ag)
		if err != nil {
			return err
		}
		hash := Hash(doc, t)
		now := s.now()
		req := SignRequest{AgreementID: ag.ID, Number: ag.Number, Version: ag.Version, DocHash: hash, OrganizationID: org,
			UserID: a.UserID(), Name: a.Principal.User.Name, AAL: a.Principal.AAL, At: now}
		st, err := s.Signer.Begin(ctx, req)
		if err != nil {
			return err
		}
		if st.Evidence == nil {
			return conflict("ErrAgreementSignRedirect") // a redirect-based method completes through CompleteSignature
		}
		return s.recordSignature(tx, ag, t, req, st.Evidence, len(sigs)+1)
	})
}

// recordSignature stores a signature in tx and seals ag when it is the
// second.
func (s *Service) recordSignature(tx *gorm.DB, ag *Agreement, t Terms, req SignRequest, ev *Evidence, count int) error {
	sig := &Signature{ID: store.NewID(), AgreementID: ag.ID, Version: ag.Version, OrganizationID: req.OrganizationID, UserID: req.UserID,
		Name: req.Name, Method: ev.Method, AAL: req.AAL, DocHash: req.DocHash, Evidence: ev.Data, SignedAt: req.At, CreatedAt: req.At}
	if err := tx.Create(sig).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return conflict("ErrAgreementSignedAlready")
		}
		return err
	}
	st := stepOf(ag, req.OrganizationID, req.UserID)
	if err := s.step(tx, ag, KindSigned, req.OrganizationID, events.AgreementSigned{AgreementStep: st}); err != nil {
		return err
	}
	if count < 2 {
		return nil
	}
	// Both signed: seal. What the listings have left is checked again, in
	// this transaction: another agreement may have been sealed meanwhile.
	// The listings are locked first, so two seals on one listing run one
	// after the other and the second sees the first's tonnes.
	left, short, err := shortfall(tx, t, ag.ID)
	if err != nil {
		return err
	}
	if short {
		return fail.New(fail.Conflict, "more_than_left", "ErrAgreementSealMoreThanLeft", "Left", math.Floor(math.Max(left, 0)))
	}
	amended := ag.SealedVersion > 0
	doc, err := s.document(tx.Statement.Context, ag)
	if err != nil {
		return err
	}
	if Hash(doc, t) != req.DocHash {
		return fail.New(fail.Conflict, "old_version", "ErrAgreementOldVersion", "Version", ag.Version)
	}
	digests, _ := json.Marshal(Digests(doc, t))
	now := s.now()
	ag.Status, ag.SealedVersion, ag.SealHash, ag.TermDigests, ag.SealedAt = StatusSealed, ag.Version, req.DocHash, string(digests), &now
	ag.Tonnes = t.QuantityTonnes
	ag.setListings(t)
	// The row's tonnes count for the listings from now on.
	if err := tx.Model(&Agreement{}).Where("id = ?", ag.ID).Updates(map[string]any{"status": string(StatusSealed), "sealed_version": ag.Version, "tonnes": ag.Tonnes, "listing_id": ag.ListingID, "counterpart_listing_id": ag.CounterpartListingID}).Error; err != nil {
		return err
	}
	// Score the union of the listings of every version: an amendment that
	// dropped or moved a listing gives its tonnes back.
	if err := s.rescore(tx, ag); err != nil {
		return err
	}
	sealed := events.AgreementSealed{AgreementStep: st, Fraction: ag.Fraction, Tonnes: ag.Tonnes, DistanceKm: s.distanceKm(tx, t), Hash: ag.SealHash}
	if err := s.step(tx, ag, KindSealed, "", sealed); err != nil {
		return err
	}
	if amended {
		return s.step(tx, ag, KindAmended, "", events.AgreementAmended{AgreementStep: st})
	}
	return nil
}

// distanceKm is the straight-line distance between the parties' sites (or
// organizations), for the public announcement; 0 when unknown.
func (s *Service) distanceKm(tx *gorm.DB, t Terms) float64 {
	point := func(p Party) (lat, lon float64, ok bool) {
		var row struct{ Lat, Lon *float64 }
		if p.SiteID != "" && tx.Table("sites").Select("lat, lon").Where("id = ?", p.SiteID).Scan(&row).Error == nil && row.Lat != nil && row.Lon != nil {
			return *row.Lat, *row.Lon, true
		}
		if tx.Table("organizations").Select("lat, lon").Where("id = ?", p.OrganizationID).Scan(&row).Error == nil && row.Lat != nil && row.Lon != nil {
			return *row.Lat, *row.Lon, true
		}
		return 0, 0, false
	}
	la, lo, ok1 := point(t.Supplier)
	lb, lob, ok2 := point(t.Receiver)
	if !ok1 || !ok2 {
		return 0
	}
	return math.Round(geo.HaversineKm(geo.Point{Lat: la, Lon: lo}, geo.Point{Lat: lb, Lon: lob}))
}

// Amend proposes new terms to a sealed agreement: a new version the other
// party accepts and both sign; the sealed version binds until then.
func (s *Service) Amend(ctx context.Context, id string, in *Input) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, "")
		if err != nil {
			return err
		}
		switch {
		case ag.Status == StatusCancelled:
			return conflict("ErrAgreementCancelled")
		case ag.Status == StatusCompleted:
			return conflict("ErrAgreementFinal")
		case ag.Status != StatusSealed:
			return conflict("ErrAgreementNotSealed")
		}
		t, err := s.validTerms(ctx, tx, ag, in, true)
		if err != nil {
			return err
		}
		return s.newVersion(tx, ag, org, t, KindAmendment)
	})
}

// Cancel ends an agreement that is not completed. A sealed agreement is
// cancelled by an admin of a party only; its tonnes leave the listings'
// score.
func (s *Service) Cancel(ctx context.Context, id string) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, "")
		if err != nil {
			return err
		}
		if ag.Final() {
			return conflict("ErrAgreementFinal")
		}
		if ag.InForce() {
			if org, err = bindingParty(ctx, ag); err != nil {
				return err
			}
		}
		ag.Status = StatusCancelled
		if err := tx.Model(&Agreement{}).Where("id = ?", ag.ID).Update("status", string(StatusCancelled)).Error; err != nil {
			return err
		}
		if ag.SealedVersion > 0 {
			if err := s.rescore(tx, ag); err != nil {
				return err
			}
		}
		return s.step(tx, ag, KindCancelled, org, events.AgreementCancelled{AgreementStep: stepOf(ag, org, access.From(ctx).UserID())})
	})
}

// Complete marks a sealed agreement fulfilled: a binding step, taken like
// a signature (bindingParty).
func (s *Service) Complete(ctx context.Context, id string) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		if _, err := actorParty(ctx, ag, ""); err != nil {
			return err
		}
		if ag.Status != StatusSealed {
			if ag.Final() {
				return conflict("ErrAgreementFinal")
			}
			if ag.Amending() {
				return conflict("ErrAgreementAmendmentPending")
			}
			return conflict("ErrAgreementNotSealed")
		}
		org, err := bindingParty(ctx, ag)
		if err != nil {
			return err
		}
		ag.Status = StatusCompleted
		return s.step(tx, ag, KindCompleted, org, events.AgreementCompleted{AgreementStep: stepOf(ag, org, access.From(ctx).UserID())})
	})
}

// CompleteSignature records a signature a redirect-based signing method
// (BankID) completed: the method reads its callback and names the request
// it signed; the signature counts only for the version and document hash it
// was begun for, by the person who returns.
func (s *Service) CompleteSignature(ctx context.Context, state string, params map[string]string) (*Agreement, error) {
	c, ok := s.Signer.(Completer)
	if !ok {
		return nil, fail.NotFoundErr()
	}
	req, ev, err := c.Complete(ctx, state, params)
	if err != nil {
		return nil, err
	}
	if req.UserID != access.From(ctx).UserID() {
		return nil, fail.New(fail.Forbidden, "not_signatory", "ErrAgreementNotSignatory")
	}
	return s.change(ctx, req.AgreementID, func(tx *gorm.DB, ag *Agreement) error {
		if ag.Status != StatusAccepted {
			return conflict("ErrAgreementNotAccepted")
		}
		if err := checkVersion(ag, req.Version); err != nil {
			return err
		}
		t, err := termsTx(tx, ag.ID, ag.Version)
		if err != nil {
			return err
		}
		doc, err := s.document(ctx, ag)
		if err != nil {
			return err
		}
		if Hash(doc, t) != req.DocHash {
			return fail.New(fail.Conflict, "old_version", "ErrAgreementOldVersion", "Version", ag.Version)
		}
		var n int64
		if err := tx.Model(&Signature{}).Where("agreement_id = ? AND version = ?", ag.ID, ag.Version).Count(&n).Error; err != nil {
			return err
		}
		return s.recordSignature(tx, ag, t, *req, ev, int(n)+1)
	})
}

// bindingParty is the party the actor may take a binding step for on an
// agreement in force (cancel or complete it), or the refusal: the same as
// signing asks, an organization admin of a party, logged in with a second
// factor, never an API token.
func bindingParty(ctx context.Context, ag *Agreement) (string, error) {
	a := access.From(ctx)
	p := a.Principal
	if !canRead(a, ag) {
		return "", fail.NotFoundErr()
	}
	if partyOf(a, ag, "") == "" {
		return "", fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
	}
	if p.Token != nil {
		return "", fail.New(fail.Forbidden, "token_cannot_sign", "ErrAgreementTokenBinding")
	}
	org := ""
	for _, o := range []string{ag.SupplierOrgID, ag.ReceiverOrgID} {
		if p.Orgs[o] == "admin" && org == "" {
			org = o
		}
	}
	if org == "" {
		return "", fail.New(fail.Forbidden, "not_signatory", "ErrAgreementNotSignatory")
	}
	if p.AAL != auth.AAL2 {
		return "", fail.New(fail.Forbidden, "second_factor_required", "ErrAgreementBindingAAL")
	}
	return org, nil
}

// mayBind reports whether p may take a binding step on ag (bindingParty).
func mayBind(p *auth.Principal, ag *Agreement) bool {
	return p.Token == nil && p.AAL == auth.AAL2 && (p.Orgs[ag.SupplierOrgID] == "admin" || p.Orgs[ag.ReceiverOrgID] == "admin")
}

// rescore sets the status of every listing ag draws on, now or in any
// version (an amendment may have dropped or moved one), in tx.
func (s *Service) rescore(tx *gorm.DB, ag *Agreement, more ...string) error {
	ids := append([]string(nil), more...)
	for _, l := range []*string{ag.ListingID, ag.CounterpartListingID} {
		if l != nil {
			ids = append(ids, *l)
		}
	}
	var vs []Version
	if err := tx.Where("agreement_id = ?", ag.ID).Find(&vs).Error; err != nil {
		return err
	}
	for _, v := range vs {
		ids = append(ids, v.Terms.ListingIDs...)
	}
	sort.Strings(ids)
	for i, id := range ids {
		if id == "" || (i > 0 && ids[i-1] == id) {
			continue
		}
		if err := market.ScoreTx(tx, id); err != nil {
			if errors.Is(err, fail.ErrNotFound) {
				continue // a listing deleted since
			}
			return err
		}
	}
	return nil
}

// Withdraw takes back the actor's party's pending amendment to a sealed
// agreement: the sealed version is in force again, and the withdrawn one
// stays on the timeline.
func (s *Service) Withdraw(ctx context.Context, id string) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, ag.other(ag.ProposedByOrgID))
		if err != nil {
			return err
		}
		if !ag.Amending() {
			if ag.Final() {
				return conflict("ErrAgreementFinal")
			}
			return conflict("ErrAgreementNoAmendment")
		}
		if org != ag.ProposedByOrgID {
			return conflict("ErrAgreementNotOwnAmendment")
		}
		return s.restore(tx, ag, KindWithdrawn, org)
	})
}

// Reject turns down the other party's pending amendment (the sealed
// version is in force again) or its proposal of an agreement never sealed
// (which ends it). What was rejected stays on the timeline.
func (s *Service) Reject(ctx context.Context, id string) (*Agreement, error) {
	return s.change(ctx, id, func(tx *gorm.DB, ag *Agreement) error {
		org, err := actorParty(ctx, ag, ag.ProposedByOrgID)
		if err != nil {
			return err
		}
		switch {
		case ag.Final():
			return conflict("ErrAgreementFinal")
		case ag.Amending():
		case ag.Status == StatusProposed || ag.Status == StatusAccepted:
		default:
			return conflict("ErrAgreementNotProposed")
		}
		if org == ag.ProposedByOrgID {
			return conflict("ErrAgreementOwnProposal")
		}
		if ag.Amending() {
			return s.restore(tx, ag, KindRejected, org)
		}
		if err := s.step(tx, ag, KindRejected, org, nil); err != nil {
			return err
		}
		ag.Status = StatusCancelled
		return nil
	})
}

// restore records the end of ag's pending amendment as kind and puts the
// sealed version back in force.
func (s *Service) restore(tx *gorm.DB, ag *Agreement, kind, org string) error {
	if err := s.step(tx, ag, kind, org, nil); err != nil {
		return err
	}
	ag.Status, ag.Version = StatusSealed, ag.SealedVersion
	return nil
}

// document is what the seal of ag covers besides its terms: its number,
// template (with the body) and language.
func (s *Service) document(ctx context.Context, ag *Agreement) (Document, error) {
	tpl, err := s.Template(ctx, ag.TemplateKey, ag.Locale, ag.TemplateVersion)
	if err != nil {
		return Document{}, err
	}
	return Document{Number: ag.Number, TemplateKey: ag.TemplateKey, TemplateVersion: ag.TemplateVersion, TemplateBody: tpl.Body, Locale: ag.Locale}, nil
}
