package tests

import "github.com/masseflyt/masseflyt/internal/apitest"

// The fixture principals of the suites, by e-mail.
const (
	tenantAdmin = apitest.TenantAdmin
	supervisor  = apitest.Supervisor
	orgAdmin    = apitest.OrgAdmin
	member      = apitest.Member
	transporter = apitest.Transporter
	pending     = apitest.Pending
	platform    = apitest.Platform
	rogAdmin    = apitest.RogAdmin
)
