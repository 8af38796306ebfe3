package tenants

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
)

// TestAdminOnlyToAdminRolesM1: a region's rule may allow administration to
// admin roles only; denying it to anyone stays possible (issue 10, M1).
func TestAdminOnlyToAdminRolesM1(t *testing.T) {
	for _, role := range []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin, auth.RoleSupervisor, auth.RoleTransporter} {
		if ValidRule(role, "tenant", "admin", "allow") {
			t.Errorf("tenant:admin allowed to %s", role)
		}
		if !ValidRule(role, "tenant", "admin", "deny") {
			t.Errorf("tenant:admin cannot be denied to %s", role)
		}
	}
	if !ValidRule(auth.RoleTenantAdmin, "tenant", "admin", "allow") {
		t.Error("tenant:admin cannot be allowed to tenant admins")
	}
	if !ValidRule(auth.RoleMember, "listings", "update", "allow") {
		t.Error("an ordinary permission cannot be allowed to members")
	}
}
