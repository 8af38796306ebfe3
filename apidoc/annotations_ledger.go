package apidoc

import "github.com/masseflyt/masseflyt/core/ledger"

// ledgerNotes describe the load ledger's proof and its published roots
// (issue 13, K9 point 3).
func ledgerNotes() map[string]note {
	reasons := []string{ledger.ReasonHashMismatch, ledger.ReasonBrokenLink, ledger.ReasonBadSignature, ledger.ReasonUnknownKey,
		ledger.ReasonMissingSeq, ledger.ReasonReordered, ledger.ReasonNotInRoot, ledger.ReasonBadRoot}
	return map[string]note{
		"ledger.Report.chain":       d("The chain: the agreement's ID"),
		"ledger.Report.ok":          d("Every hash, link, sequence number, signature and inclusion proof verifies"),
		"ledger.Report.size":        d("Entries in the chain"),
		"ledger.Report.head":        d("The last entry's hash (hex)"),
		"ledger.Report.entries":     d("Every entry with its evidence, in chain order"),
		"ledger.Report.roots":       d("The signed daily roots the entries are proven against"),
		"ledger.Break.seq":          d("The stored sequence number of the entry that breaks the chain"),
		"ledger.Break.reason":       enum("Why it breaks the chain", reasons),
		"ledger.Break.detail":       d("What was found, in a sentence"),
		"ledger.Proof.hash":         d("SHA-256 over the previous hash and the canonical entry (hex)"),
		"ledger.Proof.signature":    d("Ed25519 over the hash bytes (base64)"),
		"ledger.Proof.signature_ok": d("The signature verifies with the key key_id names"),
		"ledger.Proof.day":          d("The UTC day whose root holds the entry"),
		"ledger.Proof.rooted":       d("The entry is proven in its day's signed root (false while the day is not sealed)"),
		"ledger.Proof.leaf_index":   d("The entry's leaf in the day's tree"),
		"ledger.Proof.tree_size":    d("Leaves in the day's tree"),
		"ledger.Proof.inclusion":    d("The RFC 6962 audit path from the leaf to the root (hex nodes)"),
		"ledger.Proof.problem":      enum("Why this entry fails, if it does", reasons),
	}
}
