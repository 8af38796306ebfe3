package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/store"
)

// mailBatch is how many invoice notices one close sends at most.
const mailBatch = 200

// notice is one stored invoice's notice: to whom, and what.
type notice struct {
	id, tenant, to, regionName string
	msg                        events.Message
	region                     bool
}

// mailInvoices sends a notice of each stored invoice not yet announced to
// its billing e-mail (the subscription's, else the organization's; a
// region's from its platform subscription): number, period, amount, due
// date, where to pay and a link to the invoice. Each notice is claimed
// (mailed_at) before it is sent, so two instances send it once; one that
// fails is released and tried at the next close.
func (s *Service) mailInvoices(sys context.Context, now time.Time) (int, error) {
	if s.Mailer == nil {
		return 0, nil
	}
	var due []notice
	if err := s.DB.Read(sys, func(tx *gorm.DB) error {
		var rows []struct {
			TenantID, ID, OrgID, Number, OrgName, OrgEmail, BillingEmail, Slug, RegionName, Account string
			PeriodStart                                                                             time.Time
			TotalOre                                                                                int64
			DueAt                                                                                   *time.Time
		}
		if err := tx.Table("billing_invoices AS i").
			Select("i.tenant_id, i.id, i.org_id, i.number, i.period_start, i.total_ore, i.due_at, o.name AS org_name, o.email AS org_email, COALESCE(s.billing_email, '') AS billing_email, t.slug, t.name AS region_name, COALESCE(st.account_number, '') AS account").
			Joins("JOIN organizations o ON o.tenant_id = i.tenant_id AND o.id = i.org_id").
			Joins("JOIN tenants t ON t.id = i.tenant_id").
			Joins("LEFT JOIN billing_subscriptions s ON s.tenant_id = i.tenant_id AND s.org_id = i.org_id").
			Joins("LEFT JOIN billing_settings st ON st.tenant_id = i.tenant_id").
			Where("i.provider_id = '' AND i.mailed_at IS NULL AND i.status <> ?", InvoiceVoid).Order("i.created_at, i.id").Limit(mailBatch).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			to := r.BillingEmail
			if to == "" {
				to = r.OrgEmail
			}
			link := s.PublicURL + "/t/" + r.Slug + "/billing/organizations/" + r.OrgID
			due = append(due, notice{id: r.ID, tenant: r.TenantID, to: to, regionName: r.RegionName,
				msg: invoiceMail(r.RegionName, r.OrgName, r.Number, r.PeriodStart, r.TotalOre, r.DueAt, r.Account, link)})
		}
		var regs []struct {
			ID, RegionID, Number, BillingEmail, Slug, RegionName string
			PeriodStart                                          time.Time
			TotalOre                                             int64
			DueAt                                                *time.Time
		}
		if err := tx.Table("billing_region_invoices AS i").
			Select("i.id, i.region_id, i.number, i.period_start, i.total_ore, i.due_at, COALESCE(r.billing_email, '') AS billing_email, t.slug, t.name AS region_name").
			Joins("JOIN tenants t ON t.id = i.region_id").
			Joins("LEFT JOIN billing_region_subscriptions r ON r.region_id = i.region_id").
			Where("i.provider_id = '' AND i.mailed_at IS NULL AND i.status <> ?", InvoiceVoid).Order("i.created_at, i.id").Limit(mailBatch).Scan(&regs).Error; err != nil {
			return err
		}
		for _, r := range regs {
			link := s.PublicURL + "/t/" + r.Slug + "/billing"
			due = append(due, notice{id: r.ID, to: r.BillingEmail, region: true, regionName: r.RegionName,
				msg: invoiceMail(s.Seller.Name, r.RegionName, r.Number, r.PeriodStart, r.TotalOre, r.DueAt, s.Seller.Account, link)})
		}
		return nil
	}); err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range due {
		if n.to == "" {
			continue // no address: the invoice is on the billing page all the same
		}
		n.msg.To = n.to
		mark := func(v any, cond string) (bool, error) {
			var res *gorm.DB
			err := s.DB.Tx(sys, func(tx *gorm.DB) error {
				if n.region {
					res = tx.Model(&RegionInvoice{}).Where("id = ? AND "+cond, n.id).Update("mailed_at", v)
				} else {
					res = tx.Model(&Invoice{}).Where("tenant_id = ? AND id = ? AND "+cond, n.tenant, n.id).Update("mailed_at", v)
				}
				return res.Error
			})
			return err == nil && res.RowsAffected == 1, err
		}
		ok, err := mark(now, "mailed_at IS NULL")
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // another instance took it
		}
		// The invoice itself goes with its notice, as the PDF its page
		// downloads; without it (it could not be drawn) the link still
		// leads to it.
		if f, err := s.noticePDF(sys, n); err != nil {
			s.log().Warn("billing: invoice notice sent without its PDF", "invoice", n.id, "err", err)
		} else {
			n.msg.Attachments = []events.Attachment{f}
			n.msg.Text += "\nFakturaen er vedlagt som PDF (" + f.Filename + ").\n"
		}
		if err := s.Mailer.Send(sys, n.msg); err != nil {
			s.log().Warn("billing: invoice notice not sent; tried again at the next close", "invoice", n.id, "err", err)
			_, _ = mark(nil, "mailed_at IS NOT NULL")
			continue
		}
		sent++
	}
	return sent, nil
}

// noticePDF draws a notice's invoice as PDF.
func (s *Service) noticePDF(sys context.Context, n notice) (events.Attachment, error) {
	var doc *Document
	if n.region {
		var inv RegionInvoice
		if err := s.DB.Read(sys, func(tx *gorm.DB) error { return tx.Where("id = ?", n.id).Take(&inv).Error }); err != nil {
			return events.Attachment{}, err
		}
		d, err := s.RegionDocument(sys, &inv, n.regionName)
		if err != nil {
			return events.Attachment{}, err
		}
		doc = d
	} else {
		ctx := store.WithTenant(sys, n.tenant)
		var inv Invoice
		if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", n.id).Take(&inv).Error }); err != nil {
			return events.Attachment{}, err
		}
		d, err := s.MemberDocument(ctx, &inv, n.regionName)
		if err != nil {
			return events.Attachment{}, err
		}
		doc = d
	}
	return doc.Attachment("pdf")
}

// invoiceMail is an invoice's notice in Norwegian (the invoice's
// language).
func invoiceMail(seller, buyer, number string, start time.Time, totalOre int64, due *time.Time, account, link string) events.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Hei,\n\n%s har laget faktura %s til %s for %s.\n\n", seller, number, buyer, MonthName(start))
	fmt.Fprintf(&b, "Å betale: %s kr (inkl. 25 %% mva.)\n", kroner(totalOre))
	if due != nil {
		fmt.Fprintf(&b, "Forfall: %s\n", numfmt.Date(*due))
	}
	if account != "" {
		fmt.Fprintf(&b, "Kontonummer: %s (merk betalingen med %s)\n", accountText(account), number)
	}
	fmt.Fprintf(&b, "\nFakturaen som PDF og EHF, og betalingsstatus:\n%s\n", link)
	return events.Message{Subject: fmt.Sprintf("Faktura %s fra %s", number, seller), Text: b.String()}
}
