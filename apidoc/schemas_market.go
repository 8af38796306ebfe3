package apidoc

import (
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/market"
)

func marketSchemas() m {
	publicView := m{
		"id": str("ID"), "kind": enum("Kind", market.Kinds), "title": str("Title"), "fractions": arr(enum("Fraction", fractionCodes())), "quantity_band": str("Quantity band, e.g. 1 000–5 000 t"),
		"period": str("Window by month, YYYY-MM/YYYY-MM"), "area": ref("Area"), "contamination_class": integer("TA-2553 class (0 unknown, 6 hazardous)"),
		"intended_use": enum("Intended use (needs)", market.Uses), "transport": enum("Transport", market.Transports), "status": enum("Lifecycle", market.Statuses),
		"price_nok_per_tonne": num("Price, NOK per tonne (only when the owner made it public)"), "organization_name": str("Owner"),
	}
	publicRequired := []string{"id", "kind", "title", "fractions", "quantity_band", "period", "area", "contamination_class", "transport", "status", "organization_name"}
	listingInput := with(obj(m{
		"kind": enum("Kind", market.Kinds), "title": with(str("Title, ≤ 200 characters"), "minLength", 1), "description": str("Description, ≤ 4000 characters"),
		"organization_id": str("Owner (create; immutable afterwards)"), "site_id": str("Project or facility of the owner (its point is used when lat and lon are absent); empty to unset"),
		"fractions": with(arr(enum("Fraction", fractionCodes())), "minItems", 1, "description", "Fractions; a surplus has exactly one"), "quantity": with(num("Quantity > 0, in unit"), "exclusiveMinimum", 0), "unit": enum("Unit", market.Units),
		"available_from": date("Window start"), "available_to": date("Window end"), "lat": num("Latitude; with lon"), "lon": num("Longitude; with lat"),
		"contamination_class": with(integer("Declared class 0–6"), "minimum", 0, "maximum", 6), "intended_use": enum("Intended use (required for needs)", market.Uses), "rock_type": enum("Rock type", append([]string{""}, market.RockTypes...)),
		"grain_min_mm": num("mm, 0–2000"), "grain_max_mm": num("mm, 0–2000"), "la_value": num("Los Angeles value, 0–100"), "micro_deval": num("Micro-Deval value, 0–100"), "price_nok_per_tonne": num("NOK/t, −10 000–10 000"),
		"price_public": boolean("Show the price to everyone"), "exact_location_public": boolean("Show the exact point to everyone"), "transport": enum("Transport", market.Transports),
		"visibility": enum("Visibility (default public)", market.Visibilities), "publish": boolean("Publish at once (create; ignored when editing)"),
	}, "kind", "title", "organization_id", "fractions", "quantity", "unit", "available_from", "available_to", "transport"),
		"description", "The point is lat and lon, or the site's",
		"dependentRequired", m{"lat": []string{"lon"}, "lon": []string{"lat"}},
		"anyOf", []any{m{"required": []string{"lat", "lon"}}, m{"required": []string{"site_id"}}},
		"if", m{"properties": m{"kind": m{"const": "need"}}, "required": []string{"kind"}}, "then", m{"required": []string{"intended_use"}})
	planLine := obj(m{"direction": enum("cut or fill", []string{"cut", "fill"}), "fraction": enum("Fraction", fractionCodes()), "quantity": with(num("> 0"), "exclusiveMinimum", 0),
		"unit": enum("Unit", market.Units), "period_from": date("From"), "period_to": date("To"), "intended_use": enum("Use (fill lines)", append([]string{""}, market.Uses...)), "note": str("Note, ≤ 500 characters")},
		"direction", "fraction", "quantity", "unit", "period_from", "period_to")
	return m{
		"Area": obj(m{"lat": num("Latitude"), "lon": num("Longitude"), "exact": boolean("Exact point, or the centre of a ~1 km cell"), "radius_km": num("Cell radius (0 when exact)")}, "lat", "lon", "exact", "radius_km"),
		"Listing": with(obj(m{
			"id": str("ID"), "organization_id": str("Owner"), "organization_name": str("Owner name"), "site_id": str("Project or facility"),
			"kind": enum("Kind", market.Kinds), "title": str("Title"), "description": str("Description"), "fractions": arr(enum("Fraction", fractionCodes())),
			"quantity_tonnes": num("Quantity in tonnes (converted through the fraction's density)"), "quantity_value": num("Quantity as entered"), "quantity_unit": enum("Unit entered", market.Units),
			"available_from": dt("Window start"), "available_to": dt("Window end"), "lat": num("Latitude"), "lon": num("Longitude"),
			"contamination_class": integer("TA-2553 class from lab results (0 unknown, 6 hazardous)"), "intended_use": enum("Intended use (needs)", market.Uses),
			"rock_type": enum("Rock type", market.RockTypes), "grain_min_mm": num("Grain size from"), "grain_max_mm": num("Grain size to"), "la_value": num("Los Angeles value"), "micro_deval": num("Micro-Deval value"),
			"price_nok_per_tonne": num("Price, NOK per tonne (negative: the receiver is paid); owners, tenant admins and supervisors, or everyone when public"),
			"price_public":        boolean("Price shown to everyone"), "exact_location_public": boolean("Exact point shown to everyone"),
			"transport": enum("Transport", market.Transports), "status": enum("Lifecycle", market.Statuses), "visibility": enum("Visibility", market.Visibilities),
			"published_at": dt("Published"), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "organization_id", "kind", "title", "description", "fractions", "quantity_tonnes", "quantity_value", "quantity_unit", "available_from", "available_to",
			"lat", "lon", "contamination_class", "price_public", "exact_location_public", "transport", "status", "visibility", "created_at", "updated_at"),
			"description", "A listing in full: for its owners, tenant admins and supervisors, and (without a price that is not public) for members of the region"),
		"ListingPublic": with(obj(publicView, publicRequired...), "description", "The privacy-preserving view of a listing, for visitors (B6)"),
		"ListingView":   m{"oneOf": []any{ref("Listing"), ref("ListingPublic")}, "description": "A listing at the caller's access level: in full (Listing) or its public view (ListingPublic)"},
		"ListingInput":  listingInput,
		"ListingPatch": with(without(listingInput), "description", "Only the fields sent change; organization_id, if sent, must be the current owner",
			"dependentRequired", m{"lat": []string{"lon"}, "lon": []string{"lat"}}),
		"ListingList": list("ListingView", "The first limit listings in the sort order (no further pages); each at the caller's access level"),
		"FeedItem": obj(merge(publicView, m{"url": str("The listing on the region's marketplace"), "published_at": dt("Published"), "updated_at": dt("Last changed")}),
			append(append([]string{}, publicRequired...), "url", "updated_at")...),
		"Feed": obj(m{
			"tenant": str("Region slug"), "name": str("Region name"), "generated_at": dt("When the feed was rendered"), "license": str("Licence of the data (NLOD-2.0)"),
			"count": integer("Number of listings"), "listings": arr(ref("FeedItem")),
		}, "tenant", "name", "generated_at", "license", "count", "listings"),
		"Stats": obj(m{
			"tenant": str("Region slug"), "generated_at": dt("When computed"), "open_listings": integer("Open listings now"),
			"offered_tonnes": num("Tonnes offered in open surplus listings"), "needed_tonnes": num("Tonnes needed in open need listings"),
			"fractions":          arr(ref("FractionStats")),
			"published_listings": integer("Listings ever published"), "matches": integer("Matches found"), "matched_listings": integer("Published listings with a match"),
			"match_rate": num("matched_listings / published_listings"), "median_hours_to_first_match": orNull(num("Median hours from publication to the first match (null: none yet)")),
			"agreed_listings": integer("Listings marked partly or fully agreed"), "estimated_co2e_saved_tonnes": num("Estimated t CO2e saved against the baseline"),
			"estimated_matched_tonnes": num("Tonnes the estimate covers"), "method": str("How the saving is estimated"),
		}, "tenant", "generated_at", "open_listings", "offered_tonnes", "needed_tonnes", "fractions", "published_listings", "matches", "matched_listings", "match_rate",
			"median_hours_to_first_match", "agreed_listings", "estimated_co2e_saved_tonnes", "estimated_matched_tonnes", "method"),
		"FractionStats": obj(m{"code": enum("Fraction", fractionCodes()), "name": str("Name in the request's language"), "offered_tonnes": num("Offered"),
			"needed_tonnes": num("Needed"), "capacity_tonnes": num("Receiving capacity"), "open_listings": integer("Open listings")}, "code", "offered_tonnes", "needed_tonnes", "capacity_tonnes", "open_listings"),
		"Sample": obj(m{"id": str("ID"), "listing_id": str("Listing"), "name": str("Sample name"), "lab": str("Laboratory"), "taken_on": dt("Date"),
			"results": m{"type": "object", "additionalProperties": num("mg/kg dry matter"), "description": "TA-2553 parameter → mg/kg dry matter"}, "class": integer("Worst class (6 = hazardous)"),
			"deciding": arr(enum("Parameter that decided", paramKeys())), "per_parameter": m{"type": "object", "additionalProperties": integer("Class"), "description": "Parameter → class"},
			"created_at": dt("Added")}, "id", "listing_id", "name", "lab", "results", "class", "deciding", "created_at"),
		"SampleInput": obj(m{"name": with(str("Sample name, ≤ 100 characters"), "minLength", 1), "taken_on": date("Date"), "lab": str("Laboratory"),
			"values": with(arr(ref("LabValue")), "minItems", 1, "maxItems", 200)}, "name", "values"),
		"LabValue":   obj(m{"parameter": enum("TA-2553 parameter", paramKeys()), "value": with(num("≥ 0"), "minimum", 0), "unit": str("mg/kg (TS), µg/kg or g/kg")}, "parameter", "value", "unit"),
		"SampleList": list("Sample", "Every sample of the listing"),
		"Document": obj(m{"id": str("ID"), "listing_id": str("Listing"), "kind": enum("Kind", market.DocumentKinds), "filename": str("File name"),
			"content_type": str("Type from the file's bytes"), "size": integer("Bytes"), "sha256": str("Checksum"), "created_at": dt("Uploaded")},
			"id", "listing_id", "kind", "filename", "content_type", "size", "sha256", "created_at"),
		"DocumentList": list("Document", "Every document of the listing"),
		"DocumentUpload": obj(m{"file": m{"type": "string", "contentMediaType": "application/octet-stream", "description": "PDF, PNG, JPEG, WebP, XLSX or CSV, ≤ 20 MB; the type is read from the bytes and must agree with the name"},
			"kind": enum("Kind", market.DocumentKinds)}, "file", "kind"),
		"LabFileUpload": obj(m{"file": m{"type": "string", "contentMediaType": "application/octet-stream", "description": "CSV or XLSX with the columns sample, parameter, value, unit; ≤ 20 MB"}}, "file"),
		"Notification": obj(m{"id": str("ID"), "kind": enum("Kind", []string{"match"}), "listing_id": str("Your listing"), "counterpart_id": str("The new counterpart"), "title": str("Its title"),
			"read_at": dt("Read"), "created_at": dt("Created")}, "id", "kind", "listing_id", "counterpart_id", "created_at"),
		"NotificationList": list("Notification", "Unread first, then newest; at most 100 (no further pages)"),
		"PlanLine": obj(m{"id": str("ID"), "site_id": str("Project"), "position": integer("Row"), "direction": enum("cut (surplus) or fill (need)", []string{"cut", "fill"}), "fraction": enum("Fraction", fractionCodes()),
			"quantity": num("As entered"), "unit": enum("Unit", market.Units), "quantity_tonnes": num("Tonnes"), "period_from": dt("From"), "period_to": dt("To"),
			"intended_use": enum("Use (fill)", market.Uses), "note": str("Note"), "listing_id": str("The listing kept in step"), "created_at": dt("Created"), "updated_at": dt("Updated")},
			"id", "site_id", "position", "direction", "fraction", "quantity", "unit", "quantity_tonnes", "period_from", "period_to", "created_at", "updated_at"),
		"PlanTotal": obj(m{"fraction": enum("Fraction", fractionCodes()), "cut_tonnes": num("Cut"), "fill_tonnes": num("Fill"), "balance_tonnes": num("Cut − fill: > 0 surplus to place, < 0 masses to find")},
			"fraction", "cut_tonnes", "fill_tonnes", "balance_tonnes"),
		"Plan":          obj(m{"site": ref("Site"), "lines": arr(ref("PlanLine")), "totals": with(arr(ref("PlanTotal")), "description", "Per fraction, in the order of the lines; empty for an empty plan")}, "site", "lines", "totals"),
		"PlanLineInput": planLine,
		"PlanInput":     obj(m{"lines": with(arr(ref("PlanLineInput")), "maxItems", market.MaxPlanLines), "publish": boolean("Publish the listings")}, "lines"),
	}
}

func matchSchemas() m {
	return m{
		"MatchList": obj(m{"items": arr(ref("Match")), "factor_set": str("Emission factor set"), "router": str("Distance method")}, "items", "factor_set", "router"),
		"Match": obj(m{
			"counterpart_id": str("The other listing"), "counterpart_kind": enum("Its kind", market.Kinds), "title": str("Its title"), "organization": str("Its owner"),
			"fraction": enum("Fraction matched", fractionCodes()), "via": enum("direct or through intermediate storage", []string{"direct", "storage"}), "storage_id": str("Storage facility"),
			"storage_name": str("Storage facility name"), "storage_days": integer("Days in storage (≤ 3 years)"), "tonnes": num("Tonnes matched"),
			"quantity_share": num("Matched share of this listing's quantity"), "road_km": num("Road km (all legs)"), "loads": integer("Truck loads"),
			"kg_co2e": num("Transport emissions, kg CO2e"), "kg_co2e_per_tonne": num("Per tonne delivered (the ranking)"), "overlap_days": integer("Days the windows overlap"),
			"quality": enum("Quality compatibility", []string{"ok", "undocumented"}), "fitness": enum("The need's intended use the fraction is fit for", market.Uses),
			"baseline": ref("Baseline"), "saving_kg_co2e": num("Baseline minus the match"), "legs": arr(ref("MatchLeg")),
			"router": str("Distance method"), "factor_set": str("Factor set"),
		}, "counterpart_id", "counterpart_kind", "title", "organization", "fraction", "via", "tonnes", "quantity_share", "road_km", "loads", "kg_co2e", "kg_co2e_per_tonne",
			"overlap_days", "quality", "saving_kg_co2e", "legs", "router", "factor_set"),
		"Baseline": with(obj(m{"landfill_id": str("Nearest landfill"), "landfill_name": str("Its name"), "landfill_km": num("km"), "quarry_id": str("Nearest quarry"), "quarry_name": str("Its name"),
			"quarry_km": num("km"), "kg_co2e": num("Baseline kg CO2e"), "complete": boolean("Both ends known")}, "kg_co2e", "complete"),
			"description", "What happens without the match: the surplus to the nearest landfill, the need from the nearest quarry"),
		"MatchLeg": obj(m{
			"from": str("Where the leg starts"), "to": str("Where it ends"), "factor_set": str("Emission factor set"), "scope": str("Emission scope"),
			"tonnes": num("Tonnes moved"), "loads": integer("Loads"), "road_km": num("Road km one way"), "loaded_km": num("Km driven loaded"), "empty_km": num("Km driven empty"),
			"kg_co2e": num("kg CO2e"), "kg_co2e_per_tonne": num("kg CO2e per tonne"), "vehicle_class": str("Vehicle class"), "payload_tonnes": num("Payload per load, tonnes"), "fuel": str("Fuel"),
		}, "from", "to", "factor_set", "scope", "tonnes", "loads", "road_km", "loaded_km", "empty_km", "kg_co2e", "kg_co2e_per_tonne", "vehicle_class", "payload_tonnes", "fuel"),
	}
}

func fractionCodes() []string { return fraction.Codes() }

func paramKeys() []string {
	var out []string
	for _, p := range market.TA2553 {
		out = append(out, p.Key)
	}
	return out
}
