package market

import (
	"errors"
	"testing"

	"github.com/masseflyt/masseflyt/core/fail"
)

func TestStatusTransitions(t *testing.T) {
	all := []Status{StatusDraft, StatusPublished, StatusPartlyMatched, StatusFullyMatched, StatusClosed, StatusExpired}
	targets := []Status{StatusPublished, StatusPartlyMatched, StatusFullyMatched, StatusClosed}
	// want[from][to] is "" when allowed, else the message ID of the 409.
	want := map[Status]map[Status]string{
		// Partly and fully agreed follow from signed agreements (agreed.go).
		StatusDraft:         {StatusPublished: "", StatusPartlyMatched: "ErrListingAgreedBySigning", StatusFullyMatched: "ErrListingAgreedBySigning", StatusClosed: ""},
		StatusPublished:     {StatusPublished: "", StatusPartlyMatched: "ErrListingAgreedBySigning", StatusFullyMatched: "ErrListingAgreedBySigning", StatusClosed: ""},
		StatusPartlyMatched: {StatusPublished: "ErrListingAgreedBySigning", StatusPartlyMatched: "ErrListingAgreedBySigning", StatusFullyMatched: "ErrListingAgreedBySigning", StatusClosed: ""},
		StatusFullyMatched:  {StatusPublished: "ErrListingAgreedBySigning", StatusPartlyMatched: "ErrListingAgreedBySigning", StatusFullyMatched: "ErrListingAgreedBySigning", StatusClosed: ""},
		StatusClosed:        {StatusPublished: "ErrListingClosed", StatusPartlyMatched: "ErrListingClosed", StatusFullyMatched: "ErrListingClosed", StatusClosed: "ErrListingClosed"},
		StatusExpired:       {StatusPublished: "ErrListingClosed", StatusPartlyMatched: "ErrListingClosed", StatusFullyMatched: "ErrListingClosed", StatusClosed: "ErrListingClosed"},
	}
	for _, from := range all {
		for _, to := range targets {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := from.CanBecome(to)
				msg := want[from][to]
				if msg == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var fe *fail.Error
				if !errors.As(err, &fe) || fe.Kind != fail.Conflict || fe.Code != "conflict" || fe.MsgID != msg {
					t.Fatalf("got %#v, want 409 conflict %s", err, msg)
				}
			})
		}
	}
}

func TestStatusSettableAndOpen(t *testing.T) {
	for _, c := range []struct {
		s              Status
		settable, open bool
	}{
		{StatusDraft, false, false},
		{StatusPublished, true, true},
		{StatusPartlyMatched, false, true},
		{StatusFullyMatched, false, false},
		{StatusClosed, true, false},
		{StatusExpired, false, false},
		{"deleted", false, false},
	} {
		if got := c.s.Settable(); got != c.settable {
			t.Errorf("%s settable = %v", c.s, got)
		}
		if got := c.s.Open(); got != c.open {
			t.Errorf("%s open = %v", c.s, got)
		}
	}
	if len(Statuses) != 6 || len(OpenStatuses) != 2 {
		t.Errorf("statuses %v, open %v", Statuses, OpenStatuses)
	}
}
