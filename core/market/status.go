package market

import "github.com/masseflyt/masseflyt/core/fail"

// Status is where a listing is in its lifecycle.
type Status string

// Listing statuses. Expired is never stored: it is derived on read
// (Listing.AfterFind) for an open listing whose window has passed.
const (
	StatusDraft         Status = "draft"
	StatusPublished     Status = "published"
	StatusPartlyMatched Status = "partly_matched"
	StatusFullyMatched  Status = "fully_matched"
	StatusClosed        Status = "closed"
	StatusExpired       Status = "expired"
)

// Statuses lists every status (for the API document and the UI labels).
var Statuses = []string{string(StatusDraft), string(StatusPublished), string(StatusPartlyMatched), string(StatusFullyMatched), string(StatusClosed), string(StatusExpired)}

// OpenStatuses are the statuses in which a listing takes part in matching
// (as stored, for queries).
var OpenStatuses = []string{string(StatusPublished), string(StatusPartlyMatched)}

// transitions is the one table of the status changes a user may make: from a
// status, the statuses it may be set to. A status missing from the table, or
// with no targets, is final. Partly and fully agreed follow from signed
// agreements (agreed.go) and are no one's to set by hand.
var transitions = map[Status][]Status{
	StatusDraft:         {StatusPublished, StatusClosed},
	StatusPublished:     {StatusPublished, StatusClosed},
	StatusPartlyMatched: {StatusClosed},
	StatusFullyMatched:  {StatusClosed},
	StatusClosed:        nil,
	StatusExpired:       nil,
}

// Settable reports whether a status can be the target of a change (the API's
// and the UI's status actions).
func (s Status) Settable() bool {
	for _, to := range transitions[StatusPublished] {
		if s == to {
			return true
		}
	}
	return false
}

// Open reports whether a listing in this status takes part in matching.
func (s Status) Open() bool { return s == StatusPublished || s == StatusPartlyMatched }

// CanBecome checks a change from s to to against the transition table. A
// final status answers ErrListingClosed; a draft cannot be marked matched
// (ErrListingDraft).
func (s Status) CanBecome(to Status) error {
	targets := transitions[s]
	for _, t := range targets {
		if t == to {
			return nil
		}
	}
	if len(targets) == 0 {
		return fail.ConflictErr("ErrListingClosed")
	}
	if to == StatusPartlyMatched || to == StatusFullyMatched || s == StatusPartlyMatched || s == StatusFullyMatched {
		return fail.ConflictErr("ErrListingAgreedBySigning")
	}
	return fail.ConflictErr("ErrListingDraft")
}
