package agreement

import (
	"strconv"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/notify"
)

// notes tells the organization admins of the party that acts next, in the
// step's transaction (the inbox, and mail by each person's preference): a
// proposal or counter-proposal to answer, or a signature that is needed.
func notes(tx *gorm.DB, ag *Agreement, e events.Event, author string) error {
	var orgs []string
	title := ""
	switch x := e.(type) {
	case events.AgreementProposed:
		orgs, title = []string{x.ToOrgID}, "NoteAgreementProposed"
	case events.AgreementCounterProposed:
		orgs, title = []string{x.ToOrgID}, "NoteAgreementCounterProposed"
	case events.AgreementAccepted:
		orgs, title = []string{ag.SupplierOrgID, ag.ReceiverOrgID}, "NoteAgreementSign"
	case events.AgreementSigned:
		orgs, title = []string{x.ToOrgID}, "NoteAgreementSign"
	case events.AgreementSealed:
		orgs, title = []string{ag.SupplierOrgID, ag.ReceiverOrgID}, "NoteAgreementSealed"
	default:
		return nil
	}
	for _, org := range orgs {
		var admins []string
		if err := tx.Table("memberships").Where("organization_id = ? AND status = ? AND role = ?", org, directory.StatusApproved, directory.AdminRole).
			Pluck("user_id", &admins).Error; err != nil {
			return err
		}
		if len(admins) == 0 {
			continue
		}
		if _, sealed := e.(events.AgreementSealed); !sealed && title == "NoteAgreementSign" {
			// Only those who have not signed this version yet.
			var done int64
			if err := tx.Model(&Signature{}).Where("agreement_id = ? AND version = ? AND organization_id = ?", ag.ID, ag.Version, org).Count(&done).Error; err != nil {
				return err
			}
			if done > 0 {
				continue
			}
		}
		v := strconv.Itoa(ag.Version)
		if err := notify.Tx(tx, notify.Note{UserIDs: admins, Except: author, Kind: "agreement", Title: title,
			Data: map[string]string{"Number": ag.Number}, Link: "/agreements/" + ag.ID,
			Source: "agreement:" + ag.ID + ":" + v + ":" + e.EventType() + ":" + org, Mail: true}); err != nil {
			return err
		}
	}
	return nil
}
