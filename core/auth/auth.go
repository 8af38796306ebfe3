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
}

// Session is an authenticated identity.
type Session struct {
	Subject string // stable identity ID at the provider
	Email   string
	Name    string
	AAL     string // "aal1" or "aal2" (second factor)
	Expires time.Time
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

// User is a person known to the platform (a global table).
type User struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	Subject   string    `json:"-"`
	Email     string    `json:"email,omitempty"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

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
