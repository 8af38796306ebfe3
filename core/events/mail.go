package events

import "context"

// Message is an e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends e-mail (plugins mail.log, …).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
