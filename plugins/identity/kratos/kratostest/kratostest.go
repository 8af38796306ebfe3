// Package kratostest is a fake Ory Kratos public API for tests: sessions
// (whoami) and the browser self-service flows, served in the shapes
// recorded from Kratos v1.3.1 (../testdata). It implements enough of the
// browser flow for the platform's pages: create a flow (CSRF cookie,
// redirect to the UI URL), get it (the CSRF cookie must match), submit it
// (the CSRF token must match; a used or expired flow is refused) and log
// in with a session cookie. Registration makes an unverified identity;
// the verification code verifies it; TOTP is set up and used with a fixed
// code.
package kratostest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Codes the fake accepts.
const (
	TOTPCode   = "123456"
	VerifyCode = "246810"
	// CSRFCookie is the fake's CSRF cookie (Kratos names it csrf_token_<hash>).
	CSRFCookie = "csrf_token_fake"
	// SessionCookie is Kratos' session cookie.
	SessionCookie = "ory_kratos_session"
)

// Identity is a fake Kratos identity.
type Identity struct {
	ID, Email, Name, Password string
	Verified                  bool
	TOTP                      bool
}

type session struct {
	token, identity, aal string
	expires              time.Time
	// id is the session's ID (GET /sessions), issued when it was made.
	id     string
	issued time.Time
	// device is the user agent given to SessionOn (empty: a test's).
	device string
}

type flow struct {
	id, kind, csrf, returnTo, aal string
	identity                      string // settings: whose
	expires                       time.Time
	used                          bool
	state                         string
	messages                      []map[string]any
	nodeMessages                  map[string][]map[string]any
}

// Fake is a running fake Kratos.
type Fake struct {
	URL string
	// UI is the platform's base URL: Kratos' selfservice UI URLs are
	// UI+"/login" and so on.
	UI string
	// WhoamiHighest makes whoami demand the highest available AAL (Kratos'
	// session.whoami.required_aal: highest_available): an AAL1 session of an
	// identity with TOTP gets 403 session_aal2_required.
	WhoamiHighest bool
	// Down makes every call fail with 503.
	Down atomic.Bool
	// Whoami counts session lookups.
	Whoami atomic.Int64
	// Now is the fake's clock (flow expiry).
	Now func() time.Time

	srv        *httptest.Server
	mu         sync.Mutex
	identities map[string]*Identity
	sessions   map[string]*session
	flows      map[string]*flow
	errors     map[string]map[string]any
}

