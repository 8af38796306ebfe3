// Package smtp is the mail.smtp plugin: it sends mail through an SMTP
// server (submission on port 587 with STARTTLS by default), with PLAIN
// authentication and timeouts. Messages are proper MIME: a UTF-8 subject as
// an encoded word, the text quoted-printable, a Message-ID, and the Date
// from the platform's clock.
//
// It does not retry by itself: a failed send returns an error and the
// outbox delivers the mail again with backoff. An answer the server will
// give again (5xx: unknown mailbox, refused sender) is a permanent error
// (Permanent() true), which the notification mail gives up at once.
//
// Settings (environment, or app.Config.Settings):
//
//	MASSEFLYT_SMTP_HOST      the server (required)
//	MASSEFLYT_SMTP_PORT      587
//	MASSEFLYT_SMTP_STARTTLS  required (default) or off (a local test server only)
//	MASSEFLYT_SMTP_USERNAME  PLAIN authentication, with MASSEFLYT_SMTP_PASSWORD
//	MASSEFLYT_SMTP_FROM      the sender, e.g. "Masseflyt <noreply@masseflyt.no>" (required)
//	MASSEFLYT_SMTP_TIMEOUT   for connecting and for the whole exchange (10s)
//	MASSEFLYT_SMTP_CA_FILE   PEM certificates to trust besides the system's (a private CA)
//	MASSEFLYT_SMTP_HELO      the name this host gives (localhost)
package smtp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	netsmtp "net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "mail.smtp", New: func() app.Module { return new(Mailer) }})
}

// Mailer sends mail through an SMTP server.
type Mailer struct {
	Host     string
	Port     int
	StartTLS bool // false only when MASSEFLYT_SMTP_STARTTLS=off
	Username string
	Password string
	From     *mail.Address
	Timeout  time.Duration
	Helo     string
	// TLS is the STARTTLS configuration (its RootCAs trust a private CA).
	TLS *tls.Config
	// Now is the clock of the Date header.
	Now func() time.Time

	errs []error // settings that could not be read (Validate reports them)
}

// Provision reads the settings.
func (m *Mailer) Provision(a *app.App) error {
	cfg := &a.Config
	m.Host = strings.TrimSpace(cfg.Setting("MASSEFLYT_SMTP_HOST", ""))
	port, err := strconv.Atoi(cfg.Setting("MASSEFLYT_SMTP_PORT", "587"))
	if err != nil {
		m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_PORT=%q is not a port number", cfg.Setting("MASSEFLYT_SMTP_PORT", "")))
	}
	m.Port = port
	switch st := strings.ToLower(cfg.Setting("MASSEFLYT_SMTP_STARTTLS", "required")); st {
	case "required":
		m.StartTLS = true
	case "off":
	default:
		m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_STARTTLS=%q must be required or off", st))
	}
	m.Username = cfg.Setting("MASSEFLYT_SMTP_USERNAME", "")
	m.Password = cfg.Setting("MASSEFLYT_SMTP_PASSWORD", "")
	if from := cfg.Setting("MASSEFLYT_SMTP_FROM", ""); from != "" {
		if m.From, err = mail.ParseAddress(from); err != nil {
			m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_FROM=%q is not an e-mail address: %v", from, err))
		}
	}
	if m.Timeout, err = time.ParseDuration(cfg.Setting("MASSEFLYT_SMTP_TIMEOUT", "10s")); err != nil {
		m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_TIMEOUT: %v", err))
	}
	m.Helo = cfg.Setting("MASSEFLYT_SMTP_HELO", "localhost")
	m.TLS = &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
	if f := cfg.Setting("MASSEFLYT_SMTP_CA_FILE", ""); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_CA_FILE: %v", err))
		} else {
			pool, _ := x509.SystemCertPool()
			if pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				m.errs = append(m.errs, fmt.Errorf("MASSEFLYT_SMTP_CA_FILE=%q holds no PEM certificate", f))
			}
			m.TLS.RootCAs = pool
		}
	}
	if a.DB != nil {
		m.Now = a.DB.Now
	}
	return nil
}

