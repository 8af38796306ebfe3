package dialog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/store"
)

// OpenInput opens a dialog about a listing.
type OpenInput struct {
	ListingID string `json:"listing_id" doc:"The listing to talk about (another organization's)"`
	// OrganizationID is the organization the caller speaks for; it may be
	// left out when the caller represents only one.
	OrganizationID string `json:"organization_id,omitempty" doc:"The organization you speak for (needed when you represent several)"`
	// MatchListingID is the caller's own listing that matched, when
	// contact is made from a match.
	MatchListingID string `json:"match_listing_id,omitempty" doc:"Your own listing that matched it, when you come from a match"`
	// Text is an optional first message.
	Text string `json:"text,omitempty" doc:"A first message (optional)"`
}

// PostInput is a message's text (attachments come as files).
type PostInput struct {
	Text string `json:"text" doc:"The message (at most 5 000 characters; may be empty when files are attached)"`
}

// Open opens a dialog between the caller's organization and the owner of a
// listing, or returns the one they already have (created false). Refused:
// a listing of one's own organization, one the caller cannot see or that
// is not open, an organization the caller does not represent.
func (s *Service) Open(ctx context.Context, in OpenInput) (*Dialog, bool, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, false, fail.UnauthorizedErr()
	}
	v := &fail.Validation{}
	if strings.TrimSpace(in.ListingID) == "" {
		v.Add("listing_id", "required", "ErrFieldRequired")
		return nil, false, v.Err()
	}
	l, err := s.Market.Get(ctx, in.ListingID)
	if err != nil {
		return nil, false, err
	}
	if l.Status == market.StatusDraft {
		return nil, false, fail.NotFoundErr()
	}
	if !l.Open() {
		return nil, false, fail.ConflictErr("ErrDialogListingClosed")
	}
	var orgs []string
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		orgs, err = memberOrgs(tx, a.UserID())
		return err
	}); err != nil {
		return nil, false, err
	}
	org := in.OrganizationID
	switch {
	case org == "" && len(orgs) == 1:
		org = orgs[0]
	case org == "" && len(orgs) == 0:
		return nil, false, fail.New(fail.Forbidden, "not_member", "ErrDialogNotMember")
	case org == "":
		v.Add("organization_id", "required", "ErrFieldRequired")
		return nil, false, v.Err()
	case !contains(orgs, org):
		return nil, false, access.NotOwnOrganization()
	}
	if org == l.OrganizationID {
		v.Add("listing_id", "own_listing", "ErrDialogOwnListing")
		return nil, false, v.Err()
	}
	var match *string
	if in.MatchListingID != "" {
		m, err := s.Market.Find(ctx, in.MatchListingID)
		if err != nil || m.OrganizationID != org {
			v.Add("match_listing_id", "not_own", "ErrDialogMatchNotOwn")
			return nil, false, v.Err()
		}
		match = &m.ID
	}
	text, err := checkText(in.Text, true)
	if err != nil {
		return nil, false, err
	}
	d := &Dialog{ID: store.NewID(), ListingID: l.ID, OwnerOrgID: l.OrganizationID, CounterpartOrgID: org, MatchListingID: match, OpenedBy: a.UserID()}
	created := true
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var have Dialog
		err := tx.Where("listing_id = ? AND counterpart_org_id = ?", l.ID, org).Take(&have).Error
		if err == nil {
			d, created = &have, false
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		return events.Emit(tx, events.DialogOpened{DialogID: d.ID, ListingID: l.ID, OwnerOrgID: d.OwnerOrgID, CounterpartOrgID: org, OpenedBy: a.UserID()})
	})
	if store.IsUniqueViolation(err) { // two at once: the other one won
		created = false
		err = s.DB.Read(ctx, func(tx *gorm.DB) error {
			return tx.Where("listing_id = ? AND counterpart_org_id = ?", l.ID, org).Take(d).Error
		})
	}
	if err != nil {
		return nil, false, err
	}
	if text != "" {
		if _, err := s.Post(ctx, d.ID, PostInput{Text: text}, nil); err != nil {
			return nil, created, err
		}
	}
	out, err := s.Get(ctx, d.ID)
	return out, created, err
}

