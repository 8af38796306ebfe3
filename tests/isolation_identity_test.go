package tests

import (
	"context"
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Production identity's share of the isolation suite (issue 11): Bærum's
// invitations are a tenant table; another region's requests must not see
// or change them. They have no updated_at.
func init() {
	isolationParts = append(isolationParts, isolationPart{ids: invitationIDs, createdOnly: []string{"invitations"}})
}

func invitationIDs(t *testing.T, e *apitest.Env, ids map[string]string) {
	out, err := e.App.Invites.Grant(context.Background(), e.Tenant("baerum").ID, "invitert@baerum.example.no", auth.RoleSupervisor, "isolation", "nb")
	if err != nil || !out.Invited() {
		t.Fatalf("invitation: %+v %v", out, err)
	}
	ids["invitations"] = out.Invitation.ID
	e.Settle() // the invitation's mail delivered before the suites take A's fingerprint
}
