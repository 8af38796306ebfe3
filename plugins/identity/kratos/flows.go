package kratos

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/masseflyt/masseflyt/core/auth"
)

// Flow fetches a self-service flow for the platform's page, with the
// browser's Kratos cookies (the CSRF cookie and the session).
func (k *Kratos) Flow(ctx context.Context, kind, id, cookie string) (*auth.Flow, error) {
	if !slices.Contains(auth.FlowKinds, kind) {
		return nil, &auth.FlowError{Status: 404, ErrorID: "self_service_flow_not_found"}
	}
	var f auth.Flow
	if err := k.getJSON(ctx, "/self-service/"+kind+"/flows", url.Values{"id": {id}}, flowCookies(cookie), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// FlowErrorDetail fetches a self-service error (Kratos' error UI URL gets
// ?id=…).
func (k *Kratos) FlowErrorDetail(ctx context.Context, id string) (*auth.FlowError, error) {
	var body struct {
		ID    string `json:"id"`
		Error struct {
			ID     string `json:"id"`
			Code   int    `json:"code"`
			Reason string `json:"reason"`
			Msg    string `json:"message"`
		} `json:"error"`
	}
	if err := k.getJSON(ctx, "/self-service/errors", url.Values{"id": {id}}, "", &body); err != nil {
		return nil, err
	}
	return &auth.FlowError{Status: body.Error.Code, ErrorID: body.Error.ID, Reason: body.Error.Reason}, nil
}

// StartURL is where the browser starts a new flow at Kratos.
func (k *Kratos) StartURL(kind string, q url.Values) string {
	u := k.BrowserURL + "/self-service/" + kind + "/browser"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Origin is Kratos' browser origin (the forms' action).
func (k *Kratos) Origin() string {
	u, err := url.Parse(k.BrowserURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// flowCookies keeps Kratos' cookies: its session and its CSRF cookie.
func flowCookies(h string) string {
	var keep []string
	for _, part := range strings.Split(h, ";") {
		p := strings.TrimSpace(part)
		if strings.HasPrefix(p, "ory_") || strings.HasPrefix(p, "csrf_token") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "; ")
}
