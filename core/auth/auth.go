// Package auth holds identities, users, principals and API tokens.
package auth

import (
	"context"
	"errors"
	"time"
)

// Credentials are what a request presents to an identity provider.
type Credentials struct {
	// CookieHeader is the raw Cookie header (Kratos reads its own session cookie from it).
	CookieHeader string
	// SessionToken is an X-Session-Token header (Kratos native/API flows).
	SessionToken string
	// ClientIP is the request's client address (lookups are limited per
	// client).
	ClientIP string
}

// Session is an authenticated identity.
type Session struct {
	Subject string // stable identity ID at the provider
	Email   string
	Name    string
	AAL     string // "aal1" or "aal2" (second factor)
	Expires time.Time
	// EmailVerified: the provider verified Email (Kratos'
	// verifiable_addresses). Only a verified address receives roles and
	// invitations.
	EmailVerified bool
	// ID is the provider's ID of this session, when it has one (Kratos):
	// logging out a device ends the cached answers for it.
	ID string
}

// AAL2 is the authenticator assurance level with a second factor.
const AAL2 = "aal2"

// Identity is the login provider plugin (identity.kratos, identity.dev).
type Identity interface {
	// Authenticate returns the session the credentials prove, or nil when
	// they carry none. An error means the provider failed, not "no session".
	Authenticate(ctx context.Context, c Credentials) (*Session, error)
	// LoginURL is where the UI sends a visitor to log in; returnTo is a local path.
	LoginURL(returnTo string) string
	// LogoutURL is where the UI sends a user to log out.
	LogoutURL(returnTo string) string
}

// ErrProviderUnavailable reports that the identity provider could not be reached.
var ErrProviderUnavailable = errors.New("auth: identity provider unavailable")

// ErrStepUpRequired reports that the provider knows the session but wants a
// second factor before it answers for it (Kratos' session_aal2_required).
var ErrStepUpRequired = errors.New("auth: second factor required for this session")

// StepUp is implemented by identity providers that can raise a session to
// AAL2: SecondFactorURL is where the browser goes to give the second factor
// and come back to returnTo.
type StepUp interface {
	SecondFactorURL(returnTo string) string
}

// SessionCache is implemented by providers that remember sessions for a
// while: Forget drops what they remember for the credentials (after a
// login, a step-up or a verified address the session has changed).
type SessionCache interface {
	Forget(c Credentials)
}

// User is a person known to the platform (a global table).
type User struct {
	ID      string `gorm:"primaryKey" json:"id"`
	Subject string `json:"-"`
	Email   string `json:"email,omitempty"`
	Name    string `json:"name"`
	// VerifiedEmail is Email, lower-cased, once the provider verified it;
	// nil before. Unique: a verified address belongs to one user.
	VerifiedEmail *string   `json:"-"`
	CreatedAt     time.Time `json:"-"`
	UpdatedAt     time.Time `json:"-"`
}

// Verified reports whether the user's address was verified.
func (u *User) Verified() bool { return u != nil && u.VerifiedEmail != nil && *u.VerifiedEmail != "" }

func (User) TableName() string { return "users" }

// Principal is who makes a request: a user (by session or API token) or nobody.
type Principal struct {
	User  *User
	AAL   string
	Token *Token // set when authenticated with an API token
	// Roles are the principal's roles in the request's tenant, always
	// including "anonymous", plus "authenticated" for any logged-in user.
	Roles []string
	// Orgs maps organization IDs to the membership role ("admin"/"member")
	// for approved memberships in the request's tenant.
	Orgs map[string]string
	// IdentityDown: the identity provider could not be asked, so the
	// request counts as anonymous (pages say so; member actions get 503).
	IdentityDown bool
	// StepUp: the provider knows the session but wants a second factor
	// first (Kratos' session_aal2_required).
	StepUp bool
}

// Anonymous reports whether nobody is logged in.
func (p *Principal) Anonymous() bool { return p == nil || p.User == nil }

// Has reports whether the principal holds role.
func (p *Principal) Has(role string) bool {
	if p == nil {
		return role == RoleAnonymous
	}
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// UserID returns the user's ID or "".
func (p *Principal) UserID() string {
	if p.Anonymous() {
		return ""
	}
	return p.User.ID
}

// Role names.
const (
	RoleAnonymous     = "anonymous"
	RoleAuthenticated = "authenticated"
	RoleMember        = "member"
	RoleOrgAdmin      = "org_admin"
	RoleTransporter   = "transporter"
	RoleSupervisor    = "supervisor"
	RoleTenantAdmin   = "tenant_admin"
	RoleSuperadmin    = "superadmin"
)

// AllRoles lists every role, least privileged first.
var AllRoles = []string{RoleAnonymous, RoleAuthenticated, RoleMember, RoleTransporter, RoleOrgAdmin, RoleSupervisor, RoleTenantAdmin, RoleSuperadmin}

// AssignableRoles are the roles a tenant admin assigns directly; member,
// org admin and transporter follow from approved organization memberships.
var AssignableRoles = []string{RoleTenantAdmin, RoleSupervisor}

// AdminRoles need a second factor (AAL2) when they are what grants an action.
var AdminRoles = map[string]bool{RoleTenantAdmin: true, RoleSuperadmin: true}
