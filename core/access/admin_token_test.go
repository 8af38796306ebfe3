package access

import (
	"context"
	"errors"
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
)

// Only an admin-scoped token of a tenant admin, in the token's own region,
// administers; never the platform; other tokens still cannot (issue 11).
func TestAdminTokens(t *testing.T) {
	user := &auth.User{ID: "u1"}
	adminRoles := []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleTenantAdmin}
	memberRoles := []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember}
	tok := func(tenant, scopes string) *auth.Token {
		tk := &auth.Token{Scopes: scopes}
		tk.TenantID = tenant
		return tk
	}
	for _, c := range []struct {
		name     string
		p        *auth.Principal
		tenant   string
		obj, act string
		code     string
	}{
		{"admin token administers its region", &auth.Principal{User: user, Roles: adminRoles, Token: tok("T", "admin")}, "T", "tenant", "admin", ""},
		{"admin token also reads and writes", &auth.Principal{User: user, Roles: adminRoles, Token: tok("T", "admin")}, "T", "listings", "read", ""},
		{"admin token never the platform", &auth.Principal{User: user, Roles: append(adminRoles, auth.RoleSuperadmin), Token: tok("T", "admin")}, "T", "platform", "admin", "token_admin"},
		{"admin token in another region", &auth.Principal{User: user, Roles: adminRoles, Token: tok("OTHER", "admin")}, "T", "tenant", "admin", "token_admin"},
		{"admin token of a former admin", &auth.Principal{User: user, Roles: memberRoles, Token: tok("T", "admin")}, "T", "tenant", "admin", "token_admin"},
		{"write token of an admin", &auth.Principal{User: user, Roles: adminRoles, Token: tok("T", "read,write")}, "T", "tenant", "admin", "token_admin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := With(context.Background(), &Actor{TenantID: c.tenant, Principal: c.p, Rules: rules{}})
			err := Authorize(ctx, c.obj, c.act)
			var fe *fail.Error
			switch {
			case c.code == "" && err != nil:
				t.Fatalf("want allowed, got %v", err)
			case c.code != "" && (!errors.As(err, &fe) || fe.Code != c.code):
				t.Fatalf("want %s, got %v", c.code, err)
			}
		})
	}
}
