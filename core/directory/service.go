package directory

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// Registry looks organizations up in Brønnøysundregistrene (plugins
// bizreg.brreg and bizreg.fake).
type Registry interface {
	Lookup(ctx context.Context, orgNumber string) (*RegistryUnit, error)
}

// Registry errors.
var (
	ErrRegistryNotFound    = errors.New("bizreg: not found")
	ErrRegistryGone        = errors.New("bizreg: removed from the register")
	ErrRegistryUnavailable = errors.New("bizreg: register unavailable")
)

// RegistryTTL is how long a cached register entry is trusted.
const RegistryTTL = 30 * 24 * time.Hour

// Service is the directory's storage and rules.
type Service struct {
	DB       *store.DB
	Registry Registry
	Geocoder geo.Geocoder
	// Blobs holds the files of documents; deleting a site or an
	// organization removes its listings' files too (L5). Nil: none kept.
	Blobs blob.Store
	// RemoveGuards run inside the transaction that deletes a site or an
	// organization, before the delete, in order. A guard may remove rows
	// that go with it or refuse the delete (agreements: a draft goes, a
	// proposed or signed one is a record and refuses it).
	RemoveGuards []RemoveGuard

	cacheOnce sync.Once
	orgsOf    *store.Cache[principalOrgs] // memberships per tenant and user
}

type principalOrgs struct {
	orgs        map[string]string
	transporter bool
}

// CacheTTL bounds how long another instance's write can go unseen by this
// instance's read caches.
const CacheTTL = 5 * time.Second

func (s *Service) caches() {
	s.cacheOnce.Do(func() {
		s.orgsOf = store.NewCache[principalOrgs](CacheTTL, 10000)
	})
}

// now reads the one clock, which the store carries.
func (s *Service) now() time.Time { return s.DB.Now() }

// LookupUnit returns the register entry for orgNumber, from the cache when
// fresh, else from the register (and caches it).
func (s *Service) LookupUnit(ctx context.Context, orgNumber string) (*RegistryUnit, error) {
	sys := store.System(ctx, "registry cache (global reference table)")
	var u RegistryUnit
	err := s.DB.Read(sys, func(tx *gorm.DB) error {
		return tx.Where("org_number = ?", orgNumber).Take(&u).Error
	})
	if err == nil && s.now().Sub(u.FetchedAt) < RegistryTTL {
		if u.Deleted {
			return nil, ErrRegistryGone
		}
		return &u, nil
	}
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	fresh, lerr := s.Registry.Lookup(ctx, orgNumber)
	if lerr != nil {
		if errors.Is(lerr, ErrRegistryUnavailable) && err == nil {
			return &u, nil // stale beats nothing when the register is down
		}
		return nil, lerr
	}
	fresh.FetchedAt = s.now()
	if err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		return tx.Save(fresh).Error
	}); err != nil {
		return nil, err
	}
	return fresh, nil
}

// PrincipalOrgs returns the user's approved memberships in the context's
// tenant: organization ID → role, and whether any of them is a transporter.
func (s *Service) PrincipalOrgs(ctx context.Context, userID string) (map[string]string, bool, error) {
	s.caches()
	tid, _ := store.TenantID(ctx)
	gen := store.Generation(tid)
	key := tid + "|" + userID
	if po, ok := s.orgsOf.Get(key, gen); ok {
		return po.orgs, po.transporter, nil
	}
	type row struct {
		OrganizationID string
		Role           string
		Kinds          List
	}
	var rows []row
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Membership{}).
			Select("memberships.organization_id, memberships.role, organizations.kinds").
			Joins("JOIN organizations ON organizations.tenant_id = memberships.tenant_id AND organizations.id = memberships.organization_id").
			Where("memberships.user_id = ? AND memberships.status = ?", userID, StatusApproved).
			Scan(&rows).Error
	})
	if err != nil {
		return nil, false, err
	}
	orgs := make(map[string]string, len(rows))
	transporter := false
	for _, r := range rows {
		orgs[r.OrganizationID] = r.Role
		transporter = transporter || r.Kinds.Has("transporter")
	}
	s.orgsOf.Put(key, gen, principalOrgs{orgs: orgs, transporter: transporter})
	return orgs, transporter, nil
}
