package tests

import "github.com/masseflyt/masseflyt/internal/apitest"

// usagePages are the usage pages the axe check opens (K14): the tenant
// admin's usage per organization and project (the bad period's form,
// answered 422, is web/usage_test.go's).
func usagePages(_ *apitest.Env, T string) []browserPage {
	return []browserPage{
		{Path: T + "/admin/usage", As: apitest.TenantAdmin},
	}
}
