package events

import "context"

// Message is an e-mail: plain text, and files attached to it.
type Message struct {
	To          string
	Subject     string
	Text        string
	Attachments []Attachment
}

// Attachment is a file sent with a message (an invoice's PDF).
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Mailer sends e-mail (plugins mail.log, …).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
