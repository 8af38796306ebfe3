// Package notify is the people's inbox: in-app notifications of any
// feature (a message in a dialog, "your signature is needed", …), each
// person's e-mail preference in a region (each notification, a daily
// digest, or none) and language, and the mail itself, sent after commit
// through the outbox in the recipient's language.
//
// A feature notifies inside its own transaction:
//
//	err := db.Tx(ctx, func(tx *gorm.DB) error {
//		… the change …
//		return notify.Tx(tx, notify.Note{OrganizationID: org, Kind: "agreement.sign",
//			Title: "NoteAgreementSign", Data: map[string]string{"Title": a.Title},
//			Link: "/agreements/" + a.ID, Source: "agreement-sign:" + a.ID + ":" + version, Mail: true})
//	})
//
// or on its own with Service.Notify. The notes exist if and only if the
// change commits; mail follows after the commit (events.NoteCreated),
// at least once, by each recipient's preference.
package notify

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Note is a notification to send: to the listed users, or to every
// approved member of an organization, or both (each person once).
type Note struct {
	// UserIDs are recipients by user ID.
	UserIDs []string
	// OrganizationID adds the organization's approved members.
	OrganizationID string
	// Except leaves a person out (the author of what is notified).
	Except string
	// Kind names what it is about ("dialog.message", "agreement.sign"), for
	// the inbox's icon and for filtering; at most 40 characters.
	Kind string
	// Title is a message ID of locales (in every language) rendered with
	// Data for the inbox and as the mail's subject; Body, when set, is the
	// message ID of the mail's text (else the title is the text too).
	Title string
	Body  string
	Data  map[string]string
	// Link is a path inside the region ("/dialogs/…"); the UI and the mail
	// prefix it with the region's address.
	Link string
	// Source makes a note idempotent: a second note with the same source
	// for the same person is not stored (an outbox subscriber that runs
	// twice, a retried request). Empty: no deduplication.
	Source string
	// Mail sends the note by e-mail too, by each person's preference.
	Mail bool
}

// Entry is one person's stored notification (a tenant table).
type Entry struct {
	store.TenantRow
	ID        string     `gorm:"primaryKey" json:"id"`
	UserID    string     `json:"-"`
	Kind      string     `json:"kind"`
	TitleID   string     `json:"-"`
	BodyID    string     `json:"-"`
	Data      string     `json:"-"` // Data as JSON
	Link      string     `json:"link"`
	Source    string     `json:"-"`
	Mail      bool       `json:"-"`
	MailState string     `json:"-"` // "", sent, digest, skipped, failed
	MailedAt  *time.Time `json:"-"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	// Title is the title in the reader's language (filled by the service).
	Title string `gorm:"-" json:"title"`
}

func (Entry) TableName() string { return "inbox" }

// Values returns the note's template data.
func (e *Entry) Values() map[string]string {
	m := map[string]string{}
	_ = json.Unmarshal([]byte(e.Data), &m)
	if m == nil { // stored as null
		m = map[string]string{}
	}
	return m
}

// Notify stores n in a transaction of its own (see Tx).
func (s *Service) Notify(ctx context.Context, n Note) error {
	return s.DB.Tx(ctx, func(tx *gorm.DB) error { return Tx(tx, n) })
}

// Tx stores n for each recipient in tx, a transaction of store.DB.Tx whose
// context carries the tenant, and, when n.Mail, emits events.NoteCreated
// for each so the mail goes out after commit. A recipient who already has
// a note with n.Source is skipped; so is n.Except. An invalid note (no
// kind or title, a link that is not a path) is a programming error and
// returns an internal error.
func Tx(tx *gorm.DB, n Note) error {
	if n.Kind == "" || len(n.Kind) > 40 || n.Title == "" || (n.Link != "" && !strings.HasPrefix(n.Link, "/")) {
		return fail.New(fail.Internal, "bad_note", "ErrInternal")
	}
	users := append([]string(nil), n.UserIDs...)
	if n.OrganizationID != "" {
		var members []string
		if err := tx.Table("memberships").Where("organization_id = ? AND status = ?", n.OrganizationID, "approved").
			Order("user_id").Pluck("user_id", &members).Error; err != nil {
			return err
		}
		users = append(users, members...)
	}
	data, err := json.Marshal(n.Data)
	if err != nil {
		return err
	}
	now := tx.NowFunc()
	seen := map[string]bool{n.Except: true, "": true}
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		if n.Source != "" {
			var have int64
			if err := tx.Model(&Entry{}).Where("user_id = ? AND source = ?", u, n.Source).Count(&have).Error; err != nil {
				return err
			}
			if have > 0 {
				continue
			}
		}
		e := &Entry{ID: store.NewID(), UserID: u, Kind: n.Kind, TitleID: n.Title, BodyID: n.Body, Data: string(data), Link: n.Link,
			Source: n.Source, Mail: n.Mail, CreatedAt: now}
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		if n.Mail {
			if err := events.Emit(tx, events.NoteCreated{NoteID: e.ID, UserID: u, Kind: n.Kind}); err != nil {
				return err
			}
		}
	}
	return nil
}
