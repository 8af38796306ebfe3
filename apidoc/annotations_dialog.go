package apidoc

import (
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/locales"
)

// dialogNotes describe dialogs about masses, the inbox and mail
// preferences (issue 12: K11, B6).
func dialogNotes() map[string]note {
	maxText := note{Description: "The message (trimmed; at most 5 000 characters)", MaxLength: dialog.MaxText}
	return map[string]note{
		"OpenInput.listing_id":       req(d("The listing to talk about: another organization's, open")),
		"OpenInput.organization_id":  d("The organization you speak for; needed when you represent several"),
		"OpenInput.match_listing_id": d("Your own listing that matched it, when contact is made from a match"),
		"OpenInput.text":             note{Description: "A first message (optional)", MaxLength: dialog.MaxText},
		"PostInput.text":             maxText,
		"Dialog.id":                  d("ID"),
		"Dialog.listing_id":          d("The listing the dialog is about"),
		"Dialog.owner_org_id":        d("The listing owner's organization"),
		"Dialog.counterpart_org_id":  d("The organization that made contact"),
		"Dialog.match_listing_id":    d("The counterpart's listing that matched, when contact was made from a match"),
		"Dialog.message_count":       d("Messages in the dialog"),
		"Dialog.last_message_at":     d("When the last message was written"),
		"Dialog.disclosed":           d("The owner has disclosed the listing's exact point, quantity and price to the counterpart (B6)"),
		"Dialog.disclosed_at":        d("Since when"),
		"Dialog.listing_title":       d("The listing's title"),
		"Dialog.owner_name":          d("The owner's name"),
		"Dialog.counterpart_name":    d("The counterpart's name"),
		"Dialog.side":                enum("Your side, when you take part (empty for supervisors and tenant admins, who see only that the dialog exists)", []string{dialog.SideOwner, dialog.SideCounterpart, ""}),
		"Dialog.unread":              d("Messages you have not read"),
		"Message.seq":                d("The message's number in the dialog, from 1"),
		"Message.author_id":          d("Who wrote it"),
		"Message.author_org_id":      d("The organization they wrote for"),
		"Message.author_name":        d("Their name (kept when they leave the organization)"),
		"Message.author_org_name":    d("The organization's name"),
		"Message.seen_by":            d("Who of the other organization has read it"),
		"Attachment.filename":        d("The file's name as sent"),
		"Attachment.content_type":    d("The type read from its bytes"),
		"Attachment.sha256":          d("SHA-256 of the bytes, checked on download"),
		"Disclosure.disclosed":       d("Disclosed (true) or taken back (false)"),
		"Disclosure.by_name":         d("Who did it"),
		"Entry.kind":                 d("What it is about (dialog.message, …)"),
		"Entry.title":                d("In your language"),
		"Entry.link":                 d("Path inside the region (prefix /t/{tenant} in the UI)"),
		"Preferences.mail":           req(enum("E-mail for each notification, a daily digest, or none", notify.MailModes)),
		"Preferences.locale":         enum("The mail's language; empty: the region's", append([]string{""}, locales.Supported...)),
	}
}
