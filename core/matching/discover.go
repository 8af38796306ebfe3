package matching

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// Stored is a match found when a listing was published or changed (a tenant table).
type Stored struct {
	store.TenantRow
	ID             string    `gorm:"primaryKey" json:"id"`
	ListingID      string    `json:"listing_id"`
	CounterpartID  string    `json:"counterpart_id"`
	Via            string    `json:"via"`
	Tonnes         float64   `json:"tonnes"`
	KgCO2ePerTonne float64   `gorm:"column:kg_co2e_per_tonne" json:"kg_co2e_per_tonne"`
	SavingKgCO2e   float64   `gorm:"column:saving_kg_co2e" json:"saving_kg_co2e"`
	CreatedAt      time.Time `json:"created_at"`
}

func (Stored) TableName() string { return "matches" }

// Notification tells a representative about a new match (a tenant table).
type Notification struct {
	store.TenantRow
	ID            string     `gorm:"primaryKey" json:"id"`
	UserID        string     `json:"-"`
	Kind          string     `json:"kind"`
	ListingID     string     `json:"listing_id"`
	CounterpartID string     `json:"counterpart_id"`
	ReadAt        *time.Time `json:"read_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Title         string     `gorm:"->" json:"title,omitempty"`
}

func (Notification) TableName() string { return "notifications" }

// Subscriber names, recorded with every delivery: never rename them.
const (
	DiscoverSubscriber = "matching.discover"
	MailSubscriber     = "matching.mail"
)

// Region is what a match mail says about the region it comes from.
type Region struct{ Name, Slug, Locale string }

// Subscribe makes match discovery and its mail outbox subscribers: they run
// after the commit of the change that published a listing, never in the
// request, at least once each.
func (s *Service) Subscribe(d *events.Dispatcher) {
	s.Events = d
	s.Listen(d)
	events.Handle(d, DiscoverSubscriber, s.onPublished)
	events.Handle(d, MailSubscriber, s.onNotified)
}

// Discovering reports whether match discovery for a listing has yet to
// finish (the listing page then says matches are being found).
func (s *Service) Discovering(ctx context.Context, listingID string) bool {
	if s.Events == nil {
		return false
	}
	p, err := s.Events.Pending(ctx, listingID, DiscoverSubscriber)
	return err == nil && p
}

// onPublished runs discovery for a published or changed listing, as it is
// now (it may have closed meanwhile).
func (s *Service) onPublished(ctx context.Context, _ events.Envelope, e events.ListingPublished) error {
	if e.StatusOnly {
		return nil
	}
	var l market.Listing
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&market.Listing{}).Select("listings.*, organizations.name AS organization_name").
			Joins("JOIN organizations ON organizations.tenant_id = listings.tenant_id AND organizations.id = listings.organization_id").
			Where("listings.id = ?", e.ListingID).Take(&l).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.discover(ctx, &l)
}

// discover finds a listing's matches and, in one transaction, stores the
// new ones, notifies the representatives of both organizations in the app,
// and emits MatchFound (live views) and MatchesNotified (one mail per
// person). Matches already stored are skipped, so a second delivery of the
// same event adds nothing.
func (s *Service) discover(ctx context.Context, l *market.Listing) error {
	if !l.Open() {
		return nil
	}
	// Measure as deep as requests rank, so that what they read is measured;
	// announce the best.
	ms, err := s.rank(ctx, l, RankDepth, true)
	if err != nil || len(ms) == 0 {
		return err
	}
	if len(ms) > Notified {
		ms = ms[:Notified]
	}
	type recipient struct{ UserID, OrganizationID string }
	now := s.DB.Now()
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var known []Stored
		if err := tx.Where("listing_id = ? OR counterpart_id = ?", l.ID, l.ID).Find(&known).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, k := range known {
			seen[k.ListingID+k.CounterpartID] = true
		}
		var fresh []Match
		for _, m := range ms {
			if seen[l.ID+m.CounterpartID] || seen[m.CounterpartID+l.ID] {
				continue
			}
			fresh = append(fresh, m)
			if err := tx.Create(&Stored{ID: store.NewID(), ListingID: l.ID, CounterpartID: m.CounterpartID, Via: m.Via, Tonnes: m.Tonnes,
				KgCO2ePerTonne: m.KgPerTonne, SavingKgCO2e: m.SavingKg, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		orgs := []string{l.OrganizationID}
		owner := map[string]string{}
		for _, m := range fresh {
			var cp market.Listing
			if err := tx.Select("id, organization_id").Where("id = ?", m.CounterpartID).Take(&cp).Error; err != nil {
				return err
			}
			owner[cp.ID] = cp.OrganizationID
			orgs = append(orgs, cp.OrganizationID)
		}
		var recips []recipient
		if err := tx.Table("memberships").Select("memberships.user_id, memberships.organization_id").
			Joins("JOIN users ON users.id = memberships.user_id").
			Where("memberships.status = 'approved' AND memberships.organization_id IN ?", orgs).Order("memberships.user_id").Scan(&recips).Error; err != nil {
			return err
		}
		for _, m := range fresh {
			for _, r := range recips {
				var n *Notification
				switch r.OrganizationID {
				case l.OrganizationID:
					n = &Notification{ID: store.NewID(), UserID: r.UserID, Kind: "match", ListingID: l.ID, CounterpartID: m.CounterpartID, CreatedAt: now}
				case owner[m.CounterpartID]:
					n = &Notification{ID: store.NewID(), UserID: r.UserID, Kind: "match", ListingID: m.CounterpartID, CounterpartID: l.ID, CreatedAt: now}
				}
				if n != nil {
					if err := tx.Create(n).Error; err != nil {
						return err
					}
				}
			}
		}
		ids := make([]string, 0, len(fresh))
		for _, m := range fresh {
			ids = append(ids, m.CounterpartID)
		}
		var members []string
		if len(ids) > 0 {
			if err := tx.Model(&market.Listing{}).Where("id IN ? AND visibility <> ?", ids, "public").Pluck("id", &members).Error; err != nil {
				return err
			}
		}
		membersOnly := map[string]bool{}
		for _, id := range members {
			membersOnly[id] = true
		}
		for _, m := range fresh {
			if err := events.Emit(tx, events.MatchFound{ListingID: l.ID, CounterpartID: m.CounterpartID, Band: market.QuantityBand(m.Tonnes),
				KgCO2ePerTonne: m.KgPerTonne, SavingKgCO2e: m.SavingKg, Fraction: m.Fraction, Via: m.Via,
				MembersOnly: l.Visibility != "public" || membersOnly[m.CounterpartID]}); err != nil {
				return err
			}
		}
		told := map[string]bool{}
		for _, r := range recips {
			if !told[r.UserID] {
				told[r.UserID] = true
				if err := events.Emit(tx, events.MatchesNotified{UserID: r.UserID, ListingID: l.ID, Title: l.Title, Count: len(fresh)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// onNotified mails one representative about new matches, in their
// language. A person has no language setting yet, so it is their region's
// (the tenant's default locale): the language the region's pages greet
// everyone in, not the publisher's.
func (s *Service) onNotified(ctx context.Context, env events.Envelope, e events.MatchesNotified) error {
	if s.Mailer == nil || s.Regions == nil {
		return nil
	}
	r, ok := s.Regions(env.TenantID)
	if !ok {
		return nil
	}
	var emails []string
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&auth.User{}).Where("id = ?", e.UserID).Pluck("email", &emails).Error
	}); err != nil {
		return err
	}
	if len(emails) == 0 || emails[0] == "" {
		return nil // gone, or no address
	}
	loc := locales.New(s.Bundle, r.Locale)
	return s.Mailer.Send(ctx, events.Message{To: emails[0], Subject: loc.T("MailMatchSubject", "Region", r.Name),
		Text: loc.T("MailMatchText", "Title", e.Title, "Count", e.Count) + "\n" + fmt.Sprintf("/t/%s/me", r.Slug)})
}

// Notifications lists the actor's notifications in the tenant, unread first.
func (s *Service) Notifications(ctx context.Context, r page.Request) (page.Page[Notification], error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return page.Page[Notification]{}, fail.UnauthorizedErr()
	}
	var out []Notification
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Notification{}).Select("notifications.*, listings.title AS title").
			Joins("JOIN listings ON listings.tenant_id = notifications.tenant_id AND listings.id = notifications.counterpart_id").
			Where("notifications.user_id = ?", a.UserID())
		q, err := page.UnreadFirst(q, r, "notifications")
		if err != nil {
			return err
		}
		return q.Find(&out).Error
	})
	if err != nil {
		return page.Page[Notification]{}, err
	}
	p := page.Cut(out, r.Limit, func(n Notification) page.Key { return page.UnreadKey(n.ReadAt, n.CreatedAt, n.ID) })
	// A notification about a match that no longer holds (a listing closed,
	// or its class or fractions changed) is hidden; the cursor still walks
	// on from the last row read.
	if p.Items, err = s.current(ctx, p.Items); err != nil {
		return page.Page[Notification]{}, err
	}
	return p, nil
}

// MarkRead marks one of the actor's unread notifications read; not found
// when it has none by that ID.
func (s *Service) MarkRead(ctx context.Context, id string) error {
	a := access.From(ctx)
	if a.Anonymous() {
		return fail.UnauthorizedErr()
	}
	if !store.ValidID(id) {
		return fail.NotFoundErr()
	}
	var n int64
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Notification{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, a.UserID()).Update("read_at", s.DB.Now())
		n = res.RowsAffected
		return res.Error
	})
	if err == nil && n == 0 {
		return fail.NotFoundErr()
	}
	return err
}
