package market

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Create validates and stores a listing of an organization the actor in
// ctx may edit for; with Publish it is published at once and announced
// (matched after the commit).
func (s *Service) Create(ctx context.Context, in *ListingInput) (*Listing, error) {
	l := &Listing{ID: store.NewID(), Status: StatusDraft, CreatedBy: access.From(ctx).UserID()}
	v := &fail.Validation{}
	if err := s.resolveOwner(ctx, l, in, v); err != nil {
		return nil, err
	}
	apply(l, in, v)
	requirePoint(l, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.CreateGate != nil {
		if err := s.CreateGate(ctx, l.OrganizationID); err != nil {
			return nil, err
		}
	}
	if in.Publish {
		now := s.now()
		l.Status, l.PublishedAt = StatusPublished, &now
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		return publishedTx(tx, l.ID) // matched after the commit, not in this request
	}); err != nil {
		return nil, err
	}
	return s.Find(ctx, l.ID)
}

// Editable loads a listing the actor in ctx may change (not found when it
// cannot see it, not_own_organization when it is another's).
func (s *Service) Editable(ctx context.Context, id string) (*Listing, error) {
	l, err := s.Find(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := canEdit(ctx, l); err != nil {
		return nil, err
	}
	return l, nil
}

// Update applies a patch to a listing the actor may change. The owner
// cannot be changed; an open listing is announced again.
func (s *Service) Update(ctx context.Context, id string, in *ListingInput) (*Listing, error) {
	l, err := s.Editable(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	if in.OrganizationID != nil && *in.OrganizationID != l.OrganizationID {
		v.Add("organization_id", "immutable", "ErrFieldInvalid")
		return nil, v.Err()
	}
	if err := s.resolveOwner(ctx, l, in, v); err != nil {
		return nil, err
	}
	lat, lon := l.Lat, l.Lon
	apply(l, in, v)
	if v.OK() && (l.Lat != lat || l.Lon != lon) {
		s.countMove(l, v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	l.UpdatedAt = s.now()
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Listing{}).Where("id = ?", l.ID).Select("*").Omit("tenant_id", "id", "organization_id", "created_by", "created_at", "status", "published_at").Updates(l).Error; err != nil {
			return err
		}
		return publishedTx(tx, l.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.Find(ctx, l.ID)
}

// SetStatus changes a listing's status along the transition table
// (status.go): a refused change is a conflict, and so is a change that
// another request made first (the update names the status it read).
func (s *Service) SetStatus(ctx context.Context, id string, status Status) (*Listing, error) {
	l, err := s.Editable(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := l.Status.CanBecome(status); err != nil {
		return nil, err
	}
	now := s.now()
	upd := map[string]any{"status": string(status), "updated_at": now}
	if status == StatusPublished && l.PublishedAt == nil {
		upd["published_at"] = now
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Listing{}).Where("id = ? AND status = ?", l.ID, string(l.Status)).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fail.ConflictErr("ErrStatusChanged")
		}
		return statusChangedTx(tx, l.ID, status != StatusPublished)
	}); err != nil {
		return nil, err
	}
	return s.Find(ctx, id)
}

// Publish puts a listing on the market.
func (s *Service) Publish(ctx context.Context, id string) (*Listing, error) {
	return s.SetStatus(ctx, id, StatusPublished)
}

// Close takes a listing off the market for good.
func (s *Service) Close(ctx context.Context, id string) (*Listing, error) {
	return s.SetStatus(ctx, id, StatusClosed)
}
