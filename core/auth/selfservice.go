package auth

import (
	"context"
	"net/url"
	"time"
)

// Self-service flows (Ory Kratos): the provider runs login, registration,
// settings, recovery and verification; the platform renders each flow's
// UI nodes in its own pages, and the browser posts the forms straight to
// the provider.

// FlowKinds are the self-service flows the platform renders.
var FlowKinds = []string{"login", "registration", "settings", "recovery", "verification"}

// SelfService is implemented by identity providers with browser flows.
type SelfService interface {
	// Flow fetches a flow of kind by ID with the browser's cookies; a
	// *FlowError says why not (expired, CSRF, not logged in).
	Flow(ctx context.Context, kind, id, cookie string) (*Flow, error)
	// StartURL starts a new browser flow of kind (query: return_to, aal,
	// refresh).
	StartURL(kind string, q url.Values) string
	// FlowErrorDetail fetches a self-service error by ID (/error?id=…).
	FlowErrorDetail(ctx context.Context, id string) (*FlowError, error)
	// Origin is the provider's browser origin (forms post there).
	Origin() string
}

// Flow is a self-service flow as the provider describes it.
type Flow struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	ExpiresAt    time.Time `json:"expires_at"`
	IssuedAt     time.Time `json:"issued_at"`
	RequestURL   string    `json:"request_url"`
	ReturnTo     string    `json:"return_to"`
	RequestedAAL string    `json:"requested_aal"`
	Refresh      bool      `json:"refresh"`
	State        any       `json:"state"`
	UI           FlowUI    `json:"ui"`
}

// FlowUI is a flow's form: where it posts and its nodes.
type FlowUI struct {
	Action   string        `json:"action"`
	Method   string        `json:"method"`
	Nodes    []Node        `json:"nodes"`
	Messages []FlowMessage `json:"messages"`
}

// Node is one UI node (input, img, text, script, a).
type Node struct {
	Type       string        `json:"type"`
	Group      string        `json:"group"`
	Attributes NodeAttrs     `json:"attributes"`
	Messages   []FlowMessage `json:"messages"`
	Meta       struct {
		Label *FlowMessage `json:"label"`
	} `json:"meta"`
}

// NodeAttrs are the attributes of every node type, flattened.
type NodeAttrs struct {
	NodeType     string `json:"node_type"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Value        any    `json:"value"`
	Required     bool   `json:"required"`
	Disabled     bool   `json:"disabled"`
	Autocomplete string `json:"autocomplete"`
	Pattern      string `json:"pattern"`
	// OnclickTrigger / OnloadTrigger name a function of the provider's
	// script (WebAuthn); Onclick is the older inline form.
	OnclickTrigger string       `json:"onclickTrigger"`
	OnloadTrigger  string       `json:"onloadTrigger"`
	Onclick        string       `json:"onclick"`
	ID             string       `json:"id"`
	Text           *FlowMessage `json:"text"`
	Src            string       `json:"src"`
	Href           string       `json:"href"`
	Title          *FlowMessage `json:"title"`
	Width          int          `json:"width"`
	Height         int          `json:"height"`
	Async          bool         `json:"async"`
	Crossorigin    string       `json:"crossorigin"`
	Integrity      string       `json:"integrity"`
	Nonce          string       `json:"nonce"`
	Referrerpolicy string       `json:"referrerpolicy"`
}

// FlowMessage is a provider message: a stable numeric ID (translated where
// we know it), its English text and type (info, error, success).
type FlowMessage struct {
	ID      int64          `json:"id"`
	Text    string         `json:"text"`
	Type    string         `json:"type"`
	Context map[string]any `json:"context"`
}

// FlowError is why a flow could not be shown: Status and the provider's
// error ID (self_service_flow_expired, security_csrf_violation,
// session_aal2_required, …), and where the browser should go instead.
type FlowError struct {
	Status     int
	ErrorID    string
	Reason     string
	RedirectTo string
	UseFlowID  string
}

func (e *FlowError) Error() string { return "self-service flow: " + e.ErrorID + " " + e.Reason }

// Sessions is implemented by identity providers that let people see the
// other devices they are logged in on and log those out (Kratos' GET and
// DELETE /sessions with the browser's cookie). Errors are
// ErrProviderUnavailable, or a *FlowError (401: not logged in; 404: no
// such session).
type Sessions interface {
	// OtherSessions lists the caller's active sessions but the current one.
	OtherSessions(ctx context.Context, c Credentials) ([]DeviceSession, error)
	// EndSession logs out one of them.
	EndSession(ctx context.Context, c Credentials, id string) error
	// EndOtherSessions logs out all of them and says how many there were.
	EndOtherSessions(ctx context.Context, c Credentials) (int, error)
}

// DeviceSession is one of a person's sessions as the settings page lists
// it: when it logged in, at which level, and the device's address and
// browser as the provider saw them last.
type DeviceSession struct {
	ID              string
	AuthenticatedAt time.Time
	ExpiresAt       time.Time
	AAL             string
	IP, UserAgent   string
	Location        string
}
