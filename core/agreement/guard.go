package agreement

import (
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// RemoveGuard keeps agreements from going with a deleted site or
// organization (a directory.RemoveGuard): an agreement is a record of what
// two parties agreed, so one that was ever proposed refuses the delete
// (409), while drafts, which only their author's side has seen, go with it.
// col is "site_id" or "organization_id"; the agreements concerned are those
// of the listings that would go, of the dialogs about them and, for an
// organization, those it is a party to or signed.
func (s *Service) RemoveGuard(tx *gorm.DB, col, id string) error {
	if col != "site_id" && col != "organization_id" {
		return fail.NotFoundErr()
	}
	cond := `a.listing_id IN (SELECT id FROM listings WHERE tenant_id = @tenant AND ` + col + ` = @id)
		OR a.counterpart_listing_id IN (SELECT id FROM listings WHERE tenant_id = @tenant AND ` + col + ` = @id)
		OR a.dialog_id IN (SELECT d.id FROM dialogs d JOIN listings l ON l.tenant_id = d.tenant_id AND l.id = d.listing_id
			WHERE d.tenant_id = @tenant AND l.` + col + ` = @id)`
	if col == "organization_id" {
		cond += ` OR a.supplier_org_id = @id OR a.receiver_org_id = @id
		OR a.dialog_id IN (SELECT id FROM dialogs WHERE tenant_id = @tenant AND (owner_org_id = @id OR counterpart_org_id = @id))
		OR a.id IN (SELECT agreement_id FROM agreement_signatures WHERE tenant_id = @tenant AND organization_id = @id)`
	}
	var rows []struct{ ID, Status, Number string }
	if err := store.Raw(tx, `SELECT a.id AS id, a.status AS status, a.number AS number FROM agreements a
		WHERE a.tenant_id = @tenant AND (`+cond+`)`, map[string]any{"id": id}).Scan(&rows).Error; err != nil {
		return err
	}
	var drafts []string
	kept := 0
	for _, r := range rows {
		if Status(r.Status) == StatusDraft {
			drafts = append(drafts, r.ID)
		} else {
			kept++
		}
	}
	if kept > 0 {
		return fail.New(fail.Conflict, "has_agreements", "ErrDeleteHasAgreements", "Count", kept)
	}
	if len(drafts) == 0 {
		return nil
	}
	return tx.Where("id IN ?", drafts).Delete(&Agreement{}).Error
}
