package directory

import (
	"context"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Deleting a site or an organization (L5) takes its listings and their
// documents with it (foreign keys cascade). Such a delete needs an
// organization admin, is confirmed by someone who saw what goes, and
// removes the documents' files from the blob store once it committed.

// A RemoveGuard is asked, inside the delete's transaction, before a site
// (col "site_id") or an organization (col "organization_id") with id goes.
type RemoveGuard func(tx *gorm.DB, col, id string) error

// DeleteImpact is what a delete would take with it.
type DeleteImpact struct {
	Sites     []ImpactItem `json:"sites"`
	Listings  []ImpactItem `json:"listings"`
	Documents []ImpactItem `json:"documents"`
	blobKeys  []string
}

// ImpactItem names one thing that would go.
type ImpactItem struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Empty reports whether nothing but the object itself would go.
func (i *DeleteImpact) Empty() bool { return len(i.Listings) == 0 && len(i.Documents) == 0 }

// impactOf lists the listings and documents whose col (site_id or
// organization_id) is id, and for an organization its sites.
func impactOf(tx *gorm.DB, col, id string) (*DeleteImpact, error) {
	out := &DeleteImpact{Sites: []ImpactItem{}, Listings: []ImpactItem{}, Documents: []ImpactItem{}}
	args := func() map[string]any { return map[string]any{"id": id} }
	if col == "organization_id" {
		if err := store.Raw(tx, `SELECT id, name AS title FROM sites WHERE tenant_id = @tenant AND organization_id = @id ORDER BY name, id`, args()).Scan(&out.Sites).Error; err != nil {
			return nil, err
		}
	}
	if err := store.Raw(tx, `SELECT id, title FROM listings WHERE tenant_id = @tenant AND `+col+` = @id ORDER BY title, id`, args()).Scan(&out.Listings).Error; err != nil {
		return nil, err
	}
	var docs []struct {
		ID, Title, BlobKey string
	}
	if err := store.Raw(tx, `SELECT d.id AS id, d.filename AS title, d.blob_key AS blob_key FROM documents d
		JOIN listings l ON l.tenant_id = d.tenant_id AND l.id = d.listing_id
		WHERE d.tenant_id = @tenant AND l.`+col+` = @id ORDER BY d.filename, d.id`, args()).Scan(&docs).Error; err != nil {
		return nil, err
	}
	for _, d := range docs {
		out.Documents = append(out.Documents, ImpactItem{ID: d.ID, Title: d.Title})
		out.blobKeys = append(out.blobKeys, d.BlobKey)
	}
	return out, nil
}

// SiteDeleteImpact lists what deleting a site would take with it, for
// those who may edit the site.
func (s *Service) SiteDeleteImpact(ctx context.Context, id string) (*DeleteImpact, error) {
	if _, err := s.EditableSite(ctx, id); err != nil {
		return nil, err
	}
	var im *DeleteImpact
	err := s.DB.Read(ctx, func(tx *gorm.DB) (err error) { im, err = impactOf(tx, "site_id", id); return err })
	return im, err
}

// OrgDeleteImpact lists what deleting an organization would take with it,
// for its admins.
func (s *Service) OrgDeleteImpact(ctx context.Context, id string) (*DeleteImpact, error) {
	if _, err := s.getOrg(ctx, id); err != nil {
		return nil, err
	}
	if !access.From(ctx).CanAdminOrg(id) {
		return nil, access.NotOwnOrganization()
	}
	var im *DeleteImpact
	err := s.DB.Read(ctx, func(tx *gorm.DB) (err error) { im, err = impactOf(tx, "organization_id", id); return err })
	return im, err
}

// errConfirmDelete is the answer to an unconfirmed delete that would take
// listings or documents with it: 409 with the counts.
func errConfirmDelete(im *DeleteImpact) error {
	return fail.New(fail.Conflict, "confirm_delete", "ErrConfirmDelete", "Listings", len(im.Listings), "Documents", len(im.Documents))
}

// RemoveSite deletes a site. Those who may edit the site may delete an
// empty one; one with listings or documents needs an organization admin
// (or a tenant admin) and confirmed (else 409 with the counts). The
// documents' files go once the delete has committed.
func (s *Service) RemoveSite(ctx context.Context, id string, confirmed bool) error {
	st, err := s.EditableSite(ctx, id)
	if err != nil {
		return err
	}
	return s.remove(ctx, "site_id", id, st.OrganizationID, confirmed, &Site{})
}

// RemoveOrg deletes an organization (its org admins and tenant admins);
// with listings or documents only when confirmed.
func (s *Service) RemoveOrg(ctx context.Context, id string, confirmed bool) error {
	if _, err := s.getOrg(ctx, id); err != nil {
		return err
	}
	if !access.From(ctx).CanAdminOrg(id) {
		return access.NotOwnOrganization()
	}
	return s.remove(ctx, "organization_id", id, id, confirmed, &Organization{})
}

func (s *Service) remove(ctx context.Context, col, id, orgID string, confirmed bool, model any) error {
	a := access.From(ctx)
	var keys []string
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		im, err := impactOf(tx, col, id)
		if err != nil {
			return err
		}
		if !im.Empty() && !a.CanAdminOrg(orgID) {
			return fail.New(fail.Forbidden, "org_admin_required", "ErrDeleteNeedsOrgAdmin")
		}
		if !confirmed && !im.Empty() {
			return errConfirmDelete(im)
		}
		for _, g := range s.RemoveGuards {
			if err := g(tx, col, id); err != nil {
				return err
			}
		}
		keys = im.blobKeys
		res := tx.Where("id = ?", id).Delete(model)
		if res.Error == nil && res.RowsAffected == 0 {
			return fail.NotFoundErr()
		}
		return res.Error
	})
	if err != nil {
		return err
	}
	s.removeFiles(ctx, keys)
	return nil
}

// removeFiles deletes blobs whose rows are gone (after the commit: a
// rolled-back delete keeps its files).
func (s *Service) removeFiles(ctx context.Context, keys []string) {
	if s.Blobs == nil {
		return
	}
	for _, k := range keys {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), k)
	}
}
