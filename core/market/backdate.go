package market

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ErrPublishedLater: PublishAt was given no date or one after now (a
// caller's mistake, never a user's input).
var ErrPublishedLater = errors.New("market: a listing cannot be published later than now")

// PublishAt publishes a listing as of at, a moment not after now: for a
// listing that was on the market before it was entered here (the seeded
// demo and test worlds, an import from another register), so its age in
// the statistics is true. Authorization, the transition table and the
// announcement (matched after the commit) are Publish's; only the date is
// given. It is not offered over HTTP: a user publishes now.
func (s *Service) PublishAt(ctx context.Context, id string, at time.Time) (*Listing, error) {
	now := s.now()
	if at.IsZero() || at.After(now) {
		return nil, ErrPublishedLater
	}
	l, err := s.Editable(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := l.Status.CanBecome(StatusPublished); err != nil {
		return nil, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		upd := map[string]any{"status": string(StatusPublished), "published_at": at, "updated_at": now}
		if err := tx.Model(&Listing{}).Where("id = ?", l.ID).Updates(upd).Error; err != nil {
			return err
		}
		return statusChangedTx(tx, l.ID, false)
	}); err != nil {
		return nil, err
	}
	return s.Find(ctx, id)
}
