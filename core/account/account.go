// Package account is what the caller may see and do about themselves in a
// region: who they are there (Me) and their API tokens.
package account

import (
	"context"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
)

// Service answers for the caller in the context.
type Service struct{ Users *auth.Users }

// Me describes the caller in this tenant.
type Me struct {
	User  *auth.User        `json:"user"`
	Roles []string          `json:"roles"`
	Orgs  map[string]string `json:"organizations"`
	AAL   string            `json:"aal,omitempty"`
}

// Me returns the caller; visitors are unauthorized.
func (s *Service) Me(ctx context.Context) (*Me, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	p := a.Principal
	orgs := p.Orgs
	if orgs == nil {
		orgs = map[string]string{}
	}
	return &Me{User: p.User, Roles: p.Roles, Orgs: orgs, AAL: p.AAL}, nil
}

// TokenInput is what creating a token takes.
type TokenInput struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays int      `json:"expires_in_days"`
}

// TokenCreated is a new token with its secret, shown once.
type TokenCreated struct {
	Token  *auth.Token `json:"token"`
	Secret string      `json:"secret"`
}

// TokenList is the caller's tokens.
type TokenList struct {
	Items []auth.Token `json:"items"`
}

// MaxTokenDays bounds token lifetime.
const MaxTokenDays = 366

// tokenOwner is the logged-in person acting without a token: a token never
// manages tokens.
func tokenOwner(ctx context.Context) (string, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return "", fail.UnauthorizedErr()
	}
	if a.Principal.Token != nil {
		return "", fail.New(fail.Forbidden, "token_admin", "ErrTokenAdmin")
	}
	return a.UserID(), nil
}

// Tokens lists the caller's tokens in the region.
func (s *Service) Tokens(ctx context.Context) (TokenList, error) {
	uid, err := tokenOwner(ctx)
	if err != nil {
		return TokenList{}, err
	}
	out, err := s.Users.Tokens(ctx, uid)
	if out == nil {
		out = []auth.Token{}
	}
	return TokenList{Items: out}, err
}

// Issue validates and creates a token for the caller.
func (s *Service) Issue(ctx context.Context, in TokenInput) (*TokenCreated, error) {
	uid, err := tokenOwner(ctx)
	if err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		v.Add("name", "required", "ErrFieldRequired")
	} else if len([]rune(in.Name)) > 100 {
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 100)
	}
	if len(in.Scopes) == 0 {
		v.Add("scopes", "required", "ErrFieldRequired")
	}
	admin := false
	for _, sc := range in.Scopes {
		if sc == auth.ScopeAdmin {
			admin = true
			continue
		}
		if sc != auth.ScopeRead && sc != auth.ScopeWrite {
			v.Add("scopes", "enum", "ErrFieldEnum", "Allowed", "read, write, admin")
			break
		}
	}
	maxDays := MaxTokenDays
	if admin {
		maxDays = auth.MaxAdminTokenDays
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = min(90, maxDays)
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > maxDays {
		v.Add("expires_in_days", "range", "ErrFieldRange", "Min", 1, "Max", maxDays)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// An admin token is a tenant admin's, made with a second factor.
	if admin {
		a := access.From(ctx)
		if !a.Principal.Has(auth.RoleTenantAdmin) {
			return nil, fail.New(fail.Forbidden, "admin_token_role", "ErrAdminTokenRole")
		}
		if a.Principal.AAL != auth.AAL2 {
			return nil, fail.New(fail.Forbidden, "second_factor_required", "ErrSecondFactor")
		}
	}
	t, secret, err := s.Users.CreateToken(ctx, uid, in.Name, in.Scopes, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return nil, err
	}
	return &TokenCreated{Token: t, Secret: secret}, nil
}

// AdminTokenView is an admin token as the region's admins see it: with
// the admin who made it.
type AdminTokenView struct {
	auth.Token
	CreatedBy string `json:"created_by"`
}

// AdminTokens lists the region's admin-scoped tokens with their creators
// (tenant administration).
func (s *Service) AdminTokens(ctx context.Context) ([]AdminTokenView, error) {
	if !access.From(ctx).IsAdmin() {
		return nil, fail.ForbiddenErr()
	}
	toks, err := s.Users.AdminTokens(ctx)
	out := make([]AdminTokenView, 0, len(toks))
	for _, t := range toks {
		v := AdminTokenView{Token: t}
		if u, err := s.Users.ByID(ctx, t.UserID); err == nil {
			v.CreatedBy = u.Name
		}
		out = append(out, v)
	}
	return out, err
}

// Revoke revokes one of the caller's tokens.
func (s *Service) Revoke(ctx context.Context, id string) error {
	uid, err := tokenOwner(ctx)
	if err != nil {
		return err
	}
	ok, err := s.Users.RevokeToken(ctx, uid, id)
	if err != nil {
		return err
	}
	if !ok {
		return fail.NotFoundErr()
	}
	return nil
}
