package events

// The events of dialogs about masses and of notifications (issue 12). They
// join the catalogue here, in a file of their own, so that features built
// side by side do not edit one list. Stored names never change.

// DialogOpened: a dialog between two organizations about a listing began.
type DialogOpened struct {
	DialogID         string `json:"dialog_id"`
	ListingID        string `json:"listing_id"`
	OwnerOrgID       string `json:"owner_org_id"`
	CounterpartOrgID string `json:"counterpart_org_id"`
	OpenedBy         string `json:"opened_by"`
}

// MessagePosted: a message was posted in a dialog. It carries no text: the
// subscribers read what they may.
type MessagePosted struct {
	DialogID    string `json:"dialog_id"`
	MessageID   string `json:"message_id"`
	AuthorID    string `json:"author_id"`
	AuthorOrgID string `json:"author_org_id"`
	// ToOrgID is the other organization of the dialog, whose members are
	// told.
	ToOrgID string `json:"to_org_id"`
}

// DisclosureChanged: a listing's owner revealed (or took back) its exact
// point, quantity and price to the counterpart of a dialog.
type DisclosureChanged struct {
	DialogID  string `json:"dialog_id"`
	ListingID string `json:"listing_id"`
	OrgID     string `json:"org_id"` // the counterpart organization
	Disclosed bool   `json:"disclosed"`
	By        string `json:"by"`
}

// NoteCreated: a person got an in-app notification that may be mailed
// (core/notify mails it by their preference, in their language).
type NoteCreated struct {
	NoteID string `json:"note_id"`
	UserID string `json:"user_id"`
	Kind   string `json:"kind"`
}

// DigestDue: a person's daily digest of notifications was claimed for a
// day (once per person and day, whatever the number of instances); the
// subscriber mails it.
type DigestDue struct {
	DigestID string `json:"digest_id"`
	UserID   string `json:"user_id"`
	Day      string `json:"day"` // YYYY-MM-DD, Oslo
}

func (DialogOpened) EventType() string      { return "dialog.opened" }
func (MessagePosted) EventType() string     { return "dialog.message_posted" }
func (DisclosureChanged) EventType() string { return "dialog.disclosure_changed" }
func (NoteCreated) EventType() string       { return "notify.note_created" }
func (DigestDue) EventType() string         { return "notify.digest_due" }

func (e DialogOpened) EventSubject() string      { return e.DialogID }
func (e MessagePosted) EventSubject() string     { return e.DialogID }
func (e DisclosureChanged) EventSubject() string { return e.DialogID }

func init() {
	catalogue[DialogOpened{}.EventType()] = decodeAs[DialogOpened]
	catalogue[MessagePosted{}.EventType()] = decodeAs[MessagePosted]
	catalogue[DisclosureChanged{}.EventType()] = decodeAs[DisclosureChanged]
	catalogue[NoteCreated{}.EventType()] = decodeAs[NoteCreated]
	catalogue[DigestDue{}.EventType()] = decodeAs[DigestDue]
}
