package agreement

import (
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Party is one side of an agreement as its terms name it: the organization
// (name and org number as they were when the terms were written), its
// project or facility, and who signs for it.
type Party struct {
	OrganizationID string `json:"organization_id"`
	Name           string `json:"name"`
	OrgNumber      string `json:"org_number"`
	SiteID         string `json:"site_id,omitempty"`
	SiteName       string `json:"site_name,omitempty"`
	// SignatoryUserID, when set, is the only person who may sign for the
	// party; otherwise any of its organization admins may.
	SignatoryUserID string `json:"signatory_user_id,omitempty"`
	SignatoryName   string `json:"signatory_name,omitempty"`
}

// Terms are what the parties agree on: every field is a term, sealed on
// signing and named by Verify when changed afterwards.
type Terms struct {
	Title    string `json:"title"`
	Supplier Party  `json:"supplier"`
	Receiver Party  `json:"receiver"`
	// ListingIDs are the listings the agreement draws from.
	ListingIDs     []string `json:"listing_ids"`
	Fractions      []string `json:"fractions"`
	ConditionClass int      `json:"condition_class"`
	// SampleIDs and DocumentIDs are the lab samples and documents referred to.
	SampleIDs   []string `json:"sample_ids"`
	DocumentIDs []string `json:"document_ids"`
	// QuantityTonnes and QuantityM3 (in VolumeState, at Density t/m³).
	QuantityTonnes float64 `json:"quantity_tonnes"`
	QuantityM3     float64 `json:"quantity_m3"`
	VolumeState    string  `json:"volume_state"`
	Density        float64 `json:"density"`
	TolerancePct   float64 `json:"tolerance_pct"`
	// PriceNOK is per PriceUnit; Payer says who pays whom. Negative turns
	// the payment around.
	PriceNOK  float64 `json:"price_nok"`
	PriceUnit string  `json:"price_unit"`
	Payer     string  `json:"payer"`
	// PeriodFrom and PeriodTo are dates (YYYY-MM-DD).
	PeriodFrom    string `json:"period_from"`
	PeriodTo      string `json:"period_to"`
	DeliveryPoint string `json:"delivery_point"`
	OpeningHours  string `json:"opening_hours"`
	Transport     string `json:"transport"`
	Transporter   string `json:"transporter"`
	// Quality and receipt control (avfallsforskriften § 9-11).
	QualityRequirements string `json:"quality_requirements"`
	VisualCheckEachLoad bool   `json:"visual_check_each_load"`
	SampleEveryNLoads   int    `json:"sample_every_n_loads"`
	RejectedLoad        string `json:"rejected_load"`
	InvasiveSpecies     string `json:"invasive_species"`
	FreeText            string `json:"free_text"`
}

// TermsJSON stores terms as JSON text.
type TermsJSON Terms

// Value encodes the terms.
func (t TermsJSON) Value() (driver.Value, error) {
	b, err := json.Marshal(Terms(t))
	return string(b), err
}

// Scan decodes the terms.
func (t *TermsJSON) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("terms: cannot scan %T", v)
	}
	return json.Unmarshal(b, (*Terms)(t))
}

// canonicalValue is a value in the canonical form: numbers without
// exponent or trailing zeros, text trimmed with Unix line ends, lists
// sorted, dates as YYYY-MM-DD.
func canonicalValue(v any) any {
	switch x := v.(type) {
	case float64:
		if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0
		}
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	case int:
		return json.Number(strconv.Itoa(x))
	case bool:
		return x
	case string:
		return strings.TrimSpace(strings.ReplaceAll(x, "\r\n", "\n"))
	case []string:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, strings.TrimSpace(s))
		}
		sort.Strings(out)
		return out
	case Party:
		return map[string]any{
			"organization_id": x.OrganizationID, "name": canonicalValue(x.Name), "org_number": x.OrgNumber,
			"site_id": x.SiteID, "site_name": canonicalValue(x.SiteName),
			"signatory_user_id": x.SignatoryUserID, "signatory_name": canonicalValue(x.SignatoryName),
		}
	}
	return v
}