// Validate refuses a configuration that cannot send: no host or sender, a
// bad port or timeout, a password without a user (or the reverse), or
// authentication without STARTTLS (the password would cross in clear).
func (m *Mailer) Validate() error {
	errs := append([]error(nil), m.errs...)
	if m.Host == "" || strings.ContainsAny(m.Host, " /:@") {
		errs = append(errs, fmt.Errorf("MASSEFLYT_SMTP_HOST=%q must be a host name or address", m.Host))
	}
	if m.Port < 1 || m.Port > 65535 {
		errs = append(errs, fmt.Errorf("MASSEFLYT_SMTP_PORT=%d must be 1–65535", m.Port))
	}
	if m.From == nil {
		errs = append(errs, errors.New("MASSEFLYT_SMTP_FROM is required (the sender address)"))
	}
	if m.Timeout < time.Second || m.Timeout > 5*time.Minute {
		errs = append(errs, fmt.Errorf("MASSEFLYT_SMTP_TIMEOUT=%s must be between 1s and 5m", m.Timeout))
	}
	if (m.Username == "") != (m.Password == "") {
		errs = append(errs, errors.New("MASSEFLYT_SMTP_USERNAME and MASSEFLYT_SMTP_PASSWORD go together"))
	}
	if m.Username != "" && !m.StartTLS {
		errs = append(errs, errors.New("SMTP authentication needs MASSEFLYT_SMTP_STARTTLS=required"))
	}
	if strings.ContainsAny(m.Helo, " \r\n") || m.Helo == "" {
		errs = append(errs, fmt.Errorf("MASSEFLYT_SMTP_HELO=%q must be a host name", m.Helo))
	}
	return errors.Join(errs...)
}

// Error is a failed send. Permanent reports an answer the server will give
// again (a 5xx reply, or an address that cannot be sent to).
type Error struct {
	Code int // the SMTP reply code, 0 when the failure was not a reply
	Err  error
}

func (e *Error) Error() string   { return "smtp: " + e.Err.Error() }
func (e *Error) Unwrap() error   { return e.Err }
func (e *Error) Permanent() bool { return e.Code >= 500 && e.Code < 600 }

func wrap(err error) error {
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &Error{Code: tp.Code, Err: err}
	}
	return &Error{Err: err}
}

// Send delivers one message, within the timeout and ctx's deadline.
func (m *Mailer) Send(ctx context.Context, msg events.Message) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil || strings.ContainsAny(msg.To, "\r\n") {
		return &Error{Code: 553, Err: fmt.Errorf("bad recipient address")}
	}
	body, err := m.Compose(to, msg)
	if err != nil {
		return &Error{Code: 554, Err: err}
	}
	deadline := time.Now().Add(m.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", net.JoinHostPort(m.Host, strconv.Itoa(m.Port)))
	if err != nil {
		return wrap(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return wrap(err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) }) // a cancelled delivery ends at once
	defer stop()
	c, err := netsmtp.NewClient(conn, m.Host)
	if err != nil {
		return wrap(err)
	}
	defer c.Close()
	if err := c.Hello(m.Helo); err != nil {
		return wrap(err)
	}
	if m.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &Error{Err: errors.New("the server does not offer STARTTLS (MASSEFLYT_SMTP_STARTTLS=required)")}
		}
		cfg := m.TLS.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = m.Host
		}
		if err := c.StartTLS(cfg); err != nil {
			return wrap(err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(netsmtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return wrap(err)
		}
	}
	if err := c.Mail(m.From.Address); err != nil {
		return wrap(err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return wrap(err)
	}
	w, err := c.Data()
	if err != nil {
		return wrap(err)
	}
	if _, err := w.Write(body); err != nil {
		return wrap(err)
	}
	if err := w.Close(); err != nil {
		return wrap(err)
	}
	return wrap(c.Quit())
}

// Compose renders a message as MIME: headers (the subject as a UTF-8
// encoded word), and the text quoted-printable with CRLF line ends; with
// attachments, multipart/mixed: the text, then each file in base64 under
// its name (RFC 2231 encoded when it is not ASCII).
func (m *Mailer) Compose(to *mail.Address, msg events.Message) ([]byte, error) {
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return nil, errors.New("a subject cannot hold a line break")
	}
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	domain := "masseflyt.invalid"
	if at := strings.LastIndex(m.From.Address, "@"); at >= 0 {
		domain = m.From.Address[at+1:]
	}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", m.From.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	h("MIME-Version", "1.0")
	if len(msg.Attachments) == 0 {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeText(&b, msg.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	// multipart/mixed: the text first, then each file in base64.
	mw := multipart.NewWriter(&b)
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return nil, err
	}
	if err := writeText(pw, msg.Text); err != nil {
		return nil, err
	}
	for _, a := range msg.Attachments {
		name := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
				return '_'
			}
			return r
		}, a.Filename)
		mt, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil {
			mt, params = "application/octet-stream", map[string]string{}
		}
		params["name"] = name
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(mt, params)},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 { // RFC 2045: lines of at most 76 characters
			if _, err := io.WriteString(pw, enc[:76]+"\r\n"); err != nil {
				return nil, err
			}
			enc = enc[76:]
		}
		if _, err := io.WriteString(pw, enc+"\r\n"); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeText writes text quoted-printable with CRLF line ends.
func writeText(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(text)); err != nil {
		return err
	}
	if err := qp.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\r\n")
	return err
}

var _ events.Mailer = (*Mailer)(nil)