func contains(set []string, v string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// checkText trims a message and checks it: valid UTF-8 without control
// characters other than line breaks and tabs, at most MaxText characters,
// and not empty unless empty is allowed (files are attached).
func checkText(text string, empty bool) (string, error) {
	v := &fail.Validation{}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
		v.Add("text", "invalid", "ErrFieldInvalid")
	case utf8.RuneCountInString(text) > MaxText:
		v.Add("text", "too_long", "ErrFieldTooLong", "Max", MaxText)
	case text == "" && !empty:
		v.Add("text", "required", "ErrFieldRequired")
	}
	return text, v.Err()
}

// Post adds a message to a dialog, from a member of one of its two
// organizations, with up to MaxAttachments files checked as documents are
// (market.CheckUpload: what the name says, at most 20 MB). The message is
// numbered after the dialog's last; the author has read it.
func (s *Service) Post(ctx context.Context, dialogID string, in PostInput, files []*market.Upload) (*Message, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	var (
		d *Dialog
		r role
	)
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var err error
		d, r, err = load(tx, a, dialogID)
		return err
	}); err != nil {
		return nil, err
	}
	if err := partyOnly(r); err != nil {
		return nil, err
	}
	text, err := checkText(in.Text, len(files) > 0)
	if err != nil {
		return nil, err
	}
	if len(files) > MaxAttachments {
		v := &fail.Validation{}
		v.Add("file", "too_many", "ErrDialogTooManyFiles", "Max", MaxAttachments)
		return nil, v.Err()
	}
	m := &Message{ID: store.NewID(), DialogID: d.ID, AuthorID: a.UserID(), AuthorOrgID: r.org, Text: text, Attachments: []Attachment{}, SeenBy: []string{}}
	for _, f := range files {
		name, ct, err := market.CheckUpload("file", f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(f.Data)
		at := Attachment{ID: store.NewID(), DialogID: d.ID, MessageID: m.ID, Filename: name, ContentType: ct, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])}
		at.BlobKey = a.TenantID + "/dialogs/" + at.ID
		m.Attachments = append(m.Attachments, at)
	}
	var stored []string
	undo := func() {
		for _, k := range stored {
			_ = s.Blobs.Delete(ctx, k) // nothing half-saved
		}
	}
	for i, f := range files {
		if err := s.Blobs.Put(ctx, m.Attachments[i].BlobKey, bytes.NewReader(f.Data)); err != nil {
			undo()
			return nil, err
		}
		stored = append(stored, m.Attachments[i].BlobKey)
	}
	// The (dialog, seq) key is the last wall: a number taken twice is
	// refused and the message tried again.
	for try := 0; ; try++ {
		err = s.DB.Tx(ctx, func(tx *gorm.DB) error { return s.postTx(tx, d, r, m) })
		if err == nil || !store.IsUniqueViolation(err) || try == 4 {
			break
		}
	}
	if err != nil {
		undo()
		return nil, err
	}
	m.AuthorName = a.Principal.User.Name
	if r.side == SideOwner {
		m.AuthorOrgName = d.OwnerName
	} else {
		m.AuthorOrgName = d.CounterpartName
	}
	return m, nil
}