// Fields returns every term by its name (the JSON name) in canonical form.
func (t Terms) Fields() map[string]any {
	return map[string]any{
		"title": canonicalValue(t.Title), "supplier": canonicalValue(t.Supplier), "receiver": canonicalValue(t.Receiver),
		"listing_ids": canonicalValue(t.ListingIDs), "fractions": canonicalValue(t.Fractions), "condition_class": canonicalValue(t.ConditionClass),
		"sample_ids": canonicalValue(t.SampleIDs), "document_ids": canonicalValue(t.DocumentIDs),
		"quantity_tonnes": canonicalValue(t.QuantityTonnes), "quantity_m3": canonicalValue(t.QuantityM3),
		"volume_state": canonicalValue(t.VolumeState), "density": canonicalValue(t.Density), "tolerance_pct": canonicalValue(t.TolerancePct),
		"price_nok": canonicalValue(t.PriceNOK), "price_unit": canonicalValue(t.PriceUnit), "payer": canonicalValue(t.Payer),
		"period_from": canonicalValue(t.PeriodFrom), "period_to": canonicalValue(t.PeriodTo),
		"delivery_point": canonicalValue(t.DeliveryPoint), "opening_hours": canonicalValue(t.OpeningHours),
		"transport": canonicalValue(t.Transport), "transporter": canonicalValue(t.Transporter),
		"quality_requirements": canonicalValue(t.QualityRequirements), "visual_check_each_load": canonicalValue(t.VisualCheckEachLoad),
		"sample_every_n_loads": canonicalValue(t.SampleEveryNLoads), "rejected_load": canonicalValue(t.RejectedLoad),
		"invasive_species": canonicalValue(t.InvasiveSpecies), "free_text": canonicalValue(t.FreeText),
	}
}

// TermNames lists the terms in the order forms and diffs show them.
var TermNames = []string{"title", "supplier", "receiver", "listing_ids", "fractions", "condition_class", "sample_ids", "document_ids",
	"quantity_tonnes", "quantity_m3", "volume_state", "density", "tolerance_pct", "price_nok", "price_unit", "payer",
	"period_from", "period_to", "delivery_point", "opening_hours", "transport", "transporter",
	"quality_requirements", "visual_check_each_load", "sample_every_n_loads", "rejected_load", "invasive_species", "free_text"}

// Document is what a seal covers besides the terms: the agreement's
// number, the template the text is rendered from (key, version and the
// SHA-256 of its body, so that the text cannot change under a seal) and
// the language.
type Document struct {
	Number          string
	TemplateKey     string
	TemplateVersion int
	TemplateBody    string
	Locale          string
}

// SealedTerms are the entries a seal covers beyond TermNames, named by
// Verify like a term when changed.
var SealedTerms = []string{"template_body", "locale"}

// BodyHash is the SHA-256 (hex) of a template body in canonical form.
func BodyHash(body string) string {
	s := sha256.Sum256([]byte(canonicalValue(body).(string)))
	return hex.EncodeToString(s[:])
}

// fields are the terms and the document's sealed entries.
func (d Document) fields(t Terms) map[string]any {
	f := t.Fields()
	f["template_body"] = BodyHash(d.TemplateBody)
	f["locale"] = canonicalValue(d.Locale)
	return f
}

// Canonical is the canonical JSON of the terms, with the agreement's
// number, the template version they were written on, the hash of the
// template's body and the language: keys sorted (the encoder sorts map
// keys), numbers normalised, no insignificant space.
func Canonical(d Document, t Terms) []byte {
	doc := map[string]any{
		"number": d.Number, "template": d.TemplateKey, "template_version": json.Number(strconv.Itoa(d.TemplateVersion)),
		"template_body": BodyHash(d.TemplateBody), "locale": canonicalValue(d.Locale),
		"terms": t.Fields(),
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // only maps, strings, numbers and bools
	}
	return b
}

// Hash is the SHA-256 of the canonical form, in hex.
func Hash(d Document, t Terms) string {
	s := sha256.Sum256(Canonical(d, t))
	return hex.EncodeToString(s[:])
}

// Digests are one SHA-256 per term and per sealed entry of the document
// (of its canonical JSON value), so that a changed one can be named.
func Digests(d Document, t Terms) map[string]string {
	out := map[string]string{}
	for k, v := range d.fields(t) {
		b, _ := json.Marshal(v)
		s := sha256.Sum256(append([]byte(k+"="), b...))
		out[k] = hex.EncodeToString(s[:])
	}
	return out
}

// Change is one term that differs between two versions.
type Change struct {
	Term string `json:"term"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Diff lists the terms that differ from a to b, in TermNames order.
func Diff(a, b Terms) []Change {
	fa, fb := a.Fields(), b.Fields()
	var out []Change
	for _, k := range TermNames {
		ja, _ := json.Marshal(fa[k])
		jb, _ := json.Marshal(fb[k])
		if string(ja) != string(jb) {
			out = append(out, Change{Term: k, From: display(fa[k]), To: display(fb[k])})
		}
	}
	return out
}

func display(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case []string:
		return strings.Join(x, ", ")
	case bool:
		if x {
			return "✓"
		}
		return "–"
	case map[string]any:
		s := fmt.Sprint(x["name"])
		if n := fmt.Sprint(x["org_number"]); n != "" {
			s += " (" + n + ")"
		}
		if sn, _ := x["site_name"].(string); sn != "" {
			s += ", " + sn
		}
		if sg, _ := x["signatory_name"].(string); sg != "" {
			s += "; " + sg
		}
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
