package dialog

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Page sizes.
var (
	DialogBounds  = page.Bounds{Default: 50, Max: 200}
	MessageBounds = page.Bounds{Default: 100, Max: 500}
)

// Get reads one dialog: for its parties with their side and unread count,
// for observers without them.
func (s *Service) Get(ctx context.Context, id string) (*Dialog, error) {
	a := access.From(ctx)
	var d *Dialog
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		var (
			r   role
			err error
		)
		if d, r, err = load(tx, a, id); err != nil {
			return err
		}
		if r.party() {
			d.Side = r.side
			return unreadOf(tx, a.UserID(), []*Dialog{d})
		}
		return nil
	})
	return d, err
}

// unreadOf fills each dialog's unread count for the user.
func unreadOf(tx *gorm.DB, userID string, ds []*Dialog) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	var reads []Read
	if err := tx.Where("user_id = ? AND dialog_id IN ?", userID, ids).Find(&reads).Error; err != nil {
		return err
	}
	last := map[string]int{}
	for _, r := range reads {
		last[r.DialogID] = r.LastSeq
	}
	for _, d := range ds {
		d.Unread = max(0, d.Messages-last[d.ID])
	}
	return nil
}

// Filter selects dialogs.
type Filter struct {
	// ListingID: the dialogs about one listing.
	ListingID string
}

// List returns a page of the dialogs the caller takes part in (unread
// first, then latest activity first); for supervisors and tenant admins
// who take part in none, every dialog of the region, as existence only.
func (s *Service) List(ctx context.Context, f Filter, r page.Request) (page.Page[Dialog], error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return page.Page[Dialog]{}, fail.UnauthorizedErr()
	}
	var out []Dialog
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		orgs, err := memberOrgs(tx, a.UserID())
		if err != nil {
			return err
		}
		q := withNames(tx)
		unread := "(dialogs.messages * 0 + 1)" // observers: nothing is unread (an expression: a bare 1 would name a column in ORDER BY)
		if len(orgs) > 0 {
			q = q.Joins("LEFT JOIN dialog_reads rd ON rd.tenant_id = dialogs.tenant_id AND rd.dialog_id = dialogs.id AND rd.user_id = ?", a.UserID()).
				Where("(dialogs.owner_org_id IN ? OR dialogs.counterpart_org_id IN ?)", orgs, orgs)
			unread = "CASE WHEN dialogs.messages > COALESCE(rd.last_seq, 0) THEN 0 ELSE 1 END"
		} else if !observer(a) {
			return nil
		}
		if f.ListingID != "" {
			q = q.Where("dialogs.listing_id = ?", f.ListingID)
		}
		const activity = "COALESCE(dialogs.last_message_at, dialogs.created_at)"
		if r.Cursor != "" {
			k, err := page.Decode(r.Cursor, 3)
			if err != nil {
				return err
			}
			at, err := time.Parse(time.RFC3339Nano, k[1])
			if err != nil {
				return page.BadCursor()
			}
			flag, _ := strconv.Atoi(k[0])
			q = q.Where("("+unread+" > ? OR ("+unread+" = ? AND ("+activity+" < ? OR ("+activity+" = ? AND dialogs.id < ?))))", flag, flag, at, at, k[2])
		}
		return q.Order(unread + ", " + activity + " DESC, dialogs.id DESC").Limit(r.Limit + 1).Find(&out).Error
	})
	if err != nil {
		return page.Page[Dialog]{}, err
	}
	ptrs := make([]*Dialog, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		orgs, err := memberOrgs(tx, a.UserID())
		if err != nil {
			return err
		}
		for _, d := range ptrs {
			switch {
			case contains(orgs, d.OwnerOrgID):
				d.Side = SideOwner
			case contains(orgs, d.CounterpartOrgID):
				d.Side = SideCounterpart
			}
		}
		return unreadOf(tx, a.UserID(), ptrs)
	}); err != nil {
		return page.Page[Dialog]{}, err
	}
	return page.Cut(out, r.Limit, func(d Dialog) page.Key {
		flag := "1"
		if d.Unread > 0 {
			flag = "0"
		}
		at := d.CreatedAt
		if d.LastMessageAt != nil {
			at = *d.LastMessageAt
		}
		return page.Key{flag, at.UTC().Format(time.RFC3339Nano), d.ID}
	}), nil
}

// UnreadDialogs counts the dialogs with messages the caller has not read.
func (s *Service) UnreadDialogs(ctx context.Context) (int, error) {
	p, err := s.List(ctx, Filter{}, page.Request{Limit: DialogBounds.Max})
	n := 0
	for _, d := range p.Items {
		if d.Unread > 0 {
			n++
		}
	}
	return n, err
}

