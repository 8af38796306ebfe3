package agreement

import (
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
)

// CompleteDelivered completes a sealed agreement whose agreed quantity was
// delivered, when its parties chose so beforehand (core/haul, issue 13):
// the step the receipt's transaction tx takes on their standing choice, so
// it needs no binding actor. An agreement that is not sealed (amending,
// cancelled, completed) is left as it is.
func (s *Service) CompleteDelivered(tx *gorm.DB, id, byOrg string) error {
	ag, err := loadTx(tx, id)
	if err != nil {
		return err
	}
	if ag.Status != StatusSealed {
		return nil
	}
	ag.Status, ag.UpdatedAt = StatusCompleted, s.now()
	if err := tx.Model(&Agreement{}).Where("id = ?", ag.ID).Updates(map[string]any{"status": string(StatusCompleted), "updated_at": ag.UpdatedAt}).Error; err != nil {
		return err
	}
	return s.step(tx, ag, KindCompleted, byOrg, events.AgreementCompleted{AgreementStep: stepOf(ag, byOrg, "")})
}
