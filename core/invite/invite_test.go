package invite_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/locales"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// roles is an in-memory Granter.
type roles struct {
	mu sync.Mutex
	g  map[string]bool // user|role|domain
}

func (r *roles) Assign(u, role, d string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.g[u+"|"+role+"|"+d] = true
	return nil
}

func (r *roles) Unassign(u, role, d string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.g, u+"|"+role+"|"+d)
	return nil
}

func (r *roles) Holders(d, role string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k := range r.g {
		p := strings.Split(k, "|")
		if p[1] == role && p[2] == d {
			out = append(out, p[0])
		}
	}
	sort.Strings(out)
	return out
}

func (r *roles) has(u, role, d string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.g[u+"|"+role+"|"+d]
}

type mailbox struct{ sent []events.Message }

func (m *mailbox) Send(_ context.Context, msg events.Message) error {
	m.sent = append(m.sent, msg)
	return nil
}

// login is a user's login through the identity provider.
func login(t *testing.T, users *auth.Users, subject, email string, verified bool) *auth.User {
	t.Helper()
	u, err := users.Ensure(context.Background(), &auth.Session{Subject: subject, Email: email, Name: subject, EmailVerified: verified})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestInvitations(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b := storetest.Tenant(t, db, "a"), storetest.Tenant(t, db, "b")
		users := &auth.Users{DB: db}
		rs := &roles{g: map[string]bool{}}
		mail := &mailbox{}
		s := &invite.Service{DB: db, Users: users, Roles: rs, Mailer: mail, Bundle: locales.MustBundle(),
			Region: func(id string) (invite.Region, bool) {
				return invite.Region{Name: "Region " + id, Locale: "nn", URL: "https://a.test"}, true
			}}
		users.OnVerified = func(ctx context.Context, u *auth.User) {
			if _, err := s.Accept(ctx, u); err != nil {
				t.Errorf("accept: %v", err)
			}
		}
		ctx := context.Background()

		// Bad addresses are refused with the field named.
		for _, bad := range []string{"", "kari", "kari@", "a@b", "Kari <kari@example.no>", "a@b.no, c@d.no", strings.Repeat("x", 250) + "@example.no"} {
			_, err := s.Grant(ctx, a, bad, auth.RoleSupervisor, "test", "nb")
			var fe *fail.Error
			if !errors.As(err, &fe) || fe.Kind != fail.Invalid {
				t.Fatalf("grant to %q: %v, want a validation error", bad, err)
			}
		}

		// An unverified identity with the address: an invitation, no role.
		early := login(t, users, "kratos:early", "Kari@Example.no", false)
		out, err := s.Grant(ctx, a, " kari@example.no ", auth.RoleSupervisor, "admin-1", "nb")
		if err != nil || !out.Invited() || out.Invitation.Email != "kari@example.no" || !out.Invitation.ExpiresAt.Equal(db.Now().Add(14*24*time.Hour)) {
			t.Fatalf("grant to an unverified address: %+v %v", out, err)
		}
		// The mail goes through the outbox, committed with the invitation.
		var ev []events.InvitationMade
		var rows []struct{ Type, Payload string }
		if err := db.Read(store.AllTenants(ctx, "test: read the outbox"), func(tx *gorm.DB) error {
			return tx.Table("outbox").Where("type = ?", "identity.invitation_made").Select("type, payload").Scan(&rows).Error
		}); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			var e events.InvitationMade
			if err := json.Unmarshal([]byte(r.Payload), &e); err != nil {
				t.Fatal(err)
			}
			ev = append(ev, e)
		}
		if len(ev) != 1 || ev[0].Email != "kari@example.no" || ev[0].TenantID != a || ev[0].InvitationID != out.Invitation.ID {
			t.Fatalf("outbox: %+v", ev)
		}
		if err := s.Mail(ctx, ev[0]); err != nil {
			t.Fatal(err)
		}
		if len(mail.sent) != 1 || mail.sent[0].To != "kari@example.no" || !strings.Contains(mail.sent[0].Text, "https://a.test/registration") || !strings.Contains(mail.sent[0].Text, "tilsyn") || !strings.Contains(mail.sent[0].Subject, "Invitasjon") {
			t.Fatalf("mail: %+v", mail.sent)
		}
		if rs.has(early.ID, auth.RoleSupervisor, a) {
			t.Fatal("the unverified identity got the role")
		}
		// Another region's invitation for the same address.
		if _, err := s.Grant(ctx, b, "kari@example.no", auth.RoleTenantAdmin, "admin-2", "nb"); err != nil {
			t.Fatal(err)
		}
		// Region a lists its invitation only; it cannot withdraw b's.
		open, err := s.Open(store.WithTenant(ctx, a))
		if err != nil || len(open) != 1 || open[0].Role != auth.RoleSupervisor {
			t.Fatalf("a's invitations: %+v %v", open, err)
		}
		bOpen, _ := s.Open(store.WithTenant(ctx, b))
		if err := s.Withdraw(store.WithTenant(ctx, a), bOpen[0].ID, "admin-1"); !errors.Is(err, fail.NotFoundErr()) {
			t.Fatalf("withdraw another region's invitation: %v", err)
		}

		// Verifying the address accepts both, each in its own region.
		kari := login(t, users, "kratos:early", "kari@example.no", true)
		if !rs.has(kari.ID, auth.RoleSupervisor, a) || !rs.has(kari.ID, auth.RoleTenantAdmin, b) || rs.has(kari.ID, auth.RoleTenantAdmin, a) {
			t.Fatalf("accepted roles: %v", rs.g)
		}
		if open, _ := s.Open(store.WithTenant(ctx, a)); len(open) != 0 {
			t.Fatalf("accepted invitation still open: %+v", open)
		}
		// A verified address belongs to one user: a second identity
		// verifying it later does not take it (nor its roles).
		other := login(t, users, "kratos:other", "kari@example.no", true)
		if other.Verified() {
			t.Fatal("two users hold one verified address")
		}
		if got, err := users.ByVerifiedEmail(ctx, "KARI@example.no"); err != nil || got.ID != kari.ID {
			t.Fatalf("by verified address: %+v %v", got, err)
		}
		// Now granted at once.
		if out, err := s.Grant(ctx, a, "kari@example.no", auth.RoleTenantAdmin, "admin-1", "nb"); err != nil || out.UserID != kari.ID {
			t.Fatalf("grant to a verified user: %+v %v", out, err)
		}

		// Expired after 14 days: nothing given.
		if _, err := s.Grant(ctx, a, "late@example.no", auth.RoleSupervisor, "admin-1", "nb"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(14*24*time.Hour + time.Second)
		late := login(t, users, "kratos:late", "late@example.no", true)
		if rs.has(late.ID, auth.RoleSupervisor, a) {
			t.Fatal("an expired invitation was accepted")
		}
		// Revoked: the role and the open invitations for the address.
		if _, err := s.Grant(ctx, invite.Platform, "boss@example.no", auth.RoleSuperadmin, "cli", "nb"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Revoke(ctx, invite.Platform, "boss@example.no", auth.RoleSuperadmin, "cli"); !ok || err != nil {
			t.Fatalf("revoke platform invitation: %v %v", ok, err)
		}
		boss := login(t, users, "kratos:boss", "boss@example.no", true)
		if rs.has(boss.ID, auth.RoleSuperadmin, invite.Platform) {
			t.Fatal("a withdrawn invitation was accepted")
		}
		if ok, err := s.Revoke(ctx, a, "kari@example.no", auth.RoleTenantAdmin, "admin-1"); !ok || err != nil || rs.has(kari.ID, auth.RoleTenantAdmin, a) {
			t.Fatalf("revoke: %v %v", ok, err)
		}
		if ok, _ := s.Revoke(ctx, a, "nobody@example.no", auth.RoleTenantAdmin, "admin-1"); ok {
			t.Fatal("revoking nothing changed something")
		}
	}, storetest.Clock(clk))
}
