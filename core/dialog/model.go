// Package dialog is the conversation between two organizations about one
// listing (K11): the listing owner's organization and the organization that
// made contact, optionally tied to the match that brought them together.
// Messages carry text and attachments; each person's read state is kept, so
// each side sees who of the other has seen what. Only members of the two
// organizations read the messages; supervisors and tenant admins see that a
// dialog exists (parties, listing, dates, counts), never its content.
//
// The owner may disclose to the counterpart of one dialog the listing's
// exact point, quantity and price (B6), and take it back; every change is
// recorded. core/market asks through its Disclosures hook (Service
// implements it), so the market never imports this package.
package dialog

import (
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Dialog is a conversation about a listing (a tenant table): one per
// listing and counterpart organization.
type Dialog struct {
	store.TenantRow
	ID               string `gorm:"primaryKey" json:"id"`
	ListingID        string `json:"listing_id"`
	OwnerOrgID       string `json:"owner_org_id"`
	CounterpartOrgID string `json:"counterpart_org_id"`
	// MatchListingID is the counterpart's own listing that matched the
	// listing, when contact was made from a match (no foreign key: the
	// dialog outlives that listing).
	MatchListingID *string    `json:"match_listing_id,omitempty"`
	OpenedBy       string     `json:"-"`
	Messages       int        `json:"message_count"`
	LastMessageAt  *time.Time `json:"last_message_at,omitempty"`
	// Disclosed: the owner has revealed the listing's exact point, quantity
	// and price to the counterpart (B6).
	Disclosed   bool       `json:"disclosed"`
	DisclosedAt *time.Time `json:"disclosed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`

	ListingTitle    string `gorm:"->" json:"listing_title"`
	OwnerName       string `gorm:"->" json:"owner_name"`
	CounterpartName string `gorm:"->" json:"counterpart_name"`
	// For a party: its side ("owner" or "counterpart") and the messages the
	// caller has not read. Empty for a supervisor or a tenant admin, who see
	// only that the dialog exists.
	Side   string `gorm:"-" json:"side,omitempty"`
	Unread int    `gorm:"-" json:"unread"`
}

func (Dialog) TableName() string { return "dialogs" }

// Message is one message of a dialog (a tenant table). Seq numbers a
// dialog's messages from 1 in the order they were posted.
type Message struct {
	store.TenantRow
	ID          string    `gorm:"primaryKey" json:"id"`
	DialogID    string    `json:"dialog_id"`
	Seq         int       `json:"seq"`
	AuthorID    string    `json:"author_id"`
	AuthorOrgID string    `json:"author_org_id"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"created_at"`

	AuthorName    string       `gorm:"->" json:"author_name"`
	AuthorOrgName string       `gorm:"->" json:"author_org_name"`
	Attachments   []Attachment `gorm:"-" json:"attachments"`
	// SeenBy names the people of the other organization who have read the
	// message (the author's own side is not listed).
	SeenBy []string `gorm:"-" json:"seen_by"`
}

func (Message) TableName() string { return "dialog_messages" }

// Attachment is a file sent with a message (a tenant table); its bytes are
// in the blob store.
type Attachment struct {
	store.TenantRow
	ID          string    `gorm:"primaryKey" json:"id"`
	DialogID    string    `json:"dialog_id"`
	MessageID   string    `json:"message_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `gorm:"column:sha256" json:"sha256"`
	BlobKey     string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

func (Attachment) TableName() string { return "dialog_attachments" }

// Read is how far one person has read a dialog (a tenant table).
type Read struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey"`
	DialogID  string    //
	UserID    string    //
	OrgID     string    // the side the person read for
	LastSeq   int       // the last message read
	UpdatedAt time.Time //
}

func (Read) TableName() string { return "dialog_reads" }

// Disclosure records one grant or withdrawal of the owner's disclosure in
// a dialog (a tenant table; the dialog holds the current state).
type Disclosure struct {
	store.TenantRow
	ID        string    `gorm:"primaryKey" json:"id"`
	DialogID  string    `json:"dialog_id"`
	Disclosed bool      `json:"disclosed"`
	By        string    `gorm:"column:by_user" json:"-"`
	ByName    string    `gorm:"->" json:"by_name"`
	CreatedAt time.Time `json:"created_at"`
}

func (Disclosure) TableName() string { return "dialog_disclosures" }

// Sides of a dialog.
const (
	SideOwner       = "owner"
	SideCounterpart = "counterpart"
)

// Limits of a message.
const (
	MaxText        = 5000 // characters
	MaxAttachments = 5    // files per message
)
