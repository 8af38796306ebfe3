package dialog

import (
	"context"
	"errors"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/notify"
)

// NotifySubscriber is the outbox subscriber that tells the other side of a
// dialog about a new message; its name is recorded with every delivery:
// never rename it.
const NotifySubscriber = "dialog.notify"

// Subscribe registers the dialogs' outbox subscribers.
func (s *Service) Subscribe(d *events.Dispatcher) {
	events.Handle(d, NotifySubscriber, s.onPosted)
}

// excerpt is at most n characters of a message, for a notification.
func excerpt(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n]) + "…"
}

// onPosted notifies the members of the organization the message was
// written to (never its author), in the app and by mail per their
// preference. The note's source is the message, so a second delivery adds
// nothing.
func (s *Service) onPosted(ctx context.Context, _ events.Envelope, e events.MessagePosted) error {
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var row struct{ Text, Author, AuthorOrg, Listing string }
		err := tx.Table("dialog_messages").
			Select("dialog_messages.text, u.name AS author, o.name AS author_org, l.title AS listing").
			Joins("JOIN users u ON u.id = dialog_messages.author_id").
			Joins("JOIN organizations o ON o.tenant_id = dialog_messages.tenant_id AND o.id = dialog_messages.author_org_id").
			Joins("JOIN dialogs d ON d.tenant_id = dialog_messages.tenant_id AND d.id = dialog_messages.dialog_id").
			Joins("JOIN listings l ON l.tenant_id = d.tenant_id AND l.id = d.listing_id").
			Where("dialog_messages.id = ?", e.MessageID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // the dialog is gone
		}
		if err != nil {
			return err
		}
		return notify.Tx(tx, notify.Note{OrganizationID: e.ToOrgID, Except: e.AuthorID, Kind: "dialog.message",
			Title: "NoteDialogMessage", Body: "MailDialogMessage", Link: Link(e.DialogID), Source: "dialog-message:" + e.MessageID, Mail: true,
			Data: map[string]string{"Author": row.Author, "Org": row.AuthorOrg, "Listing": row.Listing, "Excerpt": excerpt(row.Text, 300)}})
	})
}
