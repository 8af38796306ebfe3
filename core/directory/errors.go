package directory

import (
	"strings"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// ErrNotOwnOrganization is the row rule's refusal: the actor does not
// represent (or administer) the organization that owns the row.
var ErrNotOwnOrganization = access.NotOwnOrganization()

// checkID refuses a malformed ID as not found (it names no row).
func checkID(id string) error {
	if !store.ValidID(id) {
		return fail.NotFoundErr()
	}
	return nil
}

// supervises reports whether the actor reads everything in the tenant
// without changing anything (supervisors).
func supervises(a *access.Actor) bool { return a.Principal.Has(auth.RoleSupervisor) }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// after decodes a keyset cursor (sort values, then the row's ID) and adds
// the condition "after this position" in ascending order of cols.
func after(q *gorm.DB, cursor string, cols ...string) (*gorm.DB, error) {
	if cursor == "" {
		return q, nil
	}
	k, err := page.Decode(cursor, len(cols))
	if err != nil {
		return nil, err
	}
	if !store.ValidID(k[len(k)-1]) {
		return nil, page.BadCursor()
	}
	// (c1 > v1) OR (c1 = v1 AND c2 > v2) OR …
	var ors []string
	var args []any
	for i := range cols {
		var and []string
		for j := 0; j < i; j++ {
			and = append(and, cols[j]+" = ?")
			args = append(args, k[j])
		}
		and = append(and, cols[i]+" > ?")
		args = append(args, k[i])
		ors = append(ors, "("+strings.Join(and, " AND ")+")")
	}
	return q.Where("("+strings.Join(ors, " OR ")+")", args...), nil
}

// limit is the number of rows to fetch for a page: one more than asked, so
// page.Cut knows whether another page follows.
func limit(r page.Request, b page.Bounds) int {
	if r.Limit < 1 {
		r.Limit = b.Default
	}
	return r.Limit + 1
}

// size is the page size of r (the list's default when unset).
func size(r page.Request, b page.Bounds) int {
	if r.Limit < 1 {
		return b.Default
	}
	return r.Limit
}
