package directory

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// ContactPages bounds a page of contact persons.
var ContactPages = page.Bounds{Default: 100, Max: 500}

// ContactInput is the body of contact create and update.
type ContactInput struct {
	Name   *string `json:"name"`
	Title  *string `json:"title"`
	Phone  *string `json:"phone"`
	Email  *string `json:"email"`
	SiteID *string `json:"site_id"`
}

func (in *ContactInput) apply(ct *Contact, v *fail.Validation) {
	text(v, "name", in.Name, maxName, true)
	text(v, "title", in.Title, maxName, false)
	phone(v, "phone", in.Phone)
	email(v, "email", in.Email)
	if in.Name != nil {
		ct.Name = *in.Name
	}
	if in.Title != nil {
		ct.Title = *in.Title
	}
	if in.Phone != nil {
		ct.Phone = *in.Phone
	}
	if in.Email != nil {
		ct.Email = *in.Email
	}
}

// Contacts returns a page of an organization's contact persons by name.
// Contacts are personal data: only logged-in users see them.
func (s *Service) Contacts(ctx context.Context, orgID string, r page.Request) (page.Page[Contact], error) {
	if access.From(ctx).Anonymous() {
		return page.Page[Contact]{}, fail.UnauthorizedErr()
	}
	if _, err := s.getOrg(ctx, orgID); err != nil {
		return page.Page[Contact]{}, err
	}
	var rows []Contact
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := after(tx.Where("organization_id = ?", orgID), r.Cursor, "name", "id")
		if err != nil {
			return err
		}
		return q.Order("name, id").Limit(limit(r, ContactPages)).Find(&rows).Error
	})
	if err != nil {
		return page.Page[Contact]{}, err
	}
	return page.Cut(rows, size(r, ContactPages), func(c Contact) page.Key { return page.Key{c.Name, c.ID} }), nil
}

// CreateContact adds a contact person to an organization the actor may edit
// (or to one of its sites).
func (s *Service) CreateContact(ctx context.Context, orgID string, in *ContactInput) (*Contact, error) {
	if _, err := s.EditableOrg(ctx, orgID); err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	if in.Name == nil {
		v.Add("name", "required", "ErrFieldRequired")
	}
	ct := &Contact{ID: store.NewID(), OrganizationID: orgID}
	in.apply(ct, v)
	if in.SiteID != nil && *in.SiteID != "" {
		st, err := s.GetSite(ctx, *in.SiteID)
		if err != nil || st.OrganizationID != orgID {
			v.Add("site_id", "invalid", "ErrFieldInvalid")
		} else {
			ct.SiteID = in.SiteID
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(ct).Error }); err != nil {
		return nil, err
	}
	return ct, nil
}

// editableContact loads a contact person of an organization the actor may edit.
func (s *Service) editableContact(ctx context.Context, id string) (*Contact, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var ct Contact
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&ct).Error }); err != nil {
		return nil, store.NotFoundOr(err)
	}
	if !access.From(ctx).CanEditOrg(ct.OrganizationID) {
		return nil, access.NotOwnOrganization()
	}
	return &ct, nil
}

// UpdateContact patches a contact person; the site it belongs to is fixed.
func (s *Service) UpdateContact(ctx context.Context, id string, in *ContactInput) (*Contact, error) {
	ct, err := s.editableContact(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	if in.SiteID != nil {
		v.Add("site_id", "immutable", "ErrFieldInvalid")
		return nil, v.Err()
	}
	in.apply(ct, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Contact{}).Where("id = ?", ct.ID).Updates(map[string]any{"name": ct.Name, "title": ct.Title, "phone": ct.Phone, "email": ct.Email, "updated_at": s.now()}).Error
	})
	if err != nil {
		return nil, err
	}
	return ct, nil
}

// DeleteContact removes a contact person of an organization the actor may edit.
func (s *Service) DeleteContact(ctx context.Context, id string) error {
	ct, err := s.editableContact(ctx, id)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", ct.ID).Delete(&Contact{}).Error })
}
