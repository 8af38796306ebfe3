package directory

import (
	"context"

	"gorm.io/gorm"
)

// Summary is the region's directory at a glance (the front page).
type Summary struct {
	Orgs, Transporters, Projects, Facilities int64
	// Upcoming are projects not yet completed, by name.
	Upcoming []Site
}

// Summarize counts the region's organizations and sites and lists up to n
// projects not yet completed.
func (s *Service) Summarize(ctx context.Context, n int) (Summary, error) {
	var out Summary
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Organization{}).Count(&out.Orgs).Error; err != nil {
			return err
		}
		if err := tx.Model(&Organization{}).Where("(',' || organizations.kinds || ',') LIKE ?", "%,transporter,%").Count(&out.Transporters).Error; err != nil {
			return err
		}
		if err := tx.Model(&Site{}).Where("kind = ?", "project").Count(&out.Projects).Error; err != nil {
			return err
		}
		if err := tx.Model(&Site{}).Where("kind = ?", "facility").Count(&out.Facilities).Error; err != nil {
			return err
		}
		return tx.Model(&Site{}).Select("sites.*, organizations.name AS organization_name").
			Joins("JOIN organizations ON organizations.tenant_id = sites.tenant_id AND organizations.id = sites.organization_id").
			Where("sites.kind = ? AND sites.phase <> ?", "project", "completed").
			Order("sites.name, sites.id").Limit(n).Find(&out.Upcoming).Error
	})
	for i := range out.Upcoming {
		pointFor(ctx, &out.Upcoming[i])
	}
	return out, err
}
