// Package invite grants roles by e-mail address. A role goes to the user
// whose address the identity provider verified; while nobody holds that
// verified address, it waits in an invitation, which the user accepts by
// logging in with the address verified (Users.OnVerified). Invitations
// expire after TTL. A region's invitations are tenant rows; the platform's
// (superadmin) are global.
package invite

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// TTL is how long an invitation waits.
const TTL = 14 * 24 * time.Hour

// Platform is the role domain of platform grants (superadmin).
const Platform = "*"

// Invitation is a role in a region waiting for a verified address.
type Invitation struct {
	store.TenantRow
	ID         string     `gorm:"primaryKey" json:"id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	InvitedBy  string     `json:"-"`
	Locale     string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	AcceptedBy string     `json:"-"`
	RevokedAt  *time.Time `json:"-"`
}

func (Invitation) TableName() string { return "invitations" }

// Expired reports whether the invitation can no longer be accepted at now.
func (i *Invitation) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// PlatformInvitation is a platform role waiting for a verified address.
type PlatformInvitation struct {
	ID         string `gorm:"primaryKey"`
	Email      string
	Role       string
	InvitedBy  string
	Locale     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy string
	RevokedAt  *time.Time
}

func (PlatformInvitation) TableName() string { return "platform_invitations" }

// Granter writes role assignments (tenants.Roles).
type Granter interface {
	Assign(userID, role, tenantID string) error
	Unassign(userID, role, tenantID string) error
	// Holders are the users holding role in tenantID.
	Holders(tenantID, role string) []string
}

// Region names a tenant for the invitation mail.
type Region struct {
	Name, Slug, Locale string
	// URL is the region's address, where the invited person registers or
	// logs in.
	URL string
}

// Service grants, invites, accepts and revokes.
type Service struct {
	DB     *store.DB
	Users  *auth.Users
	Roles  Granter
	Mailer events.Mailer
	Bundle *i18n.Bundle
	// Region describes a tenant (nil tenantID: the platform).
	Region func(tenantID string) (Region, bool)
	Log    *slog.Logger
}

// Outcome says what a grant did: assigned to a user, or invited.
type Outcome struct {
	UserID     string      `json:"user_id,omitempty"`
	Invitation *Invitation `json:"invitation,omitempty"`
}

// Invited reports whether the grant waits in an invitation.
func (o Outcome) Invited() bool { return o.UserID == "" }

// ValidEmail reports whether s is one plain address.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Grant gives role in tenantID (Platform for superadmin) to the user whose
// verified address is email, or invites the address. by is who grants it
// (a user ID, or "cli"). Never to an unverified identity.
func (s *Service) Grant(ctx context.Context, tenantID, email, role, by, locale string) (Outcome, error) {
	email = auth.NormalizeEmail(email)
	if !ValidEmail(email) {
		v := &fail.Validation{}
		v.Add("email", "invalid", "ErrEmailInvalid")
		return Outcome{}, v.Err()
	}
	u, err := s.Users.ByVerifiedEmail(ctx, email)
	switch {
	case err == nil:
		if err := s.Roles.Assign(u.ID, role, tenantID); err != nil {
			return Outcome{}, err
		}
		s.log().Info("role granted", "tenant", tenantID, "role", role, "user", u.ID, "by", by)
		return Outcome{UserID: u.ID}, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return Outcome{}, err
	}
	inv, err := s.invite(ctx, tenantID, email, role, by, locale)
	if err != nil {
		return Outcome{}, err
	}
	s.log().Info("role invitation made", "tenant", tenantID, "role", role, "invitation", inv.ID, "by", by, "expires", inv.ExpiresAt)
	return Outcome{Invitation: inv}, nil
}

// invite makes an invitation, or renews the open one for the same address
// and role (a new expiry, a new mail).
func (s *Service) invite(ctx context.Context, tenantID, email, role, by, locale string) (*Invitation, error) {
	now := s.DB.Now()
	inv := &Invitation{ID: store.NewID(), Email: email, Role: role, InvitedBy: by, Locale: locale, CreatedAt: now, ExpiresAt: now.Add(TTL)}
	if tenantID == Platform {
		err := s.DB.Tx(store.System(ctx, "platform invitations are global"), func(tx *gorm.DB) error {
			var cur PlatformInvitation
			err := tx.Where("email = ? AND role = ? AND accepted_at IS NULL AND revoked_at IS NULL", email, role).Take(&cur).Error
			if err == nil {
				inv.ID, inv.CreatedAt = cur.ID, cur.CreatedAt
				err = tx.Model(&PlatformInvitation{}).Where("id = ?", cur.ID).Updates(map[string]any{"expires_at": inv.ExpiresAt, "invited_by": by}).Error
			} else if errors.Is(err, gorm.ErrRecordNotFound) {
				err = tx.Create(&PlatformInvitation{ID: inv.ID, Email: email, Role: role, InvitedBy: by, Locale: locale, CreatedAt: now, ExpiresAt: inv.ExpiresAt}).Error
			}
			if err != nil {
				return err
			}
			return events.Emit(tx, made(Platform, inv))
		})
		return inv, err
	}
	ctx = store.WithTenant(ctx, tenantID)
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var cur Invitation
		err := tx.Where("email = ? AND role = ? AND accepted_at IS NULL AND revoked_at IS NULL", email, role).Take(&cur).Error
		if err == nil {
			inv.ID, inv.CreatedAt = cur.ID, cur.CreatedAt
			err = tx.Model(&Invitation{}).Where("id = ?", cur.ID).Updates(map[string]any{"expires_at": inv.ExpiresAt, "invited_by": by}).Error
		} else if errors.Is(err, gorm.ErrRecordNotFound) {
			err = tx.Create(inv).Error
		}
		if err != nil {
			return err
		}
		return events.Emit(tx, made(tenantID, inv))
	})
	inv.TenantID = tenantID
	return inv, err
}

func made(tenantID string, inv *Invitation) events.InvitationMade {
	return events.InvitationMade{InvitationID: inv.ID, TenantID: tenantID, Email: inv.Email, Role: inv.Role, Locale: inv.Locale, Expires: inv.ExpiresAt.Format("2006-01-02")}
}

// Subscribe mails invitations after they commit (the outbox delivers each
// at least once; a failed mail is retried with backoff).
func (s *Service) Subscribe(d *events.Dispatcher) {
	events.Handle(d, "invite.mail", func(ctx context.Context, _ events.Envelope, e events.InvitationMade) error {
		return s.Mail(ctx, e)
	})
}

// Mail sends an invitation in the region's language (the platform's: the
// inviter's), with the links to register or log in. The invitation stands
// if the mail fails; the outbox retries it.
func (s *Service) Mail(ctx context.Context, e events.InvitationMade) error {
	if s.Mailer == nil || s.Bundle == nil {
		return nil
	}
	r := Region{Name: "Masseflyt", Locale: e.Locale}
	if s.Region != nil {
		if rr, ok := s.Region(e.TenantID); ok {
			r = rr
		}
	}
	lang := r.Locale
	if !locales.IsSupported(lang) {
		lang = locales.Default
	}
	l := locales.New(s.Bundle, lang)
	base := strings.TrimRight(r.URL, "/")
	msg := events.Message{To: e.Email,
		Subject: l.T("MailInviteSubject", "Region", r.Name),
		Text: l.T("MailInviteText", "Region", r.Name, "Role", l.T("Role_"+e.Role), "Email", e.Email, "Expires", e.Expires) +
			"\n\n" + base + "/registration\n" + base + "/login\n"}
	if err := s.Mailer.Send(ctx, msg); err != nil {
		s.log().Warn("invitation mail failed; retried", "invitation", e.InvitationID, "err", err)
		return err
	}
	return nil
}

// Revoke takes role in tenantID away from the holder of email (verified,
// or any assigned user with that address) and withdraws open invitations
// for it. It reports whether anything changed.
func (s *Service) Revoke(ctx context.Context, tenantID, email, role, by string) (bool, error) {
	email = auth.NormalizeEmail(email)
	changed := false
	for _, uid := range s.Roles.Holders(tenantID, role) {
		u, err := s.Users.ByID(ctx, uid)
		if err != nil || (auth.NormalizeEmail(u.Email) != email && (u.VerifiedEmail == nil || *u.VerifiedEmail != email)) {
			continue
		}
		if err := s.Roles.Unassign(u.ID, role, tenantID); err != nil {
			return changed, err
		}
		changed = true
		s.log().Info("role revoked", "tenant", tenantID, "role", role, "user", u.ID, "by", by)
	}
	now := s.DB.Now()
	var n int64
	var err error
	if tenantID == Platform {
		err = s.DB.Tx(store.System(ctx, "platform invitations are global"), func(tx *gorm.DB) error {
			res := tx.Model(&PlatformInvitation{}).Where("email = ? AND role = ? AND accepted_at IS NULL AND revoked_at IS NULL", email, role).Update("revoked_at", now)
			n = res.RowsAffected
			return res.Error
		})
	} else {
		err = s.DB.Tx(store.WithTenant(ctx, tenantID), func(tx *gorm.DB) error {
			res := tx.Model(&Invitation{}).Where("email = ? AND role = ? AND accepted_at IS NULL AND revoked_at IS NULL", email, role).Update("revoked_at", now)
			n = res.RowsAffected
			return res.Error
		})
	}
	if n > 0 {
		changed = true
		s.log().Info("role invitation withdrawn", "tenant", tenantID, "role", role, "by", by)
	}
	return changed, err
}

// Open lists the region's open invitations (expired ones too, marked by
// their expiry), newest first.
func (s *Service) Open(ctx context.Context) ([]Invitation, error) {
	var out []Invitation
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("accepted_at IS NULL AND revoked_at IS NULL").Order("created_at DESC, id").Limit(1000).Find(&out).Error
	})
	if out == nil {
		out = []Invitation{}
	}
	return out, err
}

// Withdraw revokes one of the region's open invitations by ID.
func (s *Service) Withdraw(ctx context.Context, id, by string) error {
	var n int64
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Invitation{}).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Update("revoked_at", s.DB.Now())
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fail.NotFoundErr()
	}
	s.log().Info("role invitation withdrawn", "invitation", id, "by", by)
	return nil
}

// Accept gives u the roles waiting for its verified address, in every
// region and on the platform, and marks those invitations accepted.
// Expired and withdrawn invitations give nothing. It runs when the
// address becomes verified (auth.Users.OnVerified).
func (s *Service) Accept(ctx context.Context, u *auth.User) (int, error) {
	if !u.Verified() {
		return 0, nil
	}
	addr := *u.VerifiedEmail
	now := s.DB.Now()
	var open []Invitation
	var popen []PlatformInvitation
	all := store.AllTenants(ctx, "accept a verified address's invitations in every region")
	err := s.DB.Read(all, func(tx *gorm.DB) error {
		if err := tx.Where("email = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", addr, now).Find(&open).Error; err != nil {
			return err
		}
		return tx.Where("email = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", addr, now).Find(&popen).Error
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inv := range open {
		if err := s.Roles.Assign(u.ID, inv.Role, inv.TenantID); err != nil {
			return n, err
		}
		err := s.DB.Tx(store.WithTenant(ctx, inv.TenantID), func(tx *gorm.DB) error {
			return tx.Model(&Invitation{}).Where("id = ?", inv.ID).Updates(map[string]any{"accepted_at": now, "accepted_by": u.ID}).Error
		})
		if err != nil {
			return n, err
		}
		n++
		s.log().Info("role invitation accepted", "tenant", inv.TenantID, "role", inv.Role, "invitation", inv.ID, "user", u.ID)
	}
	for _, inv := range popen {
		if err := s.Roles.Assign(u.ID, inv.Role, Platform); err != nil {
			return n, err
		}
		err := s.DB.Tx(store.System(ctx, "platform invitations are global"), func(tx *gorm.DB) error {
			return tx.Model(&PlatformInvitation{}).Where("id = ?", inv.ID).Updates(map[string]any{"accepted_at": now, "accepted_by": u.ID}).Error
		})
		if err != nil {
			return n, err
		}
		n++
		s.log().Info("platform invitation accepted", "role", inv.Role, "invitation", inv.ID, "user", u.ID)
	}
	return n, nil
}