// New starts a fake; ui is the platform's base URL (may be set later).
func New(ui string) *Fake {
	f := &Fake{UI: strings.TrimRight(ui, "/"), Now: time.Now, identities: map[string]*Identity{}, sessions: map[string]*session{}, flows: map[string]*flow{}, errors: map[string]map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	return f
}

// Close stops the fake.
func (f *Fake) Close() { f.srv.Close() }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

func token() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AddIdentity stores an identity and returns it (ID filled in).
func (f *Fake) AddIdentity(id Identity) *Identity {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id.ID == "" {
		id.ID = newID()
	}
	f.identities[id.ID] = &id
	return &id
}

// Identity returns a copy of the identity with email.
func (f *Fake) Identity(email string) (Identity, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, i := range f.identities {
		if strings.EqualFold(i.Email, email) {
			return *i, true
		}
	}
	return Identity{}, false
}

// Session makes a session for an identity and returns its token (the
// cookie value and the X-Session-Token are the same here).
func (f *Fake) Session(identityID, aal string) string {
	return f.SessionOn(identityID, aal, "")
}

// SessionOn makes a session as Session does, on a device (the user agent
// GET /sessions reports).
func (f *Fake) SessionOn(identityID, aal, device string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := "ory_st_" + token()
	f.sessions[t] = &session{token: t, identity: identityID, aal: aal, expires: f.Now().Add(24 * time.Hour), id: newID(), issued: f.Now(), device: device}
	return t
}

// sessionsAPI is Kratos' GET /sessions (the caller's other active
// sessions, in the recorded session shape with its devices), DELETE
// /sessions (all of them: {"count": n}) and DELETE /sessions/{id} (one of
// them; the current one is refused with 400).
func (f *Fake) sessionsAPI(w http.ResponseWriter, r *http.Request) {
	me := f.sessionOf(r)
	if me == nil {
		writeJSON(w, 401, Recording("whoami_401.json"))
		return
	}
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/sessions"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.Now()
	var others []*session
	for _, s := range f.sessions {
		if s.identity == me.identity && s.token != me.token && now.Before(s.expires) {
			others = append(others, s)
		}
	}
	switch {
	case r.Method == "GET" && id == "":
		out := []map[string]any{}
		for _, s := range others {
			m := Recording("session_aal1.json")
			delete(m, "identity")
			m["id"], m["authenticator_assurance_level"] = s.id, s.aal
			m["authenticated_at"], m["issued_at"], m["expires_at"] = s.issued.UTC().Format(time.RFC3339), s.issued.UTC().Format(time.RFC3339), s.expires.UTC().Format(time.RFC3339)
			m["devices"] = []map[string]any{{"id": newID(), "ip_address": "192.0.2.10", "user_agent": s.device, "location": "Oslo, NO"}}
			out = append(out, m)
		}
		writeJSON(w, 200, out)
	case r.Method == "DELETE" && id == "":
		for _, s := range others {
			delete(f.sessions, s.token)
		}
		writeJSON(w, 200, map[string]any{"count": len(others)})
	case r.Method == "DELETE" && id == me.id:
		writeJSON(w, 400, kerr(400, "", "you tried to invalidate the session you are currently using"))
	case r.Method == "DELETE":
		for _, s := range others {
			if s.id == id {
				delete(f.sessions, s.token)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		writeJSON(w, 404, kerr(404, "", "session not found"))
	default:
		writeJSON(w, 405, kerr(405, "", "method not allowed"))
	}
}

// Recording reads a recorded Kratos shape from ../testdata.
func Recording(name string) map[string]any {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", name))
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func kerr(status int, id, reason string) map[string]any {
	return map[string]any{"error": map[string]any{"id": id, "code": status, "status": http.StatusText(status), "reason": reason, "message": reason}}
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if f.Down.Load() {
		writeJSON(w, 503, kerr(503, "", "down"))
		return
	}
	p := r.URL.Path
	switch {
	case p == "/sessions/whoami":
		f.whoami(w, r)
	case p == "/sessions" || strings.HasPrefix(p, "/sessions/"):
		f.sessionsAPI(w, r)
	case p == "/self-service/errors":
		f.mu.Lock()
		e, ok := f.errors[r.URL.Query().Get("id")]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, 404, kerr(404, "", "not found"))
			return
		}
		writeJSON(w, 200, map[string]any{"id": r.URL.Query().Get("id"), "error": e})
	case p == "/self-service/logout/browser":
		s := f.sessionOf(r)
		if s == nil {
			writeJSON(w, 401, kerr(401, "session_inactive", "no session"))
			return
		}
		writeJSON(w, 200, map[string]any{"logout_url": f.URL + "/self-service/logout?token=" + s.token + "&return_to=" + url.QueryEscape(r.URL.Query().Get("return_to")), "logout_token": s.token})
	case p == "/self-service/logout":
		f.mu.Lock()
		delete(f.sessions, r.URL.Query().Get("token"))
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
		rt := r.URL.Query().Get("return_to")
		if rt == "" {
			rt = f.UI + "/"
		}
		http.Redirect(w, r, rt, http.StatusSeeOther)
	case strings.HasPrefix(p, "/self-service/") && strings.HasSuffix(p, "/browser"):
		f.create(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/self-service/"), "/browser"))
	case strings.HasPrefix(p, "/self-service/") && strings.HasSuffix(p, "/flows"):
		f.get(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/self-service/"), "/flows"))
	case strings.HasPrefix(p, "/self-service/") && r.Method == "POST":
		f.submit(w, r, strings.TrimPrefix(p, "/self-service/"))
	case p == "/.well-known/ory/webauthn.js":
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Access-Control-Allow-Origin", "*") // the script node says crossorigin="anonymous"
		_, _ = w.Write([]byte("window.oryWebAuthnRegistration = function () { document.body.dataset.webauthn = 'called' };\n"))
	default:
		writeJSON(w, 404, kerr(404, "", "not found"))
	}
}

func (f *Fake) sessionOf(r *http.Request) *session {
	t := r.Header.Get("X-Session-Token")
	if c, err := r.Cookie(SessionCookie); t == "" && err == nil {
		t = c.Value
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[t]
	if !ok || !f.Now().Before(s.expires) {
		return nil
	}
	cp := *s
	return &cp
}

func (f *Fake) whoami(w http.ResponseWriter, r *http.Request) {
	f.Whoami.Add(1)
	s := f.sessionOf(r)
	if s == nil {
		writeJSON(w, 401, Recording("whoami_401.json"))
		return
	}
	f.mu.Lock()
	id := *f.identities[s.identity]
	f.mu.Unlock()
	if f.WhoamiHighest && id.TOTP && s.aal != "aal2" {
		b := kerr(403, "session_aal2_required", "An active session was found but it does not fulfil the Authenticator Assurance Level, implying that the session must (e.g.) authenticate the second factor.")
		b["redirect_browser_to"] = f.URL + "/self-service/login/browser?aal=aal2"
		writeJSON(w, 403, b)
		return
	}
	writeJSON(w, 200, f.sessionJSON(s, &id))
}

func (f *Fake) sessionJSON(s *session, id *Identity) map[string]any {
	m := Recording("session_aal1.json")
	m["id"] = s.id
	m["authenticator_assurance_level"] = s.aal
	m["expires_at"] = s.expires.UTC().Format(time.RFC3339)
	ident := m["identity"].(map[string]any)
	ident["id"] = id.ID
	ident["traits"] = map[string]any{"email": id.Email, "name": id.Name}
	status := "pending"
	if id.Verified {
		status = "completed"
	}
	ident["verifiable_addresses"] = []any{map[string]any{"id": newID(), "value": id.Email, "verified": id.Verified, "via": "email", "status": status}}
	return m
}

func (f *Fake) create(w http.ResponseWriter, r *http.Request, kind string) {
	q := r.URL.Query()
	fl := &flow{id: newID(), kind: kind, csrf: token(), returnTo: q.Get("return_to"), aal: "aal1", expires: f.Now().Add(10 * time.Minute), state: "choose_method", nodeMessages: map[string][]map[string]any{}}
	s := f.sessionOf(r)
	switch kind {
	case "login":
		if q.Get("aal") == "aal2" {
			if s == nil {
				http.Redirect(w, r, f.UI+"/login?return_to="+url.QueryEscape(fl.returnTo), http.StatusSeeOther)
				return
			}
			fl.aal, fl.identity = "aal2", s.identity
		} else if s != nil && q.Get("refresh") != "true" {
			http.Redirect(w, r, f.returnURL(fl), http.StatusSeeOther) // session_already_available
			return
		}
	case "settings":
		if s == nil {
			http.Redirect(w, r, f.UI+"/login?return_to="+url.QueryEscape(f.UI+"/settings"), http.StatusSeeOther)
			return
		}
		fl.identity = s.identity
	case "registration", "recovery", "verification":
	default:
		writeJSON(w, 404, kerr(404, "", "no such flow"))
		return
	}
	f.mu.Lock()
	f.flows[fl.id] = fl
	f.mu.Unlock()
	c := csrfCookieValue(r)
	if c == "" {
		http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: fl.csrf, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	} else {
		fl.csrf = c // Kratos keeps one CSRF cookie per browser
	}
	http.Redirect(w, r, f.UI+"/"+kind+"?flow="+fl.id, http.StatusSeeOther)
}

func csrfCookieValue(r *http.Request) string {
	if c, err := r.Cookie(CSRFCookie); err == nil {
		return c.Value
	}
	return ""
}

func (f *Fake) returnURL(fl *flow) string {
	if fl.returnTo != "" {
		return fl.returnTo
	}
	return f.UI + "/"
}

// lookup finds a live flow of kind; an error body and status otherwise.
func (f *Fake) lookup(id, kind string) (*flow, int, map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.flows[id]
	if !ok || fl.kind != kind {
		return nil, 404, kerr(404, "self_service_flow_not_found", "The requested resource could not be found")
	}
	if fl.used || !f.Now().Before(fl.expires) {
		b := kerr(410, "self_service_flow_expired", "The self-service flow expired, initialize a new one.")
		b["expired_at"] = fl.expires.UTC().Format(time.RFC3339)
		return fl, 410, b
	}
	return fl, 200, nil
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request, kind string) {
	fl, status, body := f.lookup(r.URL.Query().Get("id"), kind)
	if status != 200 {
		writeJSON(w, status, body)
		return
	}
	if csrfCookieValue(r) != fl.csrf {
		writeJSON(w, 403, kerr(403, "security_csrf_violation", "Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues."))
		return
	}
	writeJSON(w, 200, f.flowJSON(fl))
}

// Expire makes every flow expired (tests of expired flows).
func (f *Fake) Expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fl := range f.flows {
		fl.expires = f.Now().Add(-time.Minute)
	}
}

func (f *Fake) flowJSON(fl *flow) map[string]any {
	name := "flow_" + fl.kind + ".json"
	if fl.kind == "login" && fl.aal == "aal2" {
		name = "flow_login_aal2.json"
	}
	m := Recording(name)
	m["id"] = fl.id
	m["expires_at"] = fl.expires.UTC().Format(time.RFC3339)
	m["issued_at"] = fl.expires.Add(-10 * time.Minute).UTC().Format(time.RFC3339)
	m["request_url"] = f.URL + "/self-service/" + fl.kind + "/browser"
	m["return_to"] = fl.returnTo
	m["state"] = fl.state
	if fl.kind == "login" {
		m["requested_aal"] = fl.aal
	}
	ui := m["ui"].(map[string]any)
	ui["action"] = f.URL + "/self-service/" + fl.kind + "?flow=" + fl.id
	ui["method"] = "POST"
	if fl.messages != nil {
		ui["messages"] = fl.messages
	}
	var ident *Identity
	f.mu.Lock()
	if fl.identity != "" {
		if i, ok := f.identities[fl.identity]; ok {
			cp := *i
			ident = &cp
		}
	}
	f.mu.Unlock()
	for _, n := range ui["nodes"].([]any) {
		node := n.(map[string]any)
		a := node["attributes"].(map[string]any)
		name, _ := a["name"].(string)
		switch {
		case name == "csrf_token":
			a["value"] = fl.csrf
		case name == "traits.email" && ident != nil:
			a["value"] = ident.Email
		case a["id"] == "totp_qr":
			a["src"] = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
		case a["id"] == "totp_secret_key":
			a["text"] = map[string]any{"id": 1050006, "text": "JBSWY3DPEHPK3PXP", "type": "info", "context": map[string]any{"secret": "JBSWY3DPEHPK3PXP"}}
		case a["node_type"] == "script":
			a["src"] = f.URL + "/.well-known/ory/webauthn.js"
			a["integrity"] = ""
			a["nonce"] = "fake-nonce"
		case name == "email" && a["type"] == "submit" && ident != nil:
			a["value"] = ident.Email
		}
		if msgs, ok := fl.nodeMessages[name]; ok && node["type"] == "input" && a["type"] != "submit" {
			node["messages"] = msgs
		}
	}
	return m
}

func msg(id int, text, typ string) map[string]any {
	return map[string]any{"id": id, "text": text, "type": typ}
}

// submit completes a flow the way the browser posts it.
func (f *Fake) submit(w http.ResponseWriter, r *http.Request, kind string) {
	_ = r.ParseForm()
	id := r.URL.Query().Get("flow")
	fl, status, _ := f.lookup(id, kind)
	switch {
	case status == 404:
		f.browserError(w, r, 404, "self_service_flow_not_found", "The flow could not be found.")
		return
	case status == 410:
		// Kratos starts a new flow with message 4010001 (…expired).
		nf := &flow{id: newID(), kind: kind, csrf: fl.csrf, returnTo: fl.returnTo, aal: fl.aal, identity: fl.identity, expires: f.Now().Add(10 * time.Minute), state: "choose_method",
			nodeMessages: map[string][]map[string]any{}, messages: []map[string]any{msg(map[string]int{"login": 4010001, "registration": 4040001, "settings": 4050001, "recovery": 4060005, "verification": 4070005}[kind], "The flow expired, please try again.", "error")}}
		f.mu.Lock()
		f.flows[nf.id] = nf
		f.mu.Unlock()
		http.Redirect(w, r, f.UI+"/"+kind+"?flow="+nf.id, http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("csrf_token") != fl.csrf || csrfCookieValue(r) != fl.csrf {
		f.browserError(w, r, 403, "security_csrf_violation", "The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF).")
		return
	}
	back := func() { http.Redirect(w, r, f.UI+"/"+kind+"?flow="+fl.id, http.StatusSeeOther) }
	f.mu.Lock()
	fl.messages, fl.nodeMessages = nil, map[string][]map[string]any{}
	f.mu.Unlock()
	form := r.PostForm
	switch kind {
	case "login":
		if fl.aal == "aal2" {
			ident, _ := f.identityByID(fl.identity)
			if form.Get("method") != "totp" || !ident.TOTP || form.Get("totp_code") != TOTPCode {
				f.setNodeMsg(fl, "totp_code", msg(4000008, "The provided authentication code is invalid, please try again.", "error"))
				back()
				return
			}
			f.finishLogin(w, r, fl, ident.ID, "aal2")
			return
		}
		ident, ok := f.Identity(form.Get("identifier"))
		if !ok || ident.Password == "" || ident.Password != form.Get("password") {
			f.setMsgs(fl, msg(4000006, "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.", "error"))
			back()
			return
		}
		f.finishLogin(w, r, fl, ident.ID, "aal1")
	case "registration":
		email := strings.TrimSpace(form.Get("traits.email"))
		if _, taken := f.Identity(email); taken {
			f.setMsgs(fl, msg(4000007, "An account with the same identifier (email, phone, username, ...) exists already.", "error"))
			back()
			return
		}
		if email == "" || len(form.Get("password")) < 8 {
			f.setNodeMsg(fl, "password", msg(4000032, "The password must be at least 8 characters long.", "error"))
			back()
			return
		}
		name, _, _ := strings.Cut(email, "@")
		ident := f.AddIdentity(Identity{Email: email, Name: name, Password: form.Get("password")})
		t := f.Session(ident.ID, "aal1")
		f.markUsed(fl)
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		// show_verification_ui: a verification flow, code sent.
		vf := &flow{id: newID(), kind: "verification", csrf: fl.csrf, returnTo: fl.returnTo, identity: ident.ID, expires: f.Now().Add(10 * time.Minute), state: "sent_email", nodeMessages: map[string][]map[string]any{},
			messages: []map[string]any{msg(1080003, "An email containing a verification code has been sent to the email address you provided.", "info")}}
		f.mu.Lock()
		f.flows[vf.id] = vf
		f.mu.Unlock()
		http.Redirect(w, r, f.UI+"/verification?flow="+vf.id, http.StatusSeeOther)
	case "verification":
		if form.Get("code") != VerifyCode {
			f.setMsgs(fl, msg(4070006, "The verification code is invalid or has already been used. Please try again.", "error"))
			back()
			return
		}
		f.mu.Lock()
		if i, ok := f.identities[fl.identity]; ok {
			i.Verified = true
		} else if s := f.sessionLocked(r); s != nil {
			f.identities[s.identity].Verified = true
		}
		fl.state, fl.messages = "passed_challenge", []map[string]any{msg(1080002, "You successfully verified your email address.", "success")}
		f.mu.Unlock()
		back()
	case "settings":
		f.mu.Lock()
		ident := f.identities[fl.identity]
		f.mu.Unlock()
		switch form.Get("method") {
		case "totp":
			if form.Get("totp_code") != TOTPCode {
				f.setNodeMsg(fl, "totp_code", msg(4000008, "The provided authentication code is invalid, please try again.", "error"))
				back()
				return
			}
			f.mu.Lock()
			ident.TOTP = true
			f.mu.Unlock()
		case "password":
			f.mu.Lock()
			ident.Password = form.Get("password")
			f.mu.Unlock()
		}
		f.setMsgs(fl, msg(1050001, "Your changes have been saved!", "success"))
		back()
	case "recovery":
		f.setMsgs(fl, msg(1060003, "An email containing a recovery code has been sent to the email address you provided.", "info"))
		back()
	}
}

func (f *Fake) sessionLocked(r *http.Request) *session {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return f.sessions[c.Value]
	}
	return nil
}

func (f *Fake) identityByID(id string) (Identity, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.identities[id]
	if !ok {
		return Identity{}, false
	}
	return *i, true
}

func (f *Fake) setMsgs(fl *flow, m ...map[string]any) {
	f.mu.Lock()
	fl.messages = m
	f.mu.Unlock()
}

func (f *Fake) setNodeMsg(fl *flow, node string, m map[string]any) {
	f.mu.Lock()
	fl.nodeMessages[node] = []map[string]any{m}
	f.mu.Unlock()
}

func (f *Fake) markUsed(fl *flow) {
	f.mu.Lock()
	fl.used = true
	f.mu.Unlock()
}

func (f *Fake) finishLogin(w http.ResponseWriter, r *http.Request, fl *flow, identity, aal string) {
	f.markUsed(fl)
	t := ""
	if s := f.sessionOf(r); s != nil && s.identity == identity {
		f.mu.Lock()
		f.sessions[s.token].aal = aal
		f.mu.Unlock()
		t = s.token
	} else {
		t = f.Session(identity, aal)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, f.returnURL(fl), http.StatusSeeOther)
}

// browserError stores a self-service error and sends the browser to the
// error UI (Kratos' selfservice.flows.error.ui_url).
func (f *Fake) browserError(w http.ResponseWriter, r *http.Request, status int, id, reason string) {
	eid := newID()
	f.mu.Lock()
	f.errors[eid] = map[string]any{"id": id, "code": status, "status": http.StatusText(status), "reason": reason, "message": reason}
	f.mu.Unlock()
	http.Redirect(w, r, fmt.Sprintf("%s/error?id=%s", f.UI, eid), http.StatusSeeOther)
}
