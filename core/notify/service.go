package notify

import (
	"context"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// Service is the inbox, the mail preferences and the mail of notifications.
type Service struct {
	DB     *store.DB
	Mailer events.Mailer
	// Bundle and Regions localize mail: the messages, and a region's name,
	// slug, default locale and address by tenant ID.
	Bundle  *i18n.Bundle
	Regions func(tenantID string) (Region, bool)
	// DigestHour is the hour of the day (Oslo) from which a day's digest is
	// due; 7 when zero.
	DigestHour int
}

// Region is what a mail says about the region it comes from. BaseURL is
// the address links start with ("https://oslo.masseflyt.no/t/oslo"); the
// path alone when empty.
type Region struct{ Name, Slug, Locale, BaseURL string }

// Subscriber names, recorded with every delivery: never rename them.
const (
	MailSubscriber   = "notify.mail"
	DigestSubscriber = "notify.digest"
)

// Subscribe makes the mail of notes and digests outbox subscribers.
func (s *Service) Subscribe(d *events.Dispatcher) {
	events.Handle(d, MailSubscriber, s.onNote)
	events.Handle(d, DigestSubscriber, s.onDigest)
}

// InboxBounds are the inbox's page sizes.
var InboxBounds = page.Bounds{Default: 50, Max: 200}

// Inbox lists the actor's notifications in the tenant, unread first, then
// newest first, with titles in the actor's language.
func (s *Service) Inbox(ctx context.Context, r page.Request) (page.Page[Entry], error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return page.Page[Entry]{}, fail.UnauthorizedErr()
	}
	var out []Entry
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := page.UnreadFirst(tx.Model(&Entry{}).Where("user_id = ?", a.UserID()), r, "")
		if err != nil {
			return err
		}
		return q.Find(&out).Error
	})
	if err != nil {
		return page.Page[Entry]{}, err
	}
	p := page.Cut(out, r.Limit, func(e Entry) page.Key { return page.UnreadKey(e.ReadAt, e.CreatedAt, e.ID) })
	loc := locales.New(s.bundle(), a.Locale)
	for i := range p.Items {
		p.Items[i].Title = s.render(loc, p.Items[i].TitleID, p.Items[i].Values())
	}
	return p, nil
}

// Unread counts the actor's unread notifications.
func (s *Service) Unread(ctx context.Context) (int64, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return 0, nil
	}
	var n int64
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Entry{}).Where("user_id = ? AND read_at IS NULL", a.UserID()).Count(&n).Error
	})
	return n, err
}

// MarkRead marks one of the actor's notifications read; not found when the
// actor has none by that ID. Marking a read one again changes nothing.
func (s *Service) MarkRead(ctx context.Context, id string) error {
	a := access.From(ctx)
	if a.Anonymous() {
		return fail.UnauthorizedErr()
	}
	if !store.ValidID(id) {
		return fail.NotFoundErr()
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var e Entry
		if err := tx.Where("id = ? AND user_id = ?", id, a.UserID()).Take(&e).Error; err != nil {
			return store.NotFoundOr(err)
		}
		if e.ReadAt != nil {
			return nil
		}
		return tx.Model(&Entry{}).Where("id = ?", id).Update("read_at", s.DB.Now()).Error
	})
}

// ReadLinkTx marks the user's unread notifications that point at link read
// (opening a dialog reads its notifications), in tx.
func ReadLinkTx(tx *gorm.DB, userID, link string) error {
	return tx.Model(&Entry{}).Where("user_id = ? AND link = ? AND read_at IS NULL", userID, link).Update("read_at", tx.NowFunc()).Error
}

func (s *Service) bundle() *i18n.Bundle {
	if s.Bundle == nil {
		return locales.MustBundle()
	}
	return s.Bundle
}

// render localizes a message ID with the note's data.
func (s *Service) render(loc *locales.Localizer, id string, data map[string]string) string {
	kv := make([]any, 0, 2*len(data))
	for k, v := range data {
		kv = append(kv, k, v)
	}
	return loc.T(id, kv...)
}
