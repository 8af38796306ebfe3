// Package agreement is agreements made on the platform (K6): contract
// templates per tenant (versioned text with fields), agreements between two
// organizations drawn from listings and matches, their versions of terms
// (propose, counter-propose, accept), signatures through a Signer plugin,
// and the seal: once both parties have signed a version, the SHA-256 of its
// canonical form and a digest per term are stored, so that Verify names a
// term changed afterwards. After sealing only an amendment both parties
// sign, a cancellation or a completion changes the agreement (the
// Trackdéchets model: a signature seals what it covers).
package agreement

import (
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Status is where an agreement is.
type Status string

// Agreement statuses. An amendment to a sealed agreement goes through
// proposed and accepted again with SealedVersion > 0: the sealed version
// stays in force until the amendment is sealed.
const (
	StatusDraft     Status = "draft"
	StatusProposed  Status = "proposed"
	StatusAccepted  Status = "accepted" // awaiting both signatures
	StatusSealed    Status = "sealed"
	StatusCancelled Status = "cancelled"
	StatusCompleted Status = "completed"
)

// Statuses lists every status (filters, labels).
var Statuses = []string{string(StatusDraft), string(StatusProposed), string(StatusAccepted), string(StatusSealed), string(StatusCancelled), string(StatusCompleted)}

// Payers: who pays whom. The receiver pays the supplier for masses (a
// sale), or the supplier pays the receiver a gate fee (mottak). A negative
// price turns the direction around.
var Payers = []string{"receiver_pays", "supplier_pays"}

// Transports: who arranges the trucks.
var Transports = []string{"supplier", "receiver", "third_party"}

// VolumeStates of a quantity in m³ (NS 3420): in place (pfm³) or loose (lm³).
var VolumeStates = []string{"in_place", "loose"}

// PriceUnits are what a price is per.
var PriceUnits = []string{"t", "m3"}

// Agreement is one agreement between two organizations (a tenant table).
// Its terms live in its versions; the row holds what lists and scores need.
type Agreement struct {
	store.TenantRow
	ID                   string     `gorm:"primaryKey" json:"id"`
	Number               string     `json:"number"`
	Status               Status     `json:"status"`
	Version              int        `json:"version"`
	SealedVersion        int        `json:"sealed_version"`
	TemplateKey          string     `json:"template_key"`
	TemplateVersion      int        `json:"template_version"`
	Locale               string     `json:"locale"`
	SupplierOrgID        string     `gorm:"column:supplier_org_id" json:"supplier_org_id"`
	ReceiverOrgID        string     `gorm:"column:receiver_org_id" json:"receiver_org_id"`
	ProposedByOrgID      string     `gorm:"column:proposed_by_org_id" json:"proposed_by_org_id,omitempty"`
	ListingID            *string    `json:"listing_id,omitempty"`
	CounterpartListingID *string    `json:"counterpart_listing_id,omitempty"`
	DialogID             *string    `json:"dialog_id,omitempty"`
	MatchID              *string    `json:"match_id,omitempty"`
	Fraction             string     `json:"fraction"`
	Tonnes               float64    `json:"tonnes"`
	SealHash             string     `json:"seal_hash,omitempty"`
	TermDigests          string     `json:"-"`
	SealedAt             *time.Time `json:"sealed_at,omitempty"`
	CreatedBy            string     `json:"-"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`

	SupplierName string `gorm:"->" json:"supplier_name,omitempty"`
	ReceiverName string `gorm:"->" json:"receiver_name,omitempty"`
}

func (Agreement) TableName() string { return "agreements" }

// Amending reports whether an amendment to a sealed agreement is under way.
func (a *Agreement) Amending() bool {
	return a.SealedVersion > 0 && (a.Status == StatusProposed || a.Status == StatusAccepted || a.Status == StatusDraft)
}

// Final reports whether nothing more can happen to the agreement.
func (a *Agreement) Final() bool { return a.Status == StatusCancelled || a.Status == StatusCompleted }

// InForce reports whether a sealed version binds the parties.
func (a *Agreement) InForce() bool { return a.SealedVersion > 0 && !a.Final() }

// Version is one version of an agreement's terms (a tenant table).
type Version struct {
	store.TenantRow
	ID              string    `gorm:"primaryKey" json:"id"`
	AgreementID     string    `json:"agreement_id"`
	Version         int       `json:"version"`
	Terms           TermsJSON `gorm:"type:text" json:"terms"`
	ProposedByOrgID string    `gorm:"column:proposed_by_org_id" json:"proposed_by_org_id,omitempty"`
	CreatedBy       string    `json:"-"`
	CreatedAt       time.Time `json:"created_at"`
}

func (Version) TableName() string { return "agreement_versions" }

// Signature is one party's signature on one version (a tenant table): the
// evidence the signing method recorded.
type Signature struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	AgreementID    string    `json:"agreement_id"`
	Version        int       `json:"version"`
	OrganizationID string    `json:"organization_id"`
	UserID         string    `json:"user_id"`
	Name           string    `json:"name"`
	Method         string    `json:"method"`
	AAL            string    `gorm:"column:aal" json:"aal"`
	DocHash        string    `json:"doc_hash"`
	Evidence       string    `json:"evidence,omitempty"`
	SignedAt       time.Time `json:"signed_at"`
	CreatedAt      time.Time `json:"-"`

	OrganizationName string `gorm:"->" json:"organization_name,omitempty"`
}

