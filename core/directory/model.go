// Package directory is the regional directory: organizations (by org
// number, enriched from Brønnøysundregistrene), their sites (projects and
// facilities with permits), contacts, transport vehicles, and the
// memberships that make a person a verified representative.
package directory

import (
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/store"
)

// Organization kinds (K1, K3, V3).
var OrgKinds = []string{"builder", "contractor", "quarry", "port", "environmental_park", "intermediate_storage", "landfill", "recycling_plant", "transporter", "lab"}

// Transport service kinds (K3).
var TransportServices = []string{"tipper", "semi_tipper", "road_train", "hooklift", "machine_transport", "dumper", "barge"}

// Site kinds and their attributes (K1, K2).
var (
	SiteKinds     = []string{"project", "facility"}
	ProjectPhases = []string{"idea", "early_planning", "zoning", "design", "tender", "construction", "completed"}
	FacilityTypes = []string{"quarry", "landfill", "intermediate_storage", "environmental_park", "port", "recycling_plant", "receiving_site", "lab"}
	PermitKinds   = []string{"receiving", "intermediate_storage", "extraction", "processing", "landfill"}
)

// Vehicle attributes (V1).
var (
	BodyTypes   = []string{"tipper_3axle", "tipper_4axle", "semi_tipper", "road_train", "hooklift", "dumper"}
	EuroClasses = []string{"euro3", "euro4", "euro5", "euro6", "zero_emission"}
	Fuels       = []string{"diesel", "hvo", "electric", "biogas", "hydrogen"}
)

// Fractions are the mass fraction codes a permit may accept (the codes of the
// one catalogue, core/fraction).
var Fractions = fraction.Codes()

// Organization is an actor in a tenant's directory (a tenant table).
type Organization struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	OrgNumber      string    `json:"org_number"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	Kinds          List      `gorm:"type:text" json:"kinds"`
	Services       List      `gorm:"type:text" json:"services"`
	Website        string    `json:"website"`
	Email          string    `json:"email,omitempty"`
	Phone          string    `json:"phone,omitempty"`
	Address        string    `json:"address"`
	Postcode       string    `json:"postcode"`
	City           string    `json:"city"`
	MunicipalityNo string    `json:"municipality_no"`
	Lat            *float64  `json:"lat"`
	Lon            *float64  `json:"lon"`
	RegistryStatus string    `json:"registry_status"`
	CreatedBy      string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Verified is computed: at least one approved representative.
	Verified bool `gorm:"->" json:"verified"`
}

func (Organization) TableName() string { return "organizations" }

// HasKind reports whether the organization is of kind k.
func (o *Organization) HasKind(k string) bool { return o.Kinds.Has(k) }

// Site is a project or a facility (a tenant table).
type Site struct {
	store.TenantRow
	ID                    string     `gorm:"primaryKey" json:"id"`
	OrganizationID        string     `json:"organization_id"`
	Kind                  string     `json:"kind"`
	Name                  string     `json:"name"`
	Description           string     `json:"description"`
	Address               string     `json:"address"`
	Postcode              string     `json:"postcode"`
	City                  string     `json:"city"`
	MunicipalityNo        string     `json:"municipality_no"`
	Lat                   float64    `json:"lat"`
	Lon                   float64    `json:"lon"`
	Phase                 string     `json:"phase,omitempty"`
	PlannedStart          *time.Time `json:"planned_start,omitempty"`
	PlannedEnd            *time.Time `json:"planned_end,omitempty"`
	ExpectedSurplusTonnes float64    `json:"expected_surplus_tonnes,omitempty"`
	ExpectedNeedTonnes    float64    `json:"expected_need_tonnes,omitempty"`
	FacilityType          string     `json:"facility_type,omitempty"`
	Permanent             bool       `json:"permanent"`
	CapacityTonnes        float64    `json:"capacity_tonnes,omitempty"`
	OpeningHours          string     `json:"opening_hours,omitempty"`
	GateFeeNOKPerTonne    *float64   `gorm:"column:gate_fee_nok_per_tonne" json:"gate_fee_nok_per_tonne,omitempty"`
	// ExactPointPublic: the owner shows visitors the exact point (B6);
	// otherwise they see the centre of its ~1 km cell. Facilities are
	// public businesses and default to true, projects to false.
	ExactPointPublic bool `json:"exact_point_public"`
	// PointApproximate: Lat and Lon are the ~1 km cell's centre, not the
	// point (the reader may not see it).
	PointApproximate bool      `gorm:"-" json:"point_approximate,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Permits          []Permit  `gorm:"-" json:"permits,omitempty"`
	OrganizationName string    `gorm:"->" json:"organization_name,omitempty"`
}

func (Site) TableName() string { return "sites" }

