package access

import (
	"context"
	"errors"
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// rules allows listings/read to anyone, listings/create to members, and
// tenant/admin to tenant admins only (admin-only).
type rules struct{}

func (rules) Decide(roles []string, tenantID, obj, act string) Decision {
	has := func(r string) bool {
		for _, x := range roles {
			if x == r {
				return true
			}
		}
		return false
	}
	switch {
	case obj == "listings" && act == "read":
		return Decision{Allowed: true}
	case obj == "listings" && act == "create":
		return Decision{Allowed: has(auth.RoleMember)}
	case obj == "tenant" && act == "admin":
		return Decision{Allowed: has(auth.RoleTenantAdmin), AdminOnly: true}
	}
	return Decision{}
}

func TestAuthorize(t *testing.T) {
	user := &auth.User{ID: "u1"}
	member := &auth.Principal{User: user, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember}, Orgs: map[string]string{"o1": "member"}}
	admin := &auth.Principal{User: user, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleTenantAdmin}}
	admin2 := &auth.Principal{User: user, AAL: auth.AAL2, Roles: admin.Roles}
	readToken := &auth.Principal{User: user, Roles: member.Roles, Token: &auth.Token{Scopes: "read"}}
	for _, c := range []struct {
		name     string
		p        *auth.Principal
		obj, act string
		code     string // "" = allowed
	}{
		{"anonymous reads", nil, "listings", "read", ""},
		{"anonymous creates", nil, "listings", "create", "unauthorized"},
		{"member creates", member, "listings", "create", ""},
		{"member administers", member, "tenant", "admin", "forbidden"},
		{"admin without second factor", admin, "tenant", "admin", "second_factor_required"},
		{"admin with second factor", admin2, "tenant", "admin", ""},
		{"read token reads", readToken, "listings", "read", ""},
		{"read token writes", readToken, "listings", "create", "token_scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := With(context.Background(), &Actor{TenantID: "T", Principal: c.p, Rules: rules{}})
			err := Authorize(ctx, c.obj, c.act)
			e, _ := fail.As(err)
			switch {
			case c.code == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.code != "" && (e == nil || e.Code != c.code):
				t.Errorf("got %v, want %s", err, c.code)
			}
		})
	}
}

func TestContext(t *testing.T) {
	a := From(context.Background())
	if !a.Anonymous() || a.Can("listings", "read") || !errors.Is(a.Authorize("listings", "read"), fail.ErrForbidden) {
		t.Errorf("no actor must mean an anonymous actor who may do nothing: %+v", a)
	}
	ctx := With(context.Background(), &Actor{TenantID: "T", TenantSlug: "t", Rules: rules{}})
	if tid, ok := store.TenantID(ctx); !ok || tid != "T" {
		t.Errorf("the actor's context is not scoped to its tenant: %q", tid)
	}
	if got := From(ctx); got.TenantSlug != "t" || !got.Can("listings", "read") {
		t.Errorf("From: %+v", got)
	}
	m := &Actor{Principal: &auth.Principal{User: &auth.User{ID: "u"}, Orgs: map[string]string{"o1": "member", "o2": "admin"}}}
	if !m.CanEditOrg("o1") || m.CanAdminOrg("o1") || !m.CanAdminOrg("o2") || m.CanEditOrg("o3") {
		t.Error("row rules for organizations")
	}
}

// grantAdmin is a region whose (now refused) rule granted tenant:admin to
// members: the decision does not say AdminOnly.
type grantAdmin struct{}

func (grantAdmin) Decide(roles []string, tenantID, obj, act string) Decision {
	return Decision{Allowed: true}
}

// TestAdminNeedsSecondFactorWhateverTheRuleM1: administration needs a
// second factor even when a rule gave it to a role that is not an admin
// role (issue 10, M1).
func TestAdminNeedsSecondFactorWhateverTheRuleM1(t *testing.T) {
	member := &auth.Principal{User: &auth.User{ID: "u1"}, Roles: []string{auth.RoleAuthenticated, auth.RoleMember}, AAL: "aal1"}
	a := &Actor{TenantID: "t1", Principal: member, Rules: grantAdmin{}}
	var fe *fail.Error
	if err := a.Authorize("tenant", "admin"); !errors.As(err, &fe) || fe.Code != "second_factor_required" {
		t.Fatalf("tenant:admin without a second factor: %v", err)
	}
	member.AAL = auth.AAL2
	if err := a.Authorize("tenant", "admin"); err != nil {
		t.Fatalf("with a second factor: %v", err)
	}
	if err := a.Authorize("listings", "read"); err != nil {
		t.Fatalf("an ordinary permission needs no second factor: %v", err)
	}
}
