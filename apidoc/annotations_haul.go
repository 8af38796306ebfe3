package apidoc

import (
	"github.com/masseflyt/masseflyt/core/haul"
)

// haulNotes describe tracked loads, receipt control and the driver and
// gate app (issue 13: K9, K10, T5).
func haulNotes() map[string]note {
	deviceAt := d("The phone's own time of the step (RFC 3339); kept beside the server's. A step synced more than 24 h later is flagged late_sync, more than 7 days stale (kept, never dropped)")
	key := d("The step's idempotency key (or the Idempotency-Key header, at most 100 printable ASCII characters): a resend returns the first answer")
	return map[string]note{
		"haul.DepartInput.order_id":         req(d("The transport order (core/transport) the load runs under")),
		"haul.DepartInput.vehicle_id":       req(d("An approved vehicle of the order's transport company meeting its requirements")),
		"haul.DepartInput.est_tonnes":       d("Estimated tonnes (0–60; at most 1.5 × the vehicle's payload); give this or est_m3"),
		"haul.DepartInput.est_m3":           d("Estimated m³ on the truck (0–45)"),
		"haul.DepartInput.release_code":     d("A code the sender issued for the order: the load leaves released"),
		"haul.DepartInput.device_at":        deviceAt,
		"haul.DepartInput.idempotency_key":  key,
		"haul.ReleaseInput.code":            req(d("The one-time release code shown on the driver's phone")),
		"haul.ReleaseInput.device_at":       deviceAt,
		"haul.ReleaseInput.idempotency_key": key,
		"haul.ReceiptInput.code":            req(d("The load's code, scanned or typed from the driver's phone")),
		"haul.ReceiptInput.weight_tonnes":   d("The weighbridge value in tonnes (0–60)"),
		"haul.ReceiptInput.volume_m3":       d("Without a weighbridge: the volume on the truck; the weight is volume × density"),
		"haul.ReceiptInput.density":         d("t/m³ for the volume (else the agreement's for loose volumes, else the fraction's loose density)"),
		"haul.ReceiptInput.result":          req(enum("The receipt's result", haul.Results)),
		"haul.ReceiptInput.accepted_tonnes": d("Partly accepted: the tonnes accepted (above 0, below the weight)"),
		"haul.ReceiptInput.reason":          d("Why the load was rejected or only partly accepted (required then)"),
		"haul.ReceiptInput.checks":          d("The answered check steps; none: every step in order (the one-tap receipt). A deviation needs a note"),
		"haul.ReceiptInput.device_at":       deviceAt,
		"haul.ReceiptInput.idempotency_key": key,
		"haul.Load.number":                  d("The agreement's number and the load's sequence (AVT-2026-0007-0012; a return adds -R)"),
		"haul.Load.code":                    d("The code the receiver scans (the transport company's members only)"),
		"haul.Load.release_code":            d("The one-time code the sender confirms (the transport company's members only)"),
		"haul.Load.status":                  enum("Where the load is", haul.Statuses),
		"haul.Load.kind":                    enum("A delivery, or the return of a rejected load", []string{haul.KindDelivery, haul.KindReturn}),
		"haul.Load.weight_method":           enum("How the weight was found: weighbridge, volume × density, or only the driver's estimate (flagged missing_weight)", []string{haul.WeighBridge, haul.WeighVolume, haul.WeighNone}),
		"haul.Load.sample_due":              d("The agreement's sampling rule (every Nth received load) falls on this load"),
		"haul.Load.flags":                   d("Plausibility flags, shown to the parties and supervisors"),
		"haul.Load.kg_co2e":                 d("Well-to-wheel kg CO2e of the load: its vehicle's fuel and class as it departed, the road distance loaded there and empty back (a rejected load: loaded back too)"),
		"haul.Load.factor_set":              d("The emission factor set used (e.g. defra-2025)"),
		"haul.Load.baseline":                d("The load's own baseline: its tonnes to the nearest landfill that may take them, and fetched from the nearest quarry"),
		"haul.Flag.kind":                    enum("What does not add up", haul.FlagKinds),
		"haul.Event.ledger_hash":            d("The step's hash in the agreement's ledger chain (core/ledger)"),
		"haul.Guide.sample_due":             d("This load is the one to sample"),
		"haul.Guide.sample_every":           d("The agreement's sampling rule (default 50)"),
	}
}
