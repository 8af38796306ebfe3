package matching

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/httpx"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/request"
	"github.com/masseflyt/masseflyt/core/store"
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

// Discover finds a listing's matches after it was published or changed,
// stores the new ones, notifies the representatives of both organizations in
// the app and by e-mail, and emits match.found events. It never fails the
// caller's request: problems are logged.
func (s *Service) Discover(c *fiber.Ctx, l *market.Listing) {
	if err := s.discover(c, l); err != nil {
		slog.Default().Warn("match discovery failed", "request_id", httpx.RequestID(c), "err", err)
	}
}

func (s *Service) discover(c *fiber.Ctx, l *market.Listing) error {
	if !l.Open() {
		return nil
	}
	ms, err := s.ForListing(c, l, 20)
	if err != nil || len(ms) == 0 {
		return err
	}
	ctx := request.Ctx(c)
	type recipient struct{ UserID, Email, OrganizationID string }
	var fresh []Match
	var recips []recipient
	now := s.DB.Now()
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var known []Stored
		if err := tx.Where("listing_id = ? OR counterpart_id = ?", l.ID, l.ID).Find(&known).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, k := range known {
			seen[k.ListingID+k.CounterpartID] = true
		}
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
		if err := tx.Table("memberships").Select("memberships.user_id, users.email, memberships.organization_id").
			Joins("JOIN users ON users.id = memberships.user_id").
			Where("memberships.status = 'approved' AND memberships.organization_id IN ?", orgs).Scan(&recips).Error; err != nil {
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
		return nil
	})
	if err != nil || len(fresh) == 0 {
		return err
	}
	t := request.Tenant(c)
	sent := map[string]bool{}
	for _, r := range recips {
		if sent[r.UserID] || r.Email == "" || s.Mailer == nil {
			continue
		}
		sent[r.UserID] = true
		loc := httpx.Loc(c)
		msg := events.Message{To: r.Email, Subject: loc.T("MailMatchSubject", "Region", t.Name),
			Text: loc.T("MailMatchText", "Title", l.Title, "Count", len(fresh)) + "\n" + fmt.Sprintf("/t/%s/me", t.Slug)}
		if err := s.Mailer.Send(ctx, msg); err != nil {
			return err
		}
	}
	if s.Bus != nil {
		for _, m := range fresh {
			// Public data only: live views show events without login (B6:
			// a quantity band, not the tonnes).
			s.Bus.Publish(events.Event{Type: events.MatchFound, TenantID: t.ID, Data: map[string]any{"listing_id": l.ID, "counterpart_id": m.CounterpartID,
				"band": market.QuantityBand(m.Tonnes), "kg_co2e_per_tonne": m.KgPerTonne, "saving_kg_co2e": m.SavingKg, "fraction": m.Fraction, "via": m.Via}})
		}
	}
	return nil
}

// Notifications lists the caller's notifications in the tenant, unread first.
func (s *Service) Notifications(c *fiber.Ctx) ([]Notification, error) {
	var out []Notification
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Model(&Notification{}).Select("notifications.*, listings.title AS title").
			Joins("JOIN listings ON listings.tenant_id = notifications.tenant_id AND listings.id = notifications.counterpart_id").
			Where("notifications.user_id = ?", request.Principal(c).UserID()).
			Order("notifications.read_at IS NOT NULL, notifications.created_at DESC").Limit(100).Find(&out).Error
	})
	if out == nil {
		out = []Notification{}
	}
	return out, err
}

func (s *Service) listNotifications(c *fiber.Ctx) error {
	if request.Principal(c).Anonymous() {
		return httpx.Unauthorized()
	}
	out, err := s.Notifications(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out})
}

// MarkRead marks one of the caller's notifications read; false if none matched.
func (s *Service) MarkRead(c *fiber.Ctx, id string) (bool, error) {
	if !store.ValidID(id) {
		return false, nil
	}
	var n int64
	err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error {
		res := tx.Model(&Notification{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, request.Principal(c).UserID()).Update("read_at", s.DB.Now())
		n = res.RowsAffected
		return res.Error
	})
	return n > 0, err
}

func (s *Service) readNotification(c *fiber.Ctx) error {
	if request.Principal(c).Anonymous() {
		return httpx.Unauthorized()
	}
	ok, err := s.MarkRead(c, c.Params("id"))
	if err != nil {
		return err
	}
	if !ok {
		return httpx.NotFound()
	}
	return c.SendStatus(204)
}
