// Package kartverket geocodes addresses with Kartverket's open address API
// (Geonorge, /adresser/v1/sok). Parse is shared with geocoder.fake.
package kartverket

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/geo"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "geocoder.kartverket", New: func() app.Module { return new(Client) }})
}

// Client calls the Kartverket address API.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// Provision reads the base URL.
func (c *Client) Provision(a *app.App) error {
	c.BaseURL = strings.TrimRight(a.Config.Setting("MASSEFLYT_KARTVERKET_URL", "https://ws.geonorge.no/adresser/v1"), "/")
	c.HTTP = &http.Client{Timeout: 5 * time.Second}
	return nil
}

// Validate checks the base URL.
func (c *Client) Validate() error { return app.CheckURL("MASSEFLYT_KARTVERKET_URL", c.BaseURL) }

// Geocode searches addresses, best first.
func (c *Client) Geocode(ctx context.Context, query string, limit int) ([]geo.Address, error) {
	if limit < 1 || limit > 50 {
		limit = 10
	}
	q := url.Values{"sok": {query}, "treffPerSide": {strconv.Itoa(limit)}, "side": {"0"}, "utkoordsys": {"4258"}, "asciiKompatibel": {"true"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/sok?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kartverket: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("kartverket: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	return Parse(body)
}

// Response is the /sok response.
type Response struct {
	Metadata struct {
		TotaltAntallTreff int `json:"totaltAntallTreff"`
	} `json:"metadata"`
	Adresser []Adresse `json:"adresser"`
}

// Adresse is one hit.
type Adresse struct {
	Adressetekst         string `json:"adressetekst"`
	Postnummer           string `json:"postnummer"`
	Poststed             string `json:"poststed"`
	Kommunenummer        string `json:"kommunenummer"`
	Kommunenavn          string `json:"kommunenavn"`
	Representasjonspunkt struct {
		EPSG string  `json:"epsg"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
	} `json:"representasjonspunkt"`
}

// Address converts a hit.
func (a Adresse) Address() geo.Address {
	return geo.Address{Text: a.Adressetekst, Postcode: a.Postnummer, City: titleCase(a.Poststed), MunicipalityNo: a.Kommunenummer,
		MunicipalityName: titleCase(a.Kommunenavn), Point: geo.Point{Lat: a.Representasjonspunkt.Lat, Lon: a.Representasjonspunkt.Lon}}
}

// Parse reads a /sok response.
func Parse(body []byte) ([]geo.Address, error) {
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("kartverket: bad response: %w", err)
	}
	out := make([]geo.Address, 0, len(r.Adresser))
	for _, a := range r.Adresser {
		out = append(out, a.Address())
	}
	return out, nil
}

func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r := []rune(w)
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

var _ geo.Geocoder = (*Client)(nil)
