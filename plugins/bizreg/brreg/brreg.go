// Package brreg looks organizations up in Enhetsregisteret, the open API of
// Brønnøysundregistrene (data.brreg.no). Parse is shared with the offline
// bizreg.fake plugin so both read the same documents.
package brreg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/directory"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "bizreg.brreg", New: func() app.Module { return new(Client) }})
}

// Accept is the media type of an Enhetsregisteret unit, version 2.
const Accept = "application/vnd.brreg.enhetsregisteret.enhet.v2+json"

// Client calls the Enhetsregisteret API.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// Provision reads the base URL.
func (c *Client) Provision(a *app.App) error {
	c.BaseURL = strings.TrimRight(a.Config.Setting("MASSEFLYT_BRREG_URL", "https://data.brreg.no/enhetsregisteret/api"), "/")
	c.HTTP = &http.Client{Timeout: 6 * time.Second}
	return nil
}

// Validate checks the base URL.
func (c *Client) Validate() error { return app.CheckURL("MASSEFLYT_BRREG_URL", c.BaseURL) }

// Lookup fetches a unit (hovedenhet), falling back to sub-units (underenheter).
func (c *Client) Lookup(ctx context.Context, orgNumber string) (*directory.RegistryUnit, error) {
	u, err := c.get(ctx, "/enheter/"+orgNumber)
	if errors.Is(err, directory.ErrRegistryNotFound) {
		return c.get(ctx, "/underenheter/"+orgNumber)
	}
	return u, err
}

func (c *Client) get(ctx context.Context, path string) (*directory.RegistryUnit, error) {
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(300 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", Accept)
		resp, err := c.HTTP.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case err != nil:
			lastErr = err
			continue
		case resp.StatusCode == http.StatusOK:
			return Parse(body)
		case resp.StatusCode == http.StatusNotFound:
			return nil, directory.ErrRegistryNotFound
		case resp.StatusCode == http.StatusGone:
			return nil, directory.ErrRegistryGone
		case resp.StatusCode == http.StatusBadRequest:
			return nil, directory.ErrRegistryNotFound
		default:
			lastErr = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	return nil, fmt.Errorf("%w: %v", directory.ErrRegistryUnavailable, lastErr)
}

type address struct {
	Adresse       []string `json:"adresse"`
	Postnummer    string   `json:"postnummer"`
	Poststed      string   `json:"poststed"`
	Kommunenummer string   `json:"kommunenummer"`
	Kommune       string   `json:"kommune"`
	Landkode      string   `json:"landkode"`
}

type code struct {
	Kode        string `json:"kode"`
	Beskrivelse string `json:"beskrivelse"`
}

type unit struct {
	Organisasjonsnummer string   `json:"organisasjonsnummer"`
	Navn                string   `json:"navn"`
	Organisasjonsform   code     `json:"organisasjonsform"`
	Forretningsadresse  *address `json:"forretningsadresse"`
	Beliggenhetsadresse *address `json:"beliggenhetsadresse"`
	Postadresse         *address `json:"postadresse"`
	Naeringskode1       *code    `json:"naeringskode1"`
	AntallAnsatte       int      `json:"antallAnsatte"`
	Hjemmeside          string   `json:"hjemmeside"`
	Konkurs             bool     `json:"konkurs"`
	UnderAvvikling      bool     `json:"underAvvikling"`
	Slettedato          string   `json:"slettedato"`
}

// Parse reads an Enhetsregisteret unit (v2 JSON) into a RegistryUnit.
func Parse(body []byte) (*directory.RegistryUnit, error) {
	var x unit
	if err := json.Unmarshal(body, &x); err != nil {
		return nil, fmt.Errorf("%w: bad response: %v", directory.ErrRegistryUnavailable, err)
	}
	if x.Organisasjonsnummer == "" || x.Navn == "" {
		return nil, fmt.Errorf("%w: response without number or name", directory.ErrRegistryUnavailable)
	}
	u := &directory.RegistryUnit{
		OrgNumber: x.Organisasjonsnummer, Name: x.Navn,
		OrgFormCode: x.Organisasjonsform.Kode, OrgForm: x.Organisasjonsform.Beskrivelse,
		Employees: x.AntallAnsatte, Website: x.Hjemmeside,
		Bankrupt: x.Konkurs, UnderLiquidation: x.UnderAvvikling, Deleted: x.Slettedato != "",
	}
	addr := x.Forretningsadresse
	if addr == nil {
		addr = x.Beliggenhetsadresse
	}
	if addr == nil {
		addr = x.Postadresse
	}
	if addr != nil {
		u.Address = strings.Join(addr.Adresse, ", ")
		u.Postcode, u.City = addr.Postnummer, titleCase(addr.Poststed)
		u.MunicipalityNo, u.Municipality = addr.Kommunenummer, titleCase(addr.Kommune)
	}
	if x.Naeringskode1 != nil {
		u.NaceCode, u.NaceText = x.Naeringskode1.Kode, x.Naeringskode1.Beskrivelse
	}
	return u, nil
}

// titleCase turns the register's upper-case place names into "Brønnøysund".
func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r := []rune(w)
		if len(r) > 0 {
			r[0] = []rune(strings.ToUpper(string(r[0])))[0]
		}
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

var _ directory.Registry = (*Client)(nil)
