// Package seed loads a world (tenants, people, organizations, sites,
// vehicles, listings) through the domain's own methods, as users would
// enter it: every row passes the validation and row rules of user input.
// internal/demo (what `masseflyt serve --demo` shows) and internal/fixtures
// (what the tests run on) are two worlds; this is their one engine.
package seed

import (
	"fmt"
	"time"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
)

// World is everything a seed creates. Its dates are written for Authored
// and laid out again relative to the clock when seeded (Layout).
type World struct {
	Authored time.Time
	Tenants  []Tenant
	Users    []User
	Orgs     []Org
	Sites    []Site
	Vehicles []Vehicle
	Listings []Listing
}

// Tenant is a region.
type Tenant struct {
	Slug, Name, Short, Description string
	Primary, Accent                string
	Lat, Lon                       float64
	Zoom                           int
	Municipalities                 []string
	Domain                         string
}

// User is a person and what they do.
type User struct {
	Email, Name string
	Tenant      string // "" for the platform
	Role        string // tenant role (tenant_admin, supervisor), superadmin, or "" for org-only
	Org         string // key of the organization whose representative they are
	OrgRole     string // admin or member
	Pending     bool   // the membership request is not decided yet
	Message     string // the membership request's message
}

// Org is an organization; its name and address come from the business
// register (bizreg.fake serves the fictional numbers).
type Org struct {
	Key         string
	Tenant      string
	OrgNumber   string
	Kinds       []string
	Services    []string
	Lat, Lon    float64
	Description string
	Website     string
	Contacts    []Contact
}

// Contact is a contact person of an organization.
type Contact struct{ Name, Title, Phone, Email string }

// Site is a project or facility of the organization with key Org; its
// ID, OrganizationID and timestamps are ignored.
type Site struct {
	Org string
	directory.Site
	Permits []directory.Permit
}

// Vehicle is a vehicle of the transport company with key Org. A vehicle
// with Status pending was registered by a driver and awaits approval; any
// other is registered (and so approved) by the company.
type Vehicle struct {
	Org string
	directory.Vehicle
}

// Listing is a listing of the organization with key Org on its site named
// Site. Status published publishes it (dated as the seed lays it out),
// closed publishes and closes it, anything else leaves a draft.
type Listing struct {
	Org, Site string
	market.Listing
	Samples []market.SampleInput
}

// Subject is the dev-login subject of a world's user.
func Subject(email string) string { return "dev:" + email }

// Layout moves dates written for one day to the day a world is seeded:
// by the whole months between them; a date on the last day of its month
// stays on the last day. A window open on the authored day is open on the
// seeded day, whether that is today or in 2031.
type Layout struct{ months int }

// LayoutFor is the layout of a world authored on authored and seeded at now.
func LayoutFor(authored, now time.Time) Layout {
	now, authored = now.UTC(), authored.UTC()
	return Layout{months: (now.Year()-authored.Year())*12 + int(now.Month()) - int(authored.Month())}
}

// At moves one date.
func (l Layout) At(d time.Time) time.Time {
	first := time.Date(d.Year(), d.Month()+time.Month(l.months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day()
	if d.AddDate(0, 0, 1).Day() == 1 || day > last { // last day of its month
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// Ptr moves an optional date into a new pointer (a world is shared and
// never changed).
func (l Layout) Ptr(d *time.Time) *time.Time {
	if d == nil {
		return nil
	}
	t := l.At(*d)
	return &t
}

// Date parses "2006-01-02" for a world's literals.
func Date(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// Day is Date's value.
func Day(s string) time.Time { return *Date(s) }

// Fee is a pointer to f, for a world's optional amounts.
func Fee(f float64) *float64 { return &f }

// Dead lists what is wrong with w seeded at now: a listing whose window
// ends before it starts or has ended (every listing of a seeded world must
// be open), and a key listing (by title) not available on the day.
func (w World) Dead(now time.Time, key ...string) []string {
	lay := LayoutFor(w.Authored, now)
	today := now.UTC().Truncate(24 * time.Hour)
	var out []string
	for _, l := range w.Listings {
		from, to := lay.At(l.AvailableFrom), lay.At(l.AvailableTo)
		switch {
		case to.Before(from):
			out = append(out, fmt.Sprintf("%q ends before it starts", l.Title))
		case to.Before(today):
			out = append(out, fmt.Sprintf("%q ended %s", l.Title, to.Format("2006-01-02")))
		}
		for _, k := range key {
			if l.Title == k && (now.Before(from) || to.Before(today)) {
				out = append(out, fmt.Sprintf("key listing %q runs %s–%s", k, from.Format("2006-01-02"), to.Format("2006-01-02")))
			}
		}
	}
	return out
}
