package directory

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// MembershipPages bounds a page of memberships.
var MembershipPages = page.Bounds{Default: 100, Max: 500}

// MembershipInput is the body of a representation request.
type MembershipInput struct {
	Role    string `json:"role"`
	Message string `json:"message"`
}

// DecisionInput is the optional body of a membership decision: the role to
// grant (the requested one when empty).
type DecisionInput struct {
	Role string `json:"role"`
}

// RequestMembership asks, for the acting user, to become a verified
// representative of an organization.
func (s *Service) RequestMembership(ctx context.Context, orgID string, in *MembershipInput) (*Membership, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	if _, err := s.getOrg(ctx, orgID); err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	if in.Role == "" {
		in.Role = MemberRole
	}
	enum(v, "role", in.Role, []string{MemberRole, AdminRole}, true)
	text(v, "message", &in.Message, 1000, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &Membership{ID: store.NewID(), UserID: a.UserID(), OrganizationID: orgID, Role: in.Role, Status: StatusPending, Message: in.Message}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(m).Error })
	if store.IsUniqueViolation(err) {
		return nil, fail.ConflictErr("ErrMembershipDuplicate")
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// MembershipFilter selects memberships. Which ones the actor may see is
// decided here:
//   - Mine, or neither an organization nor All: the actor's own;
//   - an organization: its memberships, for those who may edit it and for
//     supervisors;
//   - All: every membership of the tenant, for tenant admins and supervisors.
type MembershipFilter struct {
	OrganizationID string
	Mine           bool
	All            bool
	// Status is pending, approved, rejected or ended ("" for any).
	Status string
	Page   page.Request
}

// Memberships returns a page of memberships, newest first, with the user's
// and the organization's names.
func (s *Service) Memberships(ctx context.Context, f MembershipFilter) (page.Page[Membership], error) {
	var none page.Page[Membership]
	a := access.From(ctx)
	userID := ""
	switch {
	case f.Mine || (f.OrganizationID == "" && !f.All):
		if a.Anonymous() {
			return none, fail.UnauthorizedErr()
		}
		userID = a.UserID()
	case f.OrganizationID != "":
		if _, err := s.getOrg(ctx, f.OrganizationID); err != nil {
			return none, err
		}
		if !a.CanEditOrg(f.OrganizationID) && !supervises(a) {
			return none, access.NotOwnOrganization()
		}
	default:
		if !a.IsAdmin() && !supervises(a) {
			return none, fail.ForbiddenErr()
		}
	}
	if f.OrganizationID != "" {
		if err := checkID(f.OrganizationID); err != nil {
			return none, err
		}
	}
	var rows []Membership
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Membership{}).Select("memberships.*, users.name AS user_name, organizations.name AS org_name, coalesce(deciders.name, '') AS decided_by_name, coalesce(enders.name, '') AS ended_by_name").
			Joins("JOIN users ON users.id = memberships.user_id").
			Joins("LEFT JOIN users deciders ON deciders.id = memberships.decided_by").
			Joins("LEFT JOIN users enders ON enders.id = memberships.ended_by").
			Joins("JOIN organizations ON organizations.tenant_id = memberships.tenant_id AND organizations.id = memberships.organization_id")
		if f.OrganizationID != "" {
			q = q.Where("memberships.organization_id = ?", f.OrganizationID)
		}
		if userID != "" {
			q = q.Where("memberships.user_id = ?", userID)
		}
		if f.Status != "" {
			q = q.Where("memberships.status = ?", f.Status)
		}
		if f.Page.Cursor != "" {
			k, err := page.Decode(f.Page.Cursor, 2)
			if err != nil {
				return err
			}
			at, err := time.Parse(time.RFC3339Nano, k[0])
			if err != nil || !store.ValidID(k[1]) {
				return page.BadCursor()
			}
			q = q.Where("(memberships.created_at < ? OR (memberships.created_at = ? AND memberships.id < ?))", at, at, k[1])
		}
		return q.Order("memberships.created_at DESC, memberships.id DESC").Limit(limit(f.Page, MembershipPages)).Find(&rows).Error
	})
	if err != nil {
		return none, err
	}
	return page.Cut(rows, size(f.Page, MembershipPages), func(m Membership) page.Key {
		return page.Key{m.CreatedAt.UTC().Format(time.RFC3339Nano), m.ID}
	}), nil
}

// administered loads a membership of an organization the actor
// administers (its org admins, tenant admins).
func (s *Service) administered(ctx context.Context, id string) (*Membership, *access.Actor, error) {
	if err := checkID(id); err != nil {
		return nil, nil, err
	}
	var m Membership
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&m).Error }); err != nil {
		return nil, nil, store.NotFoundOr(err)
	}
	a := access.From(ctx)
	if !a.CanAdminOrg(m.OrganizationID) {
		return nil, nil, access.NotOwnOrganization()
	}
	return &m, a, nil
}

// EndMembership ends an approved representation (a former employee): the
// user no longer represents the organization. Its org admins and tenant
// admins may; the row stays as history, and the user may ask again.
func (s *Service) EndMembership(ctx context.Context, id string) (*Membership, error) {
	m, a, err := s.administered(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Status != StatusApproved {
		return nil, fail.ConflictErr("ErrMembershipNotActive")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Membership{}).Where("id = ? AND status = ?", m.ID, StatusApproved).
			Updates(map[string]any{"status": StatusEnded, "ended_by": a.UserID(), "ended_at": now, "updated_at": now})
		if res.Error == nil && res.RowsAffected == 0 {
			return fail.ConflictErr("ErrMembershipNotActive")
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	m.Status, m.EndedBy, m.EndedAt, m.UpdatedAt = StatusEnded, a.UserID(), &now, now
	return m, nil
}

// DecideMembership approves or rejects a pending request (status
// StatusApproved or StatusRejected), optionally granting another role; org
// admins decide for their organization, tenant admins for any.
func (s *Service) DecideMembership(ctx context.Context, id, status, role string) (*Membership, error) {
	if status != StatusApproved && status != StatusRejected {
		v := &fail.Validation{}
		v.Add("status", "enum", "ErrFieldEnum", "Allowed", joinAllowed([]string{StatusApproved, StatusRejected}))
		return nil, v.Err()
	}
	m, a, err := s.administered(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Status != StatusPending {
		return nil, fail.ConflictErr("ErrMembershipDecided")
	}
	if role != "" {
		v := &fail.Validation{}
		enum(v, "role", role, []string{MemberRole, AdminRole}, true)
		if err := v.Err(); err != nil {
			return nil, err
		}
		m.Role = role
	}
	now := s.now()
	m.Status, m.DecidedBy, m.DecidedAt = status, a.UserID(), &now
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Membership{}).Where("id = ? AND status = ?", m.ID, StatusPending).
			Updates(map[string]any{"status": status, "role": m.Role, "decided_by": m.DecidedBy, "decided_at": now, "updated_at": now})
		if res.Error == nil && res.RowsAffected == 0 {
			return fail.ConflictErr("ErrMembershipDecided")
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
