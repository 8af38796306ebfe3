package kratos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	ory "github.com/ory/client-go"

	"github.com/masseflyt/masseflyt/core/auth"
)

// maxListedSessions bounds the sessions the settings page lists.
const maxListedSessions = 100

// OtherSessions lists the caller's other active sessions (Kratos' GET
// /sessions, which leaves out the current one).
func (k *Kratos) OtherSessions(ctx context.Context, c auth.Credentials) ([]auth.DeviceSession, error) {
	req := k.client.FrontendAPI.ListMySessions(ctx).PageSize(maxListedSessions)
	if c.SessionToken != "" {
		req = req.XSessionToken(c.SessionToken)
	} else {
		req = req.Cookie(kratosCookies(c.CookieHeader))
	}
	list, resp, err := req.Execute()
	if err := sessionsErr(resp, err); err != nil {
		return nil, err
	}
	out := make([]auth.DeviceSession, 0, len(list))
	for _, s := range list {
		if s.Active != nil && !*s.Active {
			continue
		}
		d := auth.DeviceSession{ID: s.Id}
		if s.AuthenticatedAt != nil {
			d.AuthenticatedAt = *s.AuthenticatedAt
		}
		if s.ExpiresAt != nil {
			d.ExpiresAt = *s.ExpiresAt
		}
		if s.AuthenticatorAssuranceLevel != nil {
			d.AAL = string(*s.AuthenticatorAssuranceLevel)
		}
		// The device Kratos saw last.
		if n := len(s.Devices); n > 0 {
			dev := s.Devices[n-1]
			d.IP, d.UserAgent, d.Location = deref(dev.IpAddress), deref(dev.UserAgent), deref(dev.Location)
		}
		out = append(out, d)
	}
	return out, nil
}

// EndSession logs out one of the caller's other sessions.
func (k *Kratos) EndSession(ctx context.Context, c auth.Credentials, id string) error {
	req := k.client.FrontendAPI.DisableMySession(ctx, id)
	if c.SessionToken != "" {
		req = req.XSessionToken(c.SessionToken)
	} else {
		req = req.Cookie(kratosCookies(c.CookieHeader))
	}
	resp, err := req.Execute()
	if err := sessionsErr(resp, err); err != nil {
		return err
	}
	if me, _ := k.Authenticate(ctx, c); me != nil {
		k.cache.drop(func(s *auth.Session) bool { return s.Subject == me.Subject && s.ID == id })
	}
	return nil
}

// EndOtherSessions logs out all of the caller's other sessions.
func (k *Kratos) EndOtherSessions(ctx context.Context, c auth.Credentials) (int, error) {
	req := k.client.FrontendAPI.DisableMyOtherSessions(ctx)
	if c.SessionToken != "" {
		req = req.XSessionToken(c.SessionToken)
	} else {
		req = req.Cookie(kratosCookies(c.CookieHeader))
	}
	n, resp, err := req.Execute()
	if err := sessionsErr(resp, err); err != nil {
		return 0, err
	}
	if me, _ := k.Authenticate(ctx, c); me != nil && me.ID != "" {
		k.cache.drop(func(s *auth.Session) bool { return s.Subject == me.Subject && s.ID != me.ID })
	}
	if n == nil || n.Count == nil {
		return 0, nil
	}
	return int(*n.Count), nil
}

// sessionsErr turns Kratos' answer to a /sessions call into nil, a
// *auth.FlowError (401, 403, 404, 400) or ErrProviderUnavailable.
func sessionsErr(resp *http.Response, err error) error {
	if resp != nil && resp.StatusCode < 300 && err == nil {
		return nil
	}
	if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 {
		fe := &auth.FlowError{Status: resp.StatusCode}
		var oerr *ory.GenericOpenAPIError
		if errors.As(err, &oerr) {
			var eb errorBody
			if json.Unmarshal(oerr.Body(), &eb) == nil {
				fe.ErrorID, fe.Reason = eb.Error.ID, eb.Error.Reason
			}
		}
		return fe
	}
	if err == nil {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return fmt.Errorf("%w: %v", auth.ErrProviderUnavailable, err)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var _ auth.Sessions = (*Kratos)(nil)
