package apidoc

import (
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/fraction"
)

// agreementNotes describe the agreements' types (K6).
func agreementNotes() map[string]note {
	fr := fraction.Codes()
	return map[string]note{
		"agreement.Agreement":                    d("An agreement between two organizations; its terms are in its versions"),
		"agreement.Agreement.number":             d("Number in the region, AVT-{year}-{nnnn}"),
		"agreement.Agreement.status":             enum("draft (its drafting party only), proposed, accepted (both sign next), sealed, cancelled or completed; an amendment goes through proposed and accepted again with sealed_version > 0", agreement.Statuses),
		"agreement.Agreement.version":            d("The current version of the terms"),
		"agreement.Agreement.sealed_version":     d("The version both parties signed and that binds them (0: none yet)"),
		"agreement.Agreement.template_version":   d("The version of the template the agreement was written on (0: the built-in default)"),
		"agreement.Agreement.tonnes":             d("Tonnes agreed by the version in force (0 before signing); listings keep score of them"),
		"agreement.Agreement.seal_hash":          d("SHA-256 of the canonical JSON of the sealed terms with the number, the template (key, version, SHA-256 of its body) and the language (sorted keys, normalised numbers, dates YYYY-MM-DD)"),
		"agreement.Terms.fractions":              enum("Fractions", fr),
		"agreement.Terms.quantity_tonnes":        d("Agreed tonnes"),
		"agreement.Terms.quantity_m3":            d("Agreed m³ in volume_state"),
		"agreement.Terms.volume_state":           enum("in_place (pfm³) or loose (lm³)", agreement.VolumeStates),
		"agreement.Terms.density":                d("t/m³ used between tonnes and m³ (the fraction's unless given)"),
		"agreement.Terms.tolerance_pct":          d("± % the delivered quantity may differ (\"cirka\": 10)"),
		"agreement.Terms.price_nok":              d("NOK per price_unit excl. VAT; negative turns the payment around"),
		"agreement.Terms.price_unit":             enum("What the price is per", agreement.PriceUnits),
		"agreement.Terms.payer":                  enum("Who pays whom: the receiver pays for masses, or the supplier pays a gate fee", agreement.Payers),
		"agreement.Terms.transport":              enum("Who arranges the trucks", agreement.Transports),
		"agreement.Terms.period_from":            day("First day of deliveries"),
		"agreement.Terms.period_to":              day("Last day of deliveries (not before period_from)"),
		"agreement.Terms.sample_every_n_loads":   d("A sample of every nth load (0: none agreed)"),
		"agreement.Input.template_key":           enum("The kind of agreement (its template)", agreement.TemplateKeys),
		"agreement.Input.locale":                 enum("Language of the text", agreement.Locales),
		"agreement.Input.quantity_tonnes":        d("Tonnes; or give quantity_m3 and the tonnes follow from the density"),
		"agreement.Input.fractions":              enum("Fractions", fr),
		"agreement.Input.payer":                  enum("Who pays whom", agreement.Payers),
		"agreement.Input.price_unit":             enum("What the price is per", agreement.PriceUnits),
		"agreement.Input.transport":              enum("Who arranges the trucks", agreement.Transports),
		"agreement.Input.period_from":            day("First day of deliveries"),
		"agreement.Input.period_to":              day("Last day of deliveries (not before period_from)"),
		"agreement.Verification.changed":         d("Terms whose stored value no longer matches their digest at signing; template_body and locale name a changed contract text or language"),
		"agreement.Verification.valid":           d("The stored terms hash to the seal and both signatures signed it"),
		"agreement.Capabilities.sign_needs_aal2": d("The caller could sign but is logged in without a second factor"),
		"agreement.Capabilities.withdraw":        d("The caller's party may withdraw its pending amendment (the signed version stays in force)"),
		"agreement.Capabilities.reject":          d("The caller's party may reject the other party's pending amendment or unsigned proposal"),
		"agreement.Capabilities.cancel":          d("The caller may cancel: a party's member before signing; a party's admin with a second factor, never a token, once signed"),
		"agreement.Capabilities.complete":        d("The caller may mark the signed agreement completed (a party's admin with a second factor, never a token)"),
	}
}

// day is a calendar date of the agreements (always YYYY-MM-DD).
func day(desc string) note {
	return note{Description: desc + " (YYYY-MM-DD)", Pattern: `^\d{4}-\d{2}-\d{2}$`}
}
