// Package simple is the default signing method (esign.simple): a simple
// electronic signature that records the signatory's acceptance, logged in
// with a second factor (AAL2): who, when, and the SHA-256 of the document
// signed. Norwegian contract law (avtaleloven) sets no form requirement, so
// a recorded acceptance binds. A BankID provider (AES/QES through a signing
// service) implements agreement.Signer with a redirect and
// agreement.Completer instead.
package simple

import (
	"context"
	"encoding/json"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
)

// ID is the plugin's ID.
const ID = "esign.simple"

func init() {
	app.RegisterModule(app.ModuleInfo{ID: ID, New: func() app.Module { return new(Signer) }})
}

// Signer records acceptance at AAL2.
type Signer struct{}

// Method names the signing method on each signature.
func (Signer) Method() string { return ID }

// record is the evidence kept with the signature.
type record struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	AAL       string    `json:"aal"`
	DocHash   string    `json:"doc_hash"`
	Agreement string    `json:"agreement"`
	Version   int       `json:"version"`
	At        time.Time `json:"at"`
}

// Begin records the acceptance at once; below AAL2 it refuses.
func (Signer) Begin(_ context.Context, r agreement.SignRequest) (*agreement.Step, error) {
	if r.AAL != auth.AAL2 {
		return nil, fail.New(fail.Forbidden, "second_factor_required", "ErrAgreementSignAAL")
	}
	b, err := json.Marshal(record{UserID: r.UserID, Name: r.Name, AAL: r.AAL, DocHash: r.DocHash, Agreement: r.Number, Version: r.Version, At: r.At.UTC()})
	if err != nil {
		return nil, err
	}
	return &agreement.Step{Evidence: &agreement.Evidence{Method: ID, Data: string(b)}}, nil
}

var _ agreement.Signer = Signer{}
