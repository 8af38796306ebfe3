package app_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestRoleByIDNeverToAnUnverifiedIdentity: a tenant admin who grants a role
// by user ID to an identity whose address is not verified grants nothing;
// the grant waits as an invitation for that address.
func TestRoleByIDNeverToAnUnverifiedIdentity(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		u := auth.User{ID: store.NewID(), Subject: "kratos:unverified-probe", Email: "probe@example.no", Name: "Ukjent"}
		if err := e.App.DB.Tx(store.System(context.Background(), "test: an unverified identity"), func(tx *gorm.DB) error { return tx.Create(&u).Error }); err != nil {
			t.Fatal(err)
		}
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/admin/assignments", As: apitest.TenantAdmin,
			Body: map[string]any{"user_id": u.ID, "role": "tenant_admin"}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status >= 300 {
			t.Fatalf("grant: %d %s", r.Status, r.Body)
		}
		for _, h := range e.App.Roles.Holders(e.Tenant("baerum").ID, "tenant_admin") {
			if h == u.ID {
				t.Fatal("an unverified identity was made tenant admin")
			}
		}
		if n := e.Count("baerum", "invitations", "email = ? AND role = ?", "probe@example.no", "tenant_admin"); n != 1 {
			t.Fatalf("%d invitations for the address", n)
		}
	})
}
