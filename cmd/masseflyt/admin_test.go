package main

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
)

// The first admins of a production platform (issue 11): granted to a
// verified address, else invited; revoked; bad input writes nothing.
func TestAdminGrant(t *testing.T) {
	dir := setup(t)
	ready(t)
	mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder")
	tn, _ := tenantRow(t, dir, "agder")
	tables := []string{"casbin_rule", "invitations", "platform_invitations"}

	// Bad input: nothing written.
	before := counts(t, dir, tables...)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "grant", "--email", "sjef@example.no"}, `invalid --role ""`},
		{[]string{"admin", "grant", "--email", "sjef@example.no", "--role", "root"}, `invalid --role "root"`},
		{[]string{"admin", "grant", "--email", "ikke en adresse", "--role", "platform-admin"}, `invalid --email "ikke en adresse"`},
		{[]string{"admin", "grant", "--email", "sjef@example.no", "--role", "tenant-admin"}, "--role tenant-admin needs --tenant SLUG"},
		{[]string{"admin", "grant", "--email", "sjef@example.no", "--role", "platform-admin", "--tenant", "agder"}, "--tenant is not used"},
		{[]string{"admin", "grant", "--email", "sjef@example.no", "--role", "tenant-admin", "--tenant", "nowhere"}, `unknown tenant "nowhere"`},
		{[]string{"admin", "revoke"}, "admin: want grant"},
		{[]string{"admin", "grant", "--email", "sjef@example.no", "--role", "platform-admin", "--revoke"}, "holds no platform-admin role"},
	} {
		_, err := cli(t, c.args...)
		wantErr(t, err, c.want)
	}
	sameCounts(t, before, counts(t, dir, tables...))

	// An unverified user with the address gets nothing: the role is invited.
	unverified := auth.User{ID: store.NewID(), Subject: "kratos:unverified", Email: "sjef@example.no", Name: "?"}
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Create(&unverified).Error })
	out := mustCLI(t, "admin", "grant", "--email", "Sjef@Example.no", "--role", "platform-admin")
	if !strings.HasPrefix(out, "invited sjef@example.no as platform-admin in the platform") {
		t.Fatalf("printed %q", out)
	}
	if n := count(t, dir, "platform_invitations", "email = ? AND role = ? AND accepted_at IS NULL AND revoked_at IS NULL", "sjef@example.no", auth.RoleSuperadmin); n != 1 {
		t.Fatalf("platform invitations: %d", n)
	}
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v0 = ?", "u:"+unverified.ID); n != 0 {
		t.Fatalf("an unverified user was made admin")
	}
	// Inviting again renews the one invitation.
	mustCLI(t, "admin", "grant", "--email", "sjef@example.no", "--role", "platform-admin")
	if n := count(t, dir, "platform_invitations", ""); n != 1 {
		t.Fatalf("platform invitations after a second grant: %d", n)
	}

	// A verified user is granted at once, in a tenant and on the platform.
	uid := addUser(t, dir, "kari@example.no")
	if out := mustCLI(t, "admin", "grant", "--email", "kari@example.no", "--role", "tenant-admin", "--tenant", "agder"); out != "granted tenant-admin to kari@example.no in tenant agder\n" {
		t.Fatalf("printed %q", out)
	}
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v0 = ? AND v1 = ? AND v2 = ?", "u:"+uid, auth.RoleTenantAdmin, tn.ID); n != 1 {
		t.Fatalf("tenant admin rows: %d", n)
	}
	mustCLI(t, "admin", "grant", "--email", "kari@example.no", "--role", "platform-admin")
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v0 = ? AND v1 = ? AND v2 = '*'", "u:"+uid, auth.RoleSuperadmin); n != 1 {
		t.Fatalf("superadmin rows: %d", n)
	}

	// Revoked: the role is gone, and so is the open invitation.
	if out := mustCLI(t, "admin", "grant", "--email", "kari@example.no", "--role", "tenant-admin", "--tenant", "agder", "--revoke"); out != "revoked tenant-admin from kari@example.no in tenant agder\n" {
		t.Fatalf("printed %q", out)
	}
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v0 = ? AND v1 = ?", "u:"+uid, auth.RoleTenantAdmin); n != 0 {
		t.Fatalf("tenant admin rows after revoke: %d", n)
	}
	mustCLI(t, "admin", "grant", "--email", "sjef@example.no", "--role", "platform-admin", "--revoke")
	if n := count(t, dir, "platform_invitations", "revoked_at IS NOT NULL"); n != 1 {
		t.Fatalf("withdrawn platform invitations: %d", n)
	}
}