// Messages returns a page of a dialog's messages, oldest first, for its
// parties, each with its attachments and who of the other side has seen it.
func (s *Service) Messages(ctx context.Context, dialogID string, r page.Request) (page.Page[Message], error) {
	after := 0
	if r.Cursor != "" {
		k, err := page.Decode(r.Cursor, 1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		if after, err = strconv.Atoi(k[0]); err != nil {
			return page.Page[Message]{}, page.BadCursor()
		}
	}
	ms, err := s.messages(ctx, dialogID, func(q *gorm.DB) *gorm.DB {
		return q.Where("dialog_messages.seq > ?", after).Order("dialog_messages.seq").Limit(r.Limit + 1)
	})
	if err != nil {
		return page.Page[Message]{}, err
	}
	return page.Cut(ms, r.Limit, func(m Message) page.Key { return page.Key{strconv.Itoa(m.Seq)} }), nil
}

// Recent returns up to n of a dialog's messages before seq before (all
// when before is 0), oldest first: the dialog page shows the latest.
func (s *Service) Recent(ctx context.Context, dialogID string, n, before int) ([]Message, error) {
	ms, err := s.messages(ctx, dialogID, func(q *gorm.DB) *gorm.DB {
		if before > 0 {
			q = q.Where("dialog_messages.seq < ?", before)
		}
		return q.Order("dialog_messages.seq DESC").Limit(n)
	})
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms, err
}

func (s *Service) messages(ctx context.Context, dialogID string, sel func(*gorm.DB) *gorm.DB) ([]Message, error) {
	a := access.From(ctx)
	var out []Message
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		d, r, err := load(tx, a, dialogID)
		if err != nil {
			return err
		}
		if err := partyOnly(r); err != nil {
			return err
		}
		q := tx.Model(&Message{}).Select("dialog_messages.*, users.name AS author_name, organizations.name AS author_org_name").
			Joins("JOIN users ON users.id = dialog_messages.author_id").
			Joins("JOIN organizations ON organizations.tenant_id = dialog_messages.tenant_id AND organizations.id = dialog_messages.author_org_id").
			Where("dialog_messages.dialog_id = ?", d.ID)
		if err := sel(q).Find(&out).Error; err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]string, len(out))
		for i := range out {
			ids[i] = out[i].ID
			out[i].Attachments = []Attachment{}
			out[i].SeenBy = []string{}
		}
		var ats []Attachment
		if err := tx.Where("message_id IN ?", ids).Order("created_at, id").Find(&ats).Error; err != nil {
			return err
		}
		byMsg := map[string][]Attachment{}
		for _, at := range ats {
			byMsg[at.MessageID] = append(byMsg[at.MessageID], at)
		}
		type reader struct {
			OrgID, Name string
			LastSeq     int
		}
		var readers []reader
		if err := tx.Model(&Read{}).Select("dialog_reads.org_id, users.name, dialog_reads.last_seq").
			Joins("JOIN users ON users.id = dialog_reads.user_id").
			Where("dialog_reads.dialog_id = ?", d.ID).Order("users.name").Scan(&readers).Error; err != nil {
			return err
		}
		for i := range out {
			m := &out[i]
			if at := byMsg[m.ID]; at != nil {
				m.Attachments = at
			}
			for _, rd := range readers {
				if rd.OrgID != m.AuthorOrgID && rd.LastSeq >= m.Seq {
					m.SeenBy = append(m.SeenBy, rd.Name)
				}
			}
		}
		return nil
	})
	return out, err
}

// History lists the disclosure's grants and withdrawals in a dialog,
// oldest first, for its parties.
func (s *Service) History(ctx context.Context, dialogID string) ([]Disclosure, error) {
	a := access.From(ctx)
	var out []Disclosure
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		d, r, err := load(tx, a, dialogID)
		if err != nil {
			return err
		}
		if err := partyOnly(r); err != nil {
			return err
		}
		return tx.Model(&Disclosure{}).Select("dialog_disclosures.*, users.name AS by_name").
			Joins("LEFT JOIN users ON users.id = dialog_disclosures.by_user").
			Where("dialog_disclosures.dialog_id = ?", d.ID).Order("dialog_disclosures.created_at, dialog_disclosures.id").Find(&out).Error
	})
	return out, err
}

// Attachment returns an attachment and its bytes, checked against the
// checksum taken when it was sent, for the dialog's parties.
func (s *Service) Attachment(ctx context.Context, id string) (*Attachment, []byte, error) {
	a := access.From(ctx)
	if !store.ValidID(id) {
		return nil, nil, fail.NotFoundErr()
	}
	var at Attachment
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&at).Error; err != nil {
			return store.NotFoundOr(err)
		}
		_, r, err := load(tx, a, at.DialogID)
		if err != nil {
			return err
		}
		return partyOnly(r)
	})
	if err != nil {
		return nil, nil, err
	}
	data, err := blob.ReadVerified(ctx, s.Blobs, at.BlobKey, at.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return &at, data, nil
}
