package smtp

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/internal/testenv"
)

// The mail.smtp tests send to a real SMTP server, Mailpit, started on free
// ports in a temp dir, and read what it received through its HTTP API.

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mailpitBin finds the binary (PATH, then ~/go/bin) or needs it.
func mailpitBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	testenv.Need(t, "needs Mailpit (go install github.com/axllent/mailpit@v1.33.1)")
	return ""
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns the pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

// mailpit is a running Mailpit.
type mailpit struct {
	smtpPort int
	api      string
	pool     *x509.CertPool
}

// startMailpit starts Mailpit with STARTTLS required and any user and
// password accepted, plus the extra flags, and stops it when the test ends.
func startMailpit(t *testing.T, extra ...string) *mailpit {
	t.Helper()
	bin := mailpitBin(t)
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir)
	mp := &mailpit{smtpPort: freePort(t), pool: pool}
	httpPort := freePort(t)
	mp.api = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	args := append([]string{"--smtp", "127.0.0.1:" + strconv.Itoa(mp.smtpPort), "--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, "mp.db"), "--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-starttls",
		"--smtp-auth-accept-any", "--smtp-disable-rdns", "--quiet"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(mp.api + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return mp
}

func (mp *mailpit) mailer(t *testing.T) *Mailer {
	from, _ := mail.ParseAddress("Bærum ressursbank <noreply@baerum.masseflyt.test>")
	return &Mailer{Host: "127.0.0.1", Port: mp.smtpPort, StartTLS: true, Username: "masseflyt", Password: "hemmelig", From: from, Timeout: 10 * time.Second,
		Helo: "localhost", TLS: &tls.Config{RootCAs: mp.pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
		Now: func() time.Time { return time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC) }}
}

type received struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
	From struct {
		Address string `json:"Address"`
	} `json:"From"`
}

// messages reads the messages Mailpit holds, newest first.
func (mp *mailpit) messages(t *testing.T) []received {
	t.Helper()
	resp, err := http.Get(mp.api + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []received `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// message reads one message in full: its text and headers.
func (mp *mailpit) message(t *testing.T, id string) (text string, headers map[string][]string) {
	t.Helper()
	get := func(path string, v any) {
		resp, err := http.Get(mp.api + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var m struct {
		Text string `json:"Text"`
	}
	get("/api/v1/message/"+id, &m)
	get("/api/v1/message/"+id+"/headers", &headers)
	return m.Text, headers
}

// TestSendThroughMailpit: a message with Norwegian letters in the subject
// and the body reaches the server over STARTTLS with PLAIN authentication,
// addressed as sent, with a Message-ID, the Date of the platform's clock and
// its text intact (quoted-printable on the wire).
func TestSendThroughMailpit(t *testing.T) {
	mp := startMailpit(t)
	m := mp.mailer(t)
	subject := "Ny melding om «Sprengstein fra Fornebu» – ærlig, østlig, åpen"
	text := "Hei Kari!\n\nVi kan hente 2 000 t sprengstein i uke 12. Blåbærsyltetøy og grønnsaker.\nEn linje med . først:\n.punktum\n\nHilsen Ola"
	if err := m.Send(context.Background(), events.Message{To: "Kari Nordmann <kari@fornebu-anlegg.no>", Subject: subject, Text: text}); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.Subject != subject {
		t.Errorf("subject %q, want %q", got.Subject, subject)
	}
	if len(got.To) != 1 || got.To[0].Address != "kari@fornebu-anlegg.no" || got.From.Address != "noreply@baerum.masseflyt.test" {
		t.Errorf("addressed %+v from %+v", got.To, got.From)
	}
	body, headers := mp.message(t, got.ID)
	if strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")) != text {
		t.Errorf("body %q, want %q", body, text)
	}
	if h := headers["Content-Transfer-Encoding"]; len(h) != 1 || h[0] != "quoted-printable" {
		t.Errorf("transfer encoding %v", h)
	}
	if h := headers["Date"]; len(h) != 1 || !strings.Contains(h[0], "1 Mar 2027 09:30:00") {
		t.Errorf("date %v, want the clock's", h)
	}
	if h := headers["Message-Id"]; len(h) != 1 || !strings.HasSuffix(h[0], "@baerum.masseflyt.test>") {
		if h2 := headers["Message-ID"]; len(h2) != 1 || !strings.HasSuffix(h2[0], "@baerum.masseflyt.test>") {
			t.Errorf("message id %v %v", h, h2)
		}
	}
	if h := headers["Subject"]; len(h) != 1 || !strings.HasPrefix(h[0], "=?utf-8?q?") {
		t.Errorf("raw subject %v: want an encoded word", h)
	}
}

// TestFailures: a server that is not there is a temporary failure (the
// outbox retries it); a recipient the server refuses (5xx) is permanent; a
// server without STARTTLS is refused when it is required; an untrusted
// certificate is refused.
func TestFailures(t *testing.T) {
	ctx := context.Background()
	msg := events.Message{To: "kari@fornebu-anlegg.no", Subject: "Hei", Text: "Hei"}
	mp := startMailpit(t, "--smtp-allowed-recipients", `@fornebu-anlegg\.no$`)
	m := mp.mailer(t)

	down := *m
	down.Port = freePort(t)
	err := down.Send(ctx, msg)
	var se *Error
	if err == nil || !errors.As(err, &se) || se.Permanent() {
		t.Errorf("server down: %v, want a temporary error", err)
	}

	refused := msg
	refused.To = "ukjent@example.org"
	err = m.Send(ctx, refused)
	if err == nil || !errors.As(err, &se) || !se.Permanent() {
		t.Errorf("refused recipient: %v, want a permanent error", err)
	}

	untrusted := *m
	untrusted.TLS = &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if err := untrusted.Send(ctx, msg); err == nil {
		t.Error("an untrusted certificate was accepted")
	}

	bad := msg
	bad.To = "kari@fornebu-anlegg.no\r\nBcc: alle@example.org"
	if err := m.Send(ctx, bad); err == nil || !errors.As(err, &se) || !se.Permanent() {
		t.Errorf("header injection: %v", err)
	}
	bad = msg
	bad.Subject = "Hei\r\nBcc: alle@example.org"
	if err := m.Send(ctx, bad); err == nil {
		t.Error("a subject with a line break was sent")
	}
	if n := len(mp.messages(t)); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}

	plain := startMailpitPlain(t)
	noTLS := *m
	noTLS.Port = plain
	if err := noTLS.Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("no STARTTLS: %v", err)
	}
	noTLS.StartTLS, noTLS.Username, noTLS.Password = false, "", ""
	if err := noTLS.Send(ctx, msg); err != nil {
		t.Errorf("STARTTLS off for a local test server: %v", err)
	}
}

// startMailpitPlain starts a Mailpit without TLS and returns its SMTP port.
func startMailpitPlain(t *testing.T) int {
	t.Helper()
	bin := mailpitBin(t)
	dir := t.TempDir()
	port, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(port), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, "mp.db"), "--smtp-disable-rdns", "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestConfig: the plugin reads its settings and refuses bad ones at start.
func TestConfig(t *testing.T) {
	ok := map[string]string{"MASSEFLYT_SMTP_HOST": "smtp.example.no", "MASSEFLYT_SMTP_FROM": "Masseflyt <noreply@masseflyt.no>",
		"MASSEFLYT_SMTP_USERNAME": "u", "MASSEFLYT_SMTP_PASSWORD": "p"}
	cases := []struct {
		name   string
		change map[string]string
		want   string // "" = accepted
	}{
		{"defaults", nil, ""},
		{"no host", map[string]string{"MASSEFLYT_SMTP_HOST": ""}, "MASSEFLYT_SMTP_HOST"},
		{"host with a port", map[string]string{"MASSEFLYT_SMTP_HOST": "smtp.example.no:25"}, "MASSEFLYT_SMTP_HOST"},
		{"bad port", map[string]string{"MASSEFLYT_SMTP_PORT": "seks"}, "MASSEFLYT_SMTP_PORT"},
		{"port out of range", map[string]string{"MASSEFLYT_SMTP_PORT": "70000"}, "MASSEFLYT_SMTP_PORT"},
		{"bad starttls", map[string]string{"MASSEFLYT_SMTP_STARTTLS": "maybe"}, "MASSEFLYT_SMTP_STARTTLS"},
		{"auth without tls", map[string]string{"MASSEFLYT_SMTP_STARTTLS": "off"}, "STARTTLS"},
		{"tls off without auth", map[string]string{"MASSEFLYT_SMTP_STARTTLS": "off", "MASSEFLYT_SMTP_USERNAME": "", "MASSEFLYT_SMTP_PASSWORD": ""}, ""},
		{"user without password", map[string]string{"MASSEFLYT_SMTP_PASSWORD": ""}, "go together"},
		{"no sender", map[string]string{"MASSEFLYT_SMTP_FROM": ""}, "MASSEFLYT_SMTP_FROM"},
		{"bad sender", map[string]string{"MASSEFLYT_SMTP_FROM": "ikke en adresse"}, "MASSEFLYT_SMTP_FROM"},
		{"bad timeout", map[string]string{"MASSEFLYT_SMTP_TIMEOUT": "lenge"}, "MASSEFLYT_SMTP_TIMEOUT"},
		{"timeout too long", map[string]string{"MASSEFLYT_SMTP_TIMEOUT": "1h"}, "MASSEFLYT_SMTP_TIMEOUT"},
		{"missing CA file", map[string]string{"MASSEFLYT_SMTP_CA_FILE": filepath.Join(t.TempDir(), "nope.pem")}, "MASSEFLYT_SMTP_CA_FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := map[string]string{}
			for k, v := range ok {
				s[k] = v
			}
			for k, v := range c.change {
				s[k] = v
			}
			a := &app.App{Config: app.Config{Settings: s}}
			m := new(Mailer)
			if err := m.Provision(a); err != nil {
				t.Fatal(err)
			}
			err := m.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want an error naming %s", err, c.want)
			}
			if c.want == "" && (m.Port != 587 || m.Timeout != 10*time.Second) {
				t.Errorf("defaults: port %d, timeout %s", m.Port, m.Timeout)
			}
		})
	}
}

func TestMain(m *testing.M) { storetest.Main(m) }

// TestAttachmentThroughMailpit: a message with files (an invoice's PDF, a
// name with Norwegian letters) reaches the server as multipart/mixed; the
// text is intact and each file arrives under its name and type with its
// bytes unchanged.
func TestAttachmentThroughMailpit(t *testing.T) {
	mp := startMailpit(t)
	m := mp.mailer(t)
	pdf := append([]byte("%PDF-1.4\n"), make([]byte, 5000)...)
	for i := range pdf[9:] {
		pdf[9+i] = byte(i * 7)
	}
	text := "Hei,\n\nVedlagt er faktura 2027-0042.\n\nHilsen Bærum"
	files := []events.Attachment{{Filename: "faktura-2027-0042.pdf", ContentType: "application/pdf", Data: pdf},
		{Filename: "Følgebrev «mars».txt", ContentType: "text/plain; charset=utf-8", Data: []byte("Blåbær\n")}}
	if err := m.Send(context.Background(), events.Message{To: "faktura@sandvika.no", Subject: "Faktura 2027-0042 fra Bærum", Text: text, Attachments: files}); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(msgs))
	}
	var full struct {
		Text        string `json:"Text"`
		Attachments []struct {
			PartID      string `json:"PartID"`
			FileName    string `json:"FileName"`
			ContentType string `json:"ContentType"`
			Size        int    `json:"Size"`
		} `json:"Attachments"`
	}
	resp, err := http.Get(mp.api + "/api/v1/message/" + msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&full); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(strings.ReplaceAll(full.Text, "\r\n", "\n")) != text {
		t.Errorf("text %q, want %q", full.Text, text)
	}
	if len(full.Attachments) != len(files) {
		t.Fatalf("attachments %+v", full.Attachments)
	}
	for i, a := range full.Attachments {
		if a.FileName != files[i].Filename || !strings.HasPrefix(files[i].ContentType, a.ContentType) {
			t.Errorf("attachment %d: %q %q, want %q %q", i, a.FileName, a.ContentType, files[i].Filename, files[i].ContentType)
		}
		part, err := http.Get(mp.api + "/api/v1/message/" + msgs[0].ID + "/part/" + a.PartID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(part.Body)
		part.Body.Close()
		if err != nil || !bytes.Equal(got, files[i].Data) {
			t.Errorf("attachment %d: %d bytes back (%v), sent %d", i, len(got), err, len(files[i].Data))
		}
	}
	// A name that tries to break out of its header is made harmless.
	raw, err := m.Compose(&mail.Address{Address: "x@example.no"}, events.Message{Subject: "x", Text: "x", Attachments: []events.Attachment{{Filename: "a\r\nBcc: y@example.no\".pdf", Data: []byte("x")}}})
	if err != nil || bytes.Contains(raw, []byte("\r\nBcc:")) || !bytes.Contains(raw, []byte("application/octet-stream")) {
		t.Errorf("a hostile file name: %v\n%s", err, raw)
	}
}
