package agreement

import (
	"context"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Service is the agreements domain. Its methods take a context carrying
// the actor (core/access) and return fail errors.
type Service struct {
	DB     *store.DB
	Market *market.Service
	// Signer is the signing method (an esign.* plugin).
	Signer Signer
}

func (s *Service) now() time.Time { return s.DB.Now() }

// SignRequest is what a signing method is asked to sign: the document hash
// of one version of one agreement, by one person for one organization.
type SignRequest struct {
	AgreementID    string
	Number         string
	Version        int
	DocHash        string
	OrganizationID string
	UserID         string
	Name           string
	AAL            string
	At             time.Time
}

// Evidence is what a signing method recorded.
type Evidence struct {
	Method string
	// Data is the method's own record (JSON), kept with the signature.
	Data string
}

// Step is a signing method's answer to Begin: the evidence at once (a
// simple electronic signature), or a redirect to a provider that
// completes later (BankID), identified by State.
type Step struct {
	Evidence    *Evidence
	RedirectURL string
	State       string
}

// Signer is a signing method (esign.simple, later a BankID provider). A
// redirect-based provider answers Begin with a RedirectURL and implements
// Completer; Service.CompleteSignature records its evidence.
type Signer interface {
	Method() string
	Begin(ctx context.Context, r SignRequest) (*Step, error)
}

// Completer is implemented by redirect-based signing methods.
type Completer interface {
	Complete(ctx context.Context, state string, params map[string]string) (*SignRequest, *Evidence, error)
}

// The row rules, once. Members of either party see an agreement and take
// its steps; supervisors and tenant admins read it; nobody else sees it.

// canRead reports whether the actor may see the agreement.
// A draft is its drafting party's until proposed.
func canRead(a *access.Actor, ag *Agreement) bool {
	p := a.Principal
	if ag.Status == StatusDraft && ag.SealedVersion == 0 {
		// A draft is its author's side's alone, until proposed.
		return p.Orgs[ag.ProposedByOrgID] != ""
	}
	if a.IsAdmin() || p.Has(auth.RoleSupervisor) {
		return true
	}
	return p.Orgs[ag.SupplierOrgID] != "" || p.Orgs[ag.ReceiverOrgID] != ""
}

// partyOf is the party the actor acts for ("" when none): the one that is
// not prefer when it represents both.
func partyOf(a *access.Actor, ag *Agreement, notOrg string) string {
	p := a.Principal
	sup, rec := p.Orgs[ag.SupplierOrgID] != "", p.Orgs[ag.ReceiverOrgID] != ""
	switch {
	case sup && rec:
		if notOrg == ag.SupplierOrgID {
			return ag.ReceiverOrgID
		}
		return ag.SupplierOrgID
	case sup:
		return ag.SupplierOrgID
	case rec:
		return ag.ReceiverOrgID
	}
	return ""
}

// other is the other party.
func (a *Agreement) other(org string) string {
	if org == a.SupplierOrgID {
		return a.ReceiverOrgID
	}
	return a.SupplierOrgID
}

// actorParty returns the party the actor may act for, or the refusal: not
// found when it cannot see the agreement, forbidden when it only reads.
func actorParty(ctx context.Context, ag *Agreement, notOrg string) (string, error) {
	a := access.From(ctx)
	if !canRead(a, ag) {
		return "", fail.NotFoundErr()
	}
	org := partyOf(a, ag, notOrg)
	if org == "" {
		return "", fail.New(fail.Forbidden, "not_party", "ErrAgreementNotParty")
	}
	return org, nil
}
