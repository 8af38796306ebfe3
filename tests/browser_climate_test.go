package tests

import (
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// climatePages are the climate accounts' pages for the axe walk
// (tests/browser_pages_test.go): the index, one account of each kind with
// its charts and tables, and the public method page.
func climatePages(e *apitest.Env, T string) []browserPage {
	w := haultest.New(e)
	w.Received(w.Order, 15)
	w.Received(w.Order, 12)
	e.Settle()
	return []browserPage{
		{Path: T + "/climate/method"},
		{Path: T + "/climate", As: apitest.OrgAdmin},
		{Path: T + "/climate", As: apitest.TenantAdmin},
		{Path: T + "/climate/region", As: apitest.TenantAdmin},
		{Path: T + "/climate/organizations/" + w.Fornebu, As: apitest.OrgAdmin},
		{Path: T + "/climate/agreements/" + w.Agreement.ID, As: apitest.Member},
		{Path: T + "/climate/projects/" + w.SandvikaSite, As: apitest.Member},
	}
}
