package stats

import (
	"context"

	"github.com/masseflyt/masseflyt/core/access"
)

// Localized returns the tenant's statistics (the tenant in ctx) with each
// fraction named by name(code), in the reader's language.
func (s *Service) Localized(ctx context.Context, name func(code string) string) (*Stats, error) {
	a := access.From(ctx)
	st, err := s.For(ctx, a.TenantID, a.TenantSlug)
	if err != nil {
		return nil, err
	}
	out := *st
	out.Fractions = make([]Fraction, len(st.Fractions))
	for i, f := range st.Fractions {
		f.Name = name(f.Code)
		out.Fractions[i] = f
	}
	return &out, nil
}
