package market

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// Listings keep score of their agreements (K6): what agreements in force
// (sealed, including those being amended, and completed ones) agreed
// reduces what a listing has left, and its status follows: partly agreed
// while something is left, fully agreed (off the market) when nothing is.
// Users no longer set these two statuses by hand (status.go).

// AgreedTx sums the tonnes agreed on listing id by agreements in force or
// completed, other than except (an agreement being amended counts with
// what it will agree, not twice).
func AgreedTx(tx *gorm.DB, id, except string) (float64, error) {
	var sum float64
	err := store.Raw(tx, `SELECT COALESCE(SUM(tonnes), 0) FROM agreements
		WHERE tenant_id = @tenant AND (listing_id = @id OR counterpart_listing_id = @id)
		AND sealed_version > 0 AND status <> 'cancelled' AND id <> @except`,
		map[string]any{"id": id, "except": except}).Scan(&sum).Error
	return sum, err
}

// LeftTx is what listing id has left to agree: its quantity less what
// agreements other than except agreed.
func LeftTx(tx *gorm.DB, id, except string) (float64, error) {
	var l Listing
	if err := tx.Select("id", "quantity_tonnes").Where("id = ?", id).Take(&l).Error; err != nil {
		return 0, store.NotFoundOr(err)
	}
	agreed, err := AgreedTx(tx, id, except)
	if err != nil {
		return 0, err
	}
	return l.QuantityTonnes - agreed, nil
}

// Agreed is what agreements in force or completed agreed on listing id
// of the tenant in ctx (the listing page shows it).
func (s *Service) Agreed(ctx context.Context, id string) (agreed float64, err error) {
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		agreed, err = AgreedTx(tx, id, "")
		return err
	})
	return agreed, err
}

// ScoreTx sets listing id's status from its agreements after one was
// sealed, amended or cancelled, in that transaction: partly agreed when
// something is agreed and something left, fully agreed when nothing is
// left, published again when nothing is agreed any more. A closed or draft
// listing keeps its status. The change is announced like any other.
func ScoreTx(tx *gorm.DB, id string) error {
	var l Listing
	if err := tx.Where("id = ?", id).Take(&l).Error; err != nil {
		return store.NotFoundOr(err)
	}
	if l.Status == StatusClosed || l.Status == StatusDraft {
		return nil
	}
	agreed, err := AgreedTx(tx, id, "")
	if err != nil {
		return err
	}
	to := StatusPublished
	switch {
	case agreed > 0 && agreed >= l.QuantityTonnes-0.5:
		to = StatusFullyMatched
	case agreed > 0:
		to = StatusPartlyMatched
	}
	if to == l.Status {
		return nil
	}
	if err := tx.Model(&Listing{}).Where("id = ?", id).Updates(map[string]any{"status": string(to), "updated_at": tx.NowFunc()}).Error; err != nil {
		return err
	}
	return statusChangedTx(tx, id, true)
}
