package account_test

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// An admin token: a tenant admin's, from an AAL2 session, ≤ 30 days;
// listed for the region's admins with its creator.
func TestAdminTokenIssue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := &account.Service{Users: &auth.Users{DB: db}}
		tid := storetest.Tenant(t, db, "a")
		u := storetest.User(t, db, "kari@example.no")
		admin := storetest.As(u, auth.RoleTenantAdmin)
		in := account.TokenInput{Name: "katalog", Scopes: []string{auth.ScopeAdmin}, ExpiresInDays: 30}
		code := func(err error) string {
			if fe, ok := fail.As(err); ok {
				return fe.Code
			}
			if err != nil {
				return err.Error()
			}
			return ""
		}
		// AAL1: refused.
		if _, err := svc.Issue(storetest.Ctx(tid, admin), in); code(err) != "second_factor_required" {
			t.Fatalf("at AAL1: %v", err)
		}
		// Not a tenant admin: refused.
		member := storetest.As(u, auth.RoleMember)
		member.Principal.AAL = auth.AAL2
		if _, err := svc.Issue(storetest.Ctx(tid, member), in); code(err) != "admin_token_role" {
			t.Fatalf("as a member: %v", err)
		}
		admin.Principal.AAL = auth.AAL2
		ctx := storetest.Ctx(tid, admin)
		if _, err := svc.Issue(ctx, account.TokenInput{Name: "katalog", Scopes: []string{auth.ScopeAdmin}, ExpiresInDays: 31}); fields(t, err)[0] != "/expires_in_days=range" {
			t.Fatalf("31 days: %v", err)
		}
		created, err := svc.Issue(ctx, in)
		if err != nil || created.Secret == "" || !created.Token.HasScope(auth.ScopeAdmin) {
			t.Fatalf("admin token: %+v %v", created, err)
		}
		if d := created.Token.ExpiresAt.Sub(created.Token.CreatedAt); d != 30*24*3600*1e9 {
			t.Fatalf("lifetime %v", d)
		}
		// Default lifetime of an admin token is capped too.
		if c, err := svc.Issue(ctx, account.TokenInput{Name: "kort", Scopes: []string{auth.ScopeAdmin}}); err != nil || c.Token.ExpiresAt.Sub(c.Token.CreatedAt) != 30*24*3600*1e9 {
			t.Fatalf("default admin lifetime: %+v %v", c, err)
		}
		list, err := svc.AdminTokens(ctx)
		if err != nil || len(list) != 2 || list[0].CreatedBy != u.Name {
			t.Fatalf("admin tokens: %+v %v", list, err)
		}
	})
}