// postTx numbers and stores a message. The dialog's count is raised first:
// that update locks the dialog's row until commit, so two people posting
// at once are numbered one after the other.
func (s *Service) postTx(tx *gorm.DB, d *Dialog, r role, m *Message) error {
	now := s.DB.Now()
	if err := tx.Model(&Dialog{}).Where("id = ?", d.ID).Updates(map[string]any{"messages": gorm.Expr("messages + 1"), "last_message_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	var seq []int
	if err := tx.Model(&Dialog{}).Where("id = ?", d.ID).Pluck("messages", &seq).Error; err != nil {
		return err
	}
	if len(seq) != 1 {
		return fail.NotFoundErr()
	}
	m.Seq, m.CreatedAt = seq[0], now
	if err := tx.Omit("Attachments").Create(m).Error; err != nil {
		return err
	}
	for i := range m.Attachments {
		m.Attachments[i].CreatedAt = now
		if err := tx.Create(&m.Attachments[i]).Error; err != nil {
			return err
		}
	}
	if err := readTx(tx, d.ID, m.AuthorID, r.org, m.Seq, now); err != nil {
		return err
	}
	to := d.OwnerOrgID
	if r.side == SideOwner {
		to = d.CounterpartOrgID
	}
	return events.Emit(tx, events.MessagePosted{DialogID: d.ID, MessageID: m.ID, AuthorID: m.AuthorID, AuthorOrgID: r.org, ToOrgID: to})
}

// readTx moves a person's read mark in a dialog forward to seq.
func readTx(tx *gorm.DB, dialogID, userID, orgID string, seq int, now time.Time) error {
	// The first read inserts; a concurrent first read (two tabs) loses the
	// insert quietly and moves the mark like any later one.
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Read{ID: store.NewID(), DialogID: dialogID, UserID: userID, OrgID: orgID, LastSeq: seq})
	if res.Error != nil || res.RowsAffected == 1 {
		return res.Error
	}
	return tx.Model(&Read{}).Where("dialog_id = ? AND user_id = ? AND last_seq < ?", dialogID, userID, seq).Updates(map[string]any{"last_seq": seq, "org_id": orgID, "updated_at": now}).Error
}

// MarkRead marks every message of a dialog read for the caller (a party),
// and the caller's notifications of it.
func (s *Service) MarkRead(ctx context.Context, dialogID string) error {
	a := access.From(ctx)
	if a.Anonymous() {
		return fail.UnauthorizedErr()
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		d, r, err := load(tx, a, dialogID)
		if err != nil {
			return err
		}
		if err := partyOnly(r); err != nil {
			return err
		}
		if err := readTx(tx, d.ID, a.UserID(), r.org, d.Messages, s.DB.Now()); err != nil {
			return err
		}
		return notify.ReadLinkTx(tx, a.UserID(), Link(d.ID))
	})
}

// Link is a dialog's path inside its region.
func Link(id string) string { return "/dialogs/" + id }

// SetDisclosure reveals (on) or takes back (off) the listing's exact point,
// quantity and price to the dialog's counterpart: for the owner's side
// only. Each change is recorded (who, when); setting the state it already
// has records nothing.
func (s *Service) SetDisclosure(ctx context.Context, dialogID string, on bool) (*Dialog, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		d, r, err := load(tx, a, dialogID)
		if err != nil {
			return err
		}
		if err := partyOnly(r); err != nil {
			return err
		}
		if r.side != SideOwner {
			return fail.New(fail.Forbidden, "not_owner", "ErrDialogNotOwner")
		}
		if d.Disclosed == on {
			return nil
		}
		now := s.DB.Now()
		up := map[string]any{"disclosed": on, "updated_at": now, "disclosed_at": nil}
		if on {
			up["disclosed_at"] = now
		}
		if err := tx.Model(&Dialog{}).Where("id = ?", d.ID).Updates(up).Error; err != nil {
			return err
		}
		if err := tx.Create(&Disclosure{ID: store.NewID(), DialogID: d.ID, Disclosed: on, By: a.UserID(), CreatedAt: now}).Error; err != nil {
			return err
		}
		return events.Emit(tx, events.DisclosureChanged{DialogID: d.ID, ListingID: d.ListingID, OrgID: d.CounterpartOrgID, Disclosed: on, By: a.UserID()})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, dialogID)
}

// DisclosedTo implements market.Disclosures: whether the owner of a listing
// has disclosed it, in a dialog, to one of orgIDs.
func (s *Service) DisclosedTo(ctx context.Context, listingID string, orgIDs []string) (bool, error) {
	if len(orgIDs) == 0 || !store.ValidID(listingID) {
		return false, nil
	}
	var n int64
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Dialog{}).Where("listing_id = ? AND counterpart_org_id IN ? AND disclosed", listingID, orgIDs).Count(&n).Error
	})
	return n > 0, err
}

var _ market.Disclosures = (*Service)(nil)
