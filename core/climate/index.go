package climate

import (
	"context"
	"sort"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
)

// Entry is an account the reader may open.
type Entry struct {
	Scope string `json:"scope"`
	ID    string `json:"id"`
	Name  string `json:"name"`
}

// Index lists the accounts the reader may open: tenant admins and
// supervisors the region, its municipalities and every organization,
// project and agreement with loads; members their organizations', their
// projects' and their agreements' (MaxIndex of each at most).
type Index struct {
	Region         bool    `json:"region"`
	Municipalities []Entry `json:"municipalities"`
	Organizations  []Entry `json:"organizations"`
	Projects       []Entry `json:"projects"`
	Agreements     []Entry `json:"agreements"`
	Truncated      bool    `json:"truncated"`
}

// MaxIndex caps each list of the index.
const MaxIndex = 200

// List is the index of accounts for the reader.
func (s *Service) List(ctx context.Context) (*Index, error) {
	a := access.From(ctx)
	obs := observer(a)
	orgs := make([]string, 0, len(a.Principal.Orgs))
	for id := range a.Principal.Orgs {
		orgs = append(orgs, id)
	}
	sort.Strings(orgs)
	ix := &Index{Region: obs, Municipalities: []Entry{}, Organizations: []Entry{}, Projects: []Entry{}, Agreements: []Entry{}}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		with := func(kind string) *gorm.DB {
			return tx.Model(&Cell{}).Where("scope_kind = ? AND variant = ?", kind, Recorded).Distinct().Select("scope_id")
		}
		list := func(q *gorm.DB, into *[]Entry, kind string) error {
			var es []Entry
			if err := q.Limit(MaxIndex + 1).Scan(&es).Error; err != nil {
				return err
			}
			if len(es) > MaxIndex {
				es, ix.Truncated = es[:MaxIndex], true
			}
			for i := range es {
				es[i].Scope = kind
			}
			*into = es
			return nil
		}
		if obs {
			var ms []string
			if err := with(ScopeMunicipality).Order("scope_id").Pluck("scope_id", &ms).Error; err != nil {
				return err
			}
			for _, m := range ms {
				ix.Municipalities = append(ix.Municipalities, Entry{Scope: ScopeMunicipality, ID: m, Name: MunicipalityName(m) + " (" + m + ")"})
			}
		} else if len(orgs) == 0 {
			return nil
		}
		q := tx.Table("organizations").Select("id, name").Order("name, id")
		if obs {
			q = q.Where("id IN (?)", with(ScopeOrganization))
		} else {
			q = q.Where("id IN ?", orgs)
		}
		if err := list(q, &ix.Organizations, ScopeOrganization); err != nil {
			return err
		}
		q = tx.Table("sites").Select("id, name").Where("kind = ? AND id IN (?)", "project", with(ScopeProject)).Order("name, id")
		if !obs {
			q = q.Where("organization_id IN ?", orgs)
		}
		if err := list(q, &ix.Projects, ScopeProject); err != nil {
			return err
		}
		q = tx.Table("agreements").Select("id, number AS name").Where("id IN (?)", with(ScopeAgreement)).Order("number DESC, id")
		if !obs {
			q = q.Where("(supplier_org_id IN ? OR receiver_org_id IN ?)", orgs, orgs)
		}
		return list(q, &ix.Agreements, ScopeAgreement)
	})
	return ix, err
}
