package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// Mail preferences.
const (
	MailEach   = "each"   // a mail for each notification (the default)
	MailDigest = "digest" // one mail a day with what came since the last
	MailNone   = "none"   // the inbox only
)

// MailModes lists the preferences.
var MailModes = []string{MailEach, MailDigest, MailNone}

// Preference is a person's mail preference and language in a region (a
// tenant table; no row is the default: each notification, the region's
// language).
type Preference struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey" json:"-"`
	UserID    string    `json:"-"`
	Mail      string    `json:"mail"`
	Locale    string    `json:"locale"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (Preference) TableName() string { return "mail_preferences" }

// Preferences is what a person sets: the mail preference (each, digest,
// none) and the language of mail ("" is the region's).
type Preferences struct {
	Mail   string `json:"mail" doc:"each (default), digest or none"`
	Locale string `json:"locale" doc:"nb, nn or en; empty: the region's language"`
}

// Digest records that a person's digest for a day was claimed and, once
// mailed, sent (a tenant table; one row per person and day).
type Digest struct {
	store.TenantRow
	ID        string     `gorm:"primaryKey"`
	UserID    string     //
	Day       string     // YYYY-MM-DD in Oslo
	Count     int        // notifications it held
	SentAt    *time.Time //
	CreatedAt time.Time
}

func (Digest) TableName() string { return "mail_digests" }

// Preferences reads the actor's preferences in the tenant.
func (s *Service) Preferences(ctx context.Context) (Preferences, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return Preferences{}, fail.UnauthorizedErr()
	}
	var p Preference
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return s.pref(tx, a.UserID(), &p) })
	return Preferences{Mail: p.Mail, Locale: p.Locale}, err
}

// pref reads a person's preference, the default when none is stored.
func (s *Service) pref(tx *gorm.DB, userID string, p *Preference) error {
	err := tx.Where("user_id = ?", userID).Take(p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		*p = Preference{UserID: userID, Mail: MailEach}
		return nil
	}
	return err
}

// SetPreferences stores the actor's preferences in the tenant.
func (s *Service) SetPreferences(ctx context.Context, in Preferences) (Preferences, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return Preferences{}, fail.UnauthorizedErr()
	}
	v := &fail.Validation{}
	if !inSet(in.Mail, MailModes) {
		v.Add("mail", "enum", "ErrFieldEnum", "Allowed", strings.Join(MailModes, ", "))
	}
	if in.Locale != "" && !locales.IsSupported(in.Locale) {
		v.Add("locale", "enum", "ErrFieldEnum", "Allowed", strings.Join(locales.Supported, ", "))
	}
	if !v.OK() {
		return Preferences{}, v.Err()
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		// Two first saves at once (two tabs): one inserts, the other
		// updates what it inserted.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Preference{ID: store.NewID(), UserID: a.UserID(), Mail: in.Mail, Locale: in.Locale, UpdatedAt: s.DB.Now()})
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		return tx.Model(&Preference{}).Where("user_id = ?", a.UserID()).Updates(map[string]any{"mail": in.Mail, "locale": in.Locale, "updated_at": s.DB.Now()}).Error
	})
	return in, err
}

func inSet(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// Permanent is implemented by mailer errors that retrying will not cure
// (a 5xx answer of the SMTP server: unknown mailbox, refused sender).
type Permanent interface{ Permanent() bool }

func permanent(err error) bool {
	var p Permanent
	return errors.As(err, &p) && p.Permanent()
}

// recipient reads what mail to a person needs: the address, the language
// (theirs, else the region's) and the region.
func (s *Service) recipient(ctx context.Context, tx *gorm.DB, tenantID, userID string) (email, lang string, r Region, pref Preference, ok bool, err error) {
	if s.Mailer == nil || s.Regions == nil {
		return
	}
	if r, ok = s.Regions(tenantID); !ok {
		return
	}
	var emails []string
	if err = tx.Model(&auth.User{}).Where("id = ?", userID).Pluck("email", &emails).Error; err != nil {
		return
	}
	if len(emails) == 0 || emails[0] == "" {
		ok = false
		return
	}
	if err = s.pref(tx, userID, &pref); err != nil {
		return
	}
	lang = pref.Locale
	if lang == "" {
		lang = r.Locale
	}
	return emails[0], lang, r, pref, true, nil
}

func link(r Region, path string) string {
	if path == "" {
		path = "/"
	}
	if r.BaseURL != "" {
		return strings.TrimRight(r.BaseURL, "/") + path
	}
	return "/t/" + r.Slug + path
}

// onNote mails one note by its recipient's preference: at once (each), in
// the next digest (digest) or not at all (none). A note already handled is
// left alone, so a second delivery sends nothing twice.
func (s *Service) onNote(ctx context.Context, env events.Envelope, e events.NoteCreated) error {
	var (
		n     Entry
		email string
		lang  string
		r     Region
		pref  Preference
		ok    bool
	)
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", e.NoteID).Take(&n).Error; err != nil {
			return err
		}
		var err error
		email, lang, r, pref, ok, err = s.recipient(ctx, tx, env.TenantID, n.UserID)
		return err
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // the note is gone (its person left the region)
	}
	if err != nil || n.MailState != "" {
		return err
	}
	state := "sent"
	switch {
	case !ok || pref.Mail == MailNone:
		state = "skipped"
	case pref.Mail == MailDigest:
		state = "digest"
	default:
		loc := locales.New(s.bundle(), lang)
		data := n.Values()
		data["Region"] = r.Name
		body := n.BodyID
		if body == "" {
			body = n.TitleID
		}
		text := s.render(loc, body, data) + "\n\n" + link(r, n.Link) + "\n\n" + loc.T("MailNoteFooter", "Region", r.Name, "Settings", link(r, "/me"))
		if err := s.Mailer.Send(ctx, events.Message{To: email, Subject: s.render(loc, n.TitleID, data), Text: text}); err != nil {
			if !permanent(err) {
				return err // the outbox retries with backoff
			}
			slog.WarnContext(ctx, "notify: mail refused for good", "note", n.ID, "err", err)
			state = "failed"
		}
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		up := map[string]any{"mail_state": state}
		if state == "sent" {
			up["mailed_at"] = s.DB.Now()
		}
		return tx.Model(&Entry{}).Where("id = ? AND mail_state = ''", n.ID).Updates(up).Error
	})
}

func (s *Service) digestHour() int {
	if s.DigestHour <= 0 || s.DigestHour > 23 {
		return 7
	}
	return s.DigestHour
}

// DueDigests claims today's digest for each person, in every region, who
// chose a daily digest and has notifications waiting for it, once the
// day's digest hour (Oslo) has come. Claiming writes the day's row (one per
// person and day: a second instance, or a second run after a crash, finds
// it and claims nothing) and emits events.DigestDue in the same
// transaction, so the mail goes out through the outbox, at least once. It
// returns how many it claimed. The app calls it on a ticker.
func (s *Service) DueDigests(ctx context.Context) (int, error) {
	now := numfmt.Local(s.DB.Now())
	if now.Hour() < s.digestHour() {
		return 0, nil
	}
	day := now.Format("2006-01-02")
	type due struct{ TenantID, UserID string }
	var rows []due
	sys := store.System(ctx, "notify: the digests due in every region")
	if err := s.DB.Read(sys, func(tx *gorm.DB) error {
		return tx.Model(&Entry{}).Distinct("tenant_id", "user_id").
			Where("mail_state = ? AND NOT EXISTS (SELECT 1 FROM mail_digests d WHERE d.tenant_id = inbox.tenant_id AND d.user_id = inbox.user_id AND d.day = ?)", "digest", day).
			Order("tenant_id, user_id").Scan(&rows).Error
	}); err != nil {
		return 0, err
	}
	claimed := 0
	for _, d := range rows {
		tctx := store.WithTenant(ctx, d.TenantID)
		err := s.DB.Tx(tctx, func(tx *gorm.DB) error {
			g := &Digest{ID: store.NewID(), UserID: d.UserID, Day: day, CreatedAt: s.DB.Now()}
			if err := tx.Create(g).Error; err != nil {
				return err
			}
			return events.Emit(tx, events.DigestDue{DigestID: g.ID, UserID: d.UserID, Day: day})
		})
		switch {
		case store.IsUniqueViolation(err):
			continue // another instance claimed it
		case err != nil:
			return claimed, err
		}
		claimed++
	}
	return claimed, nil
}

// DigestLimit is how many notifications a digest lists; it counts the rest.
const DigestLimit = 50

// onDigest mails a claimed digest: the person's notifications waiting for
// it, newest first. A digest already sent is not sent again.
func (s *Service) onDigest(ctx context.Context, env events.Envelope, e events.DigestDue) error {
	var (
		g     Digest
		notes []Entry
		email string
		lang  string
		r     Region
		pref  Preference
		ok    bool
	)
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", e.DigestID).Take(&g).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND mail_state = ? AND created_at <= ?", g.UserID, "digest", g.CreatedAt).
			Order("created_at DESC, id DESC").Find(&notes).Error; err != nil {
			return err
		}
		var err error
		email, lang, r, pref, ok, err = s.recipient(ctx, tx, env.TenantID, g.UserID)
		return err
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil || g.SentAt != nil {
		return err
	}
	state := "digested"
	if len(notes) > 0 && ok && pref.Mail != MailNone {
		loc := locales.New(s.bundle(), lang)
		var b strings.Builder
		b.WriteString(loc.T("MailDigestIntro", "Region", r.Name, "Count", len(notes)) + "\n\n")
		for i, n := range notes {
			if i == DigestLimit {
				b.WriteString(loc.T("MailDigestMore", "Count", len(notes)-DigestLimit) + "\n")
				break
			}
			data := n.Values()
			data["Region"] = r.Name
			fmt.Fprintf(&b, "- %s %s\n  %s\n", numfmt.DateTime(n.CreatedAt), s.render(loc, n.TitleID, data), link(r, n.Link))
		}
		b.WriteString("\n" + loc.T("MailNoteFooter", "Region", r.Name, "Settings", link(r, "/me")))
		if err := s.Mailer.Send(ctx, events.Message{To: email, Subject: loc.T("MailDigestSubject", "Region", r.Name, "Count", len(notes)), Text: b.String()}); err != nil {
			if !permanent(err) {
				return err
			}
			slog.WarnContext(ctx, "notify: digest refused for good", "digest", g.ID, "err", err)
			state = "failed"
		}
	} else if len(notes) > 0 {
		state = "skipped"
	}
	ids := make([]string, len(notes))
	for i := range notes {
		ids[i] = notes[i].ID
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		now := s.DB.Now()
		if len(ids) > 0 {
			up := map[string]any{"mail_state": state}
			if state == "digested" {
				up["mailed_at"] = now
			}
			if err := tx.Model(&Entry{}).Where("id IN ? AND mail_state = ?", ids, "digest").Updates(up).Error; err != nil {
				return err
			}
		}
		return tx.Model(&Digest{}).Where("id = ? AND sent_at IS NULL", g.ID).Updates(map[string]any{"sent_at": now, "count": len(notes)}).Error
	})
}