// Permit is a mass-handling permit of a facility (a tenant table).
type Permit struct {
	store.TenantRow
	ID                   string     `gorm:"primaryKey" json:"id"`
	SiteID               string     `json:"site_id"`
	Kind                 string     `json:"kind"`
	Authority            string     `json:"authority"`
	Reference            string     `json:"reference"`
	ValidFrom            *time.Time `json:"valid_from,omitempty"`
	ValidTo              *time.Time `json:"valid_to,omitempty"`
	Fractions            List       `gorm:"type:text" json:"fractions"`
	MaxClass             int        `json:"max_class"`
	AnnualCapacityTonnes float64    `json:"annual_capacity_tonnes"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

func (Permit) TableName() string { return "permits" }

// ValidAt reports whether the permit is in force at t.
func (p *Permit) ValidAt(t time.Time) bool {
	return (p.ValidFrom == nil || !t.Before(*p.ValidFrom)) && (p.ValidTo == nil || !t.After(*p.ValidTo))
}

// Contact is a contact person (personal data: shown only to logged-in users).
type Contact struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	OrganizationID string    `json:"organization_id"`
	SiteID         *string   `json:"site_id,omitempty"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	Phone          string    `json:"phone"`
	Email          string    `json:"email"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (Contact) TableName() string { return "contacts" }

// Vehicle is a transport company's truck (V1); it counts once approved.
type Vehicle struct {
	store.TenantRow
	ID             string     `gorm:"primaryKey" json:"id"`
	OrganizationID string     `json:"organization_id"`
	Registration   string     `json:"registration"`
	Make           string     `json:"make"`
	Model          string     `json:"model"`
	BodyType       string     `json:"body_type"`
	EuroClass      string     `json:"euro_class"`
	Fuel           string     `json:"fuel"`
	PayloadTonnes  float64    `json:"payload_tonnes"`
	PayloadM3      float64    `gorm:"column:payload_m3" json:"payload_m3"`
	Status         string     `json:"status"`
	DecidedBy      string     `json:"-"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	CreatedBy      string     `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func (Vehicle) TableName() string { return "vehicles" }

// Membership links a user to an organization as a (pending) representative.
type Membership struct {
	store.TenantRow
	ID             string     `gorm:"primaryKey" json:"id"`
	UserID         string     `json:"user_id"`
	OrganizationID string     `json:"organization_id"`
	Role           string     `json:"role"`
	Status         string     `json:"status"`
	Message        string     `json:"message"`
	DecidedBy      string     `json:"-"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	// EndedBy and EndedAt: who ended an approved representation (a former
	// employee), and when (status ended).
	EndedBy       string     `json:"-"`
	EndedAt       *time.Time `json:"ended_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	UserName      string     `gorm:"->" json:"user_name,omitempty"`
	OrgName       string     `gorm:"->" json:"organization_name,omitempty"`
	DecidedByName string     `gorm:"->" json:"decided_by_name,omitempty"`
	EndedByName   string     `gorm:"->" json:"ended_by_name,omitempty"`
}

func (Membership) TableName() string { return "memberships" }

// Membership statuses and roles.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
	StatusEnded    = "ended"
	MemberRole     = "member"
	AdminRole      = "admin"
)

// RegistryUnit is a cached Enhetsregisteret entry (a global reference table).
type RegistryUnit struct {
	OrgNumber        string    `gorm:"primaryKey" json:"org_number"`
	Name             string    `json:"name"`
	OrgFormCode      string    `json:"org_form_code"`
	OrgForm          string    `json:"org_form"`
	Address          string    `json:"address"`
	Postcode         string    `json:"postcode"`
	City             string    `json:"city"`
	MunicipalityNo   string    `json:"municipality_no"`
	Municipality     string    `json:"municipality"`
	NaceCode         string    `json:"nace_code"`
	NaceText         string    `json:"nace_text"`
	Employees        int       `json:"employees"`
	Website          string    `json:"website"`
	Bankrupt         bool      `json:"bankrupt"`
	UnderLiquidation bool      `json:"under_liquidation"`
	Deleted          bool      `json:"deleted"`
	FetchedAt        time.Time `json:"fetched_at"`
}

func (RegistryUnit) TableName() string { return "registry_units" }

// Status summarises the unit's standing for the directory.
func (u *RegistryUnit) Status() string {
	switch {
	case u.Deleted:
		return "deleted"
	case u.Bankrupt:
		return "bankrupt"
	case u.UnderLiquidation:
		return "liquidation"
	}
	return "active"
}

// List is a string list stored as comma-separated text.
type List []string

// Has reports whether s is in the list.
func (l List) Has(s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func joinAllowed(set []string) string { return strings.Join(set, ", ") }
