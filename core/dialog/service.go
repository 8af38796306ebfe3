package dialog

import (
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Service is the dialogs. Its methods take a context carrying the actor
// (core/access) and return fail errors.
type Service struct {
	DB     *store.DB
	Market *market.Service
	Blobs  blob.Store
}

// The row rules of dialogs, in one place.
//
//   - A party is an approved member of the owner's or the counterpart's
//     organization, read from the memberships when asked (a person who left
//     is no party from that moment). Parties read and write.
//   - An observer (a supervisor or a tenant admin who is no party) sees the
//     dialog's existence: parties, listing, dates, counts. Never messages,
//     attachments or the disclosure's content.
//   - Anybody else does not find the dialog.

// role is what the actor is in a dialog.
type role struct {
	side     string // SideOwner, SideCounterpart, or "" (no party)
	org      string // the organization the actor acts for
	observer bool
}

func (r role) party() bool { return r.side != "" }

// memberOrgs are the organizations the user is an approved member of, read
// in tx.
func memberOrgs(tx *gorm.DB, userID string) ([]string, error) {
	var out []string
	if userID == "" {
		return out, nil
	}
	err := tx.Table("memberships").Where("user_id = ? AND status = ?", userID, "approved").Order("organization_id").Pluck("organization_id", &out).Error
	return out, err
}

func observer(a *access.Actor) bool {
	return a.IsAdmin() || a.Principal.Has(auth.RoleSupervisor)
}

// roleIn decides the actor's role in d, reading memberships in tx.
func roleIn(tx *gorm.DB, a *access.Actor, d *Dialog) (role, error) {
	orgs, err := memberOrgs(tx, a.UserID())
	if err != nil {
		return role{}, err
	}
	r := role{observer: observer(a)}
	for _, o := range orgs {
		switch o {
		case d.OwnerOrgID:
			r.side, r.org = SideOwner, o
			return r, nil
		case d.CounterpartOrgID:
			r.side, r.org = SideCounterpart, o
		}
	}
	return r, nil
}

// withNames selects dialogs with their listing's title and the parties'
// names.
func withNames(tx *gorm.DB) *gorm.DB {
	return tx.Model(&Dialog{}).Select("dialogs.*, listings.title AS listing_title, o.name AS owner_name, c.name AS counterpart_name").
		Joins("JOIN listings ON listings.tenant_id = dialogs.tenant_id AND listings.id = dialogs.listing_id").
		Joins("JOIN organizations o ON o.tenant_id = dialogs.tenant_id AND o.id = dialogs.owner_org_id").
		Joins("JOIN organizations c ON c.tenant_id = dialogs.tenant_id AND c.id = dialogs.counterpart_org_id")
}

// load reads a dialog and the actor's role in it, in tx: not found when the
// actor is neither a party nor an observer (or it does not exist).
func load(tx *gorm.DB, a *access.Actor, id string) (*Dialog, role, error) {
	if !store.ValidID(id) {
		return nil, role{}, fail.NotFoundErr()
	}
	var d Dialog
	if err := withNames(tx).Where("dialogs.id = ?", id).Take(&d).Error; err != nil {
		return nil, role{}, store.NotFoundOr(err)
	}
	r, err := roleIn(tx, a, &d)
	if err != nil {
		return nil, role{}, err
	}
	if !r.party() && !r.observer {
		if a.Anonymous() {
			return nil, role{}, fail.UnauthorizedErr()
		}
		if err := former(tx, a, &d); err != nil {
			return nil, role{}, err
		}
		return nil, role{}, fail.NotFoundErr()
	}
	return &d, r, nil
}

// former refuses, with its own message, a person who represented one of
// the parties and no longer does: the dialog's messages stay, but they can
// neither read nor write there any more.
func former(tx *gorm.DB, a *access.Actor, d *Dialog) error {
	var n int64
	if err := tx.Table("memberships").Where("user_id = ? AND organization_id IN ? AND status = ?", a.UserID(), []string{d.OwnerOrgID, d.CounterpartOrgID}, "ended").
		Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fail.New(fail.Forbidden, "former_member", "ErrDialogFormerMember")
	}
	return nil
}

// partyOnly refuses an observer what only parties may do: read the
// content, write.
func partyOnly(r role) error {
	if r.party() {
		return nil
	}
	return fail.New(fail.Forbidden, "dialog_content", "ErrDialogContent")
}
