package market

import (
	"encoding/json"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
)

// The market's events are written in the transaction of the change (the
// outbox of core/events) and delivered after it commits: a listing that
// opens, or changes while open, is announced (live views show it, match
// discovery runs for it); one that leaves the market is announced closed.

// publishedTx reads listing id back in tx and announces it when it is open
// (a draft or a closed listing that was edited is not announced).
func publishedTx(tx *gorm.DB, id string) error {
	var l Listing
	if err := withOwner(tx).Where("listings.id = ?", id).Take(&l).Error; err != nil {
		return err
	}
	if !l.Open() {
		return nil
	}
	return Announce(tx, &l, false)
}

// statusChangedTx reads listing id back in tx after a change of status and
// announces it: open (published, or only its status changed when
// statusOnly: nothing new to match) or closed.
func statusChangedTx(tx *gorm.DB, id string, statusOnly bool) error {
	var l Listing
	if err := withOwner(tx).Where("listings.id = ?", id).Take(&l).Error; err != nil {
		return err
	}
	if !l.Open() {
		return closedTx(tx, l.ID, l.Kind)
	}
	return Announce(tx, &l, statusOnly)
}

// Announce emits in tx that the open listing l is on the market, with its
// public form only (quantity band, ~1 km area unless the owner made the
// point public); a members-only listing with nothing of its content, so
// that the open live view cannot show it (M3). Bulk
// loads (the demo) use it to have their listings matched as publishing
// would.
func Announce(tx *gorm.DB, l *Listing, statusOnly bool) error {
	return announce(tx, events.ListingPublished{ListingID: l.ID, Kind: l.Kind, StatusOnly: statusOnly}, l)
}

func announce(tx *gorm.DB, e events.ListingPublished, l *Listing) error {
	if l.Visibility == "public" {
		b, err := json.Marshal(l.Public())
		if err != nil {
			return err
		}
		e.Listing = b
	} else {
		e.MembersOnly = true // no fractions, no quantity: the live view is open to all
	}
	return events.Emit(tx, e)
}

// closedTx announces in tx that a listing left the market.
func closedTx(tx *gorm.DB, id, kind string) error {
	return events.Emit(tx, events.ListingClosed{ListingID: id, Kind: kind})
}