func (Signature) TableName() string { return "agreement_signatures" }

// Event is one step on an agreement's timeline (a tenant table).
type Event struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	AgreementID    string    `json:"agreement_id"`
	Kind           string    `json:"kind"`
	Version        int       `json:"version"`
	OrganizationID string    `json:"organization_id,omitempty"`
	UserID         string    `json:"-"`
	UserName       string    `json:"user_name,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func (Event) TableName() string { return "agreement_events" }

// Timeline kinds.
const (
	KindCreated         = "created"
	KindEdited          = "edited"
	KindProposed        = "proposed"
	KindCounterProposed = "counter_proposed"
	KindAccepted        = "accepted"
	KindSigned          = "signed"
	KindSealed          = "sealed"
	KindAmendment       = "amendment_proposed"
	KindAmended         = "amended"
	KindCancelled       = "cancelled"
	KindWithdrawn       = "withdrawn"
	KindRejected        = "rejected"
	KindCompleted       = "completed"
)

// Template is one version of a tenant's contract template in one language
// (a tenant table). Version 0 is a built-in default, never stored.
type Template struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey" json:"id"`
	Key       string    `gorm:"column:template_key" json:"key"`
	Locale    string    `json:"locale"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedBy string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

func (Template) TableName() string { return "contract_templates" }

// Detail is an agreement with what its page shows: the current terms, the
// sealed terms, the signatures, the timeline and what the caller may do.
type Detail struct {
	Agreement  *Agreement   `json:"agreement"`
	Terms      Terms        `json:"terms"`
	Sealed     *Terms       `json:"sealed_terms,omitempty"`
	Versions   []Version    `json:"versions"`
	Signatures []Signature  `json:"signatures"`
	Timeline   []Event      `json:"timeline"`
	Text       string       `json:"text"`
	Can        Capabilities `json:"can"`

	templateBody string
}

// Capabilities are the steps the caller may take now.
type Capabilities struct {
	Edit     bool `json:"edit"`
	Propose  bool `json:"propose"`
	Accept   bool `json:"accept"`
	Counter  bool `json:"counter"`
	Sign     bool `json:"sign"`
	Amend    bool `json:"amend"`
	Cancel   bool `json:"cancel"`
	Complete bool `json:"complete"`
	// Withdraw: the actor's party may take back its pending amendment;
	// Reject: it may turn down the other party's amendment or proposal.
	Withdraw bool `json:"withdraw"`
	Reject   bool `json:"reject"`
	// SignNeedsAAL2: the caller is a signatory but logged in without a
	// second factor.
	SignNeedsAAL2 bool `json:"sign_needs_aal2"`
}
