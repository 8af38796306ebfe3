package haul

import (
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
)

// RemoveGuard keeps tracked loads from going with a deleted site or
// organization (a directory.RemoveGuard): loads are evidence, so a site or
// an organization with loads refuses the delete (409), as one with
// agreements does. col is "site_id" or "organization_id".
func (s *Service) RemoveGuard(tx *gorm.DB, col, id string) error {
	var q *gorm.DB
	switch col {
	case "site_id":
		q = tx.Model(&Load{}).Where("pickup_site_id = ? OR delivery_site_id = ?", id, id)
	case "organization_id":
		q = tx.Model(&Load{}).Where("supplier_org_id = ? OR receiver_org_id = ? OR transporter_org_id = ?", id, id, id)
	default:
		return fail.NotFoundErr()
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fail.New(fail.Conflict, "has_loads", "ErrDeleteHasLoads", "Count", n)
	}
	// A template for a site goes with it (its row cascades).
	return nil
}
