package events

// The events of production identity (issue 11), in a file of their own
// like the other features'. Stored names never change.

// InvitationMade: a role waits in an invitation for an address (made, or
// renewed); the subscriber mails it in the region's language.
type InvitationMade struct {
	InvitationID string `json:"invitation_id"`
	// TenantID is the region, or Platform for a platform invitation.
	TenantID string `json:"tenant_id"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Locale   string `json:"locale"`
	Expires  string `json:"expires"` // YYYY-MM-DD
}

func (InvitationMade) EventType() string { return "identity.invitation_made" }

// EventTenant files a platform invitation's event under the platform.
func (e InvitationMade) EventTenant() string { return e.TenantID }

func init() {
	catalogue[InvitationMade{}.EventType()] = decodeAs[InvitationMade]
}
