package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// The canonical form (version 1) of an entry is one JSON object holding
// every stored field except hash and signature, with its keys in byte
// order, no insignificant white space, strings escaped as encoding/json does
// without HTML escaping, times in UTC as RFC 3339 with nanoseconds
// ("2006-01-02T15:04:05.999999999Z", trailing zeros dropped), numbers in
// Go's shortest round-trip form ('g', -1) and absent values as null:
//
//	{"actor_id":…,"chain":…,"data":{…},"device_at":…,"id":…,"key_id":…,
//	 "kind":…,"lat":…,"load_id":…,"lon":…,"org_id":…,"prev_hash":…,
//	 "seq":…,"server_at":…,"tenant_id":…,"v":1,"vehicle_id":…}
//
// data is the stored canonical JSON of the event's facts (CanonicalData),
// embedded as is. Hash = SHA-256(prev hash bytes || canonical form), with
// the previous hash as its 32 raw bytes (all zero for a chain's first
// entry). The signature is Ed25519 over the 32 hash bytes.
const canonicalVersion = 1

// Canonical returns the entry's canonical form.
func (e *Entry) Canonical() []byte {
	var b bytes.Buffer
	b.Grow(512 + len(e.Data))
	field := func(key, v string, first bool) {
		if !first {
			b.WriteByte(',')
		}
		b.WriteString(`"` + key + `":`)
		writeString(&b, v)
	}
	num := func(key string, p *float64) {
		b.WriteString(`,"` + key + `":`)
		if p == nil {
			b.WriteString("null")
			return
		}
		b.WriteString(strconv.FormatFloat(*p, 'g', -1, 64))
	}
	b.WriteByte('{')
	field("actor_id", e.ActorID, true)
	field("chain", e.Chain, false)
	b.WriteString(`,"data":`)
	if e.Data == "" {
		b.WriteString("{}")
	} else {
		b.WriteString(e.Data)
	}
	b.WriteString(`,"device_at":`)
	if e.DeviceAt == nil {
		b.WriteString("null")
	} else {
		writeString(&b, stamp(*e.DeviceAt))
	}
	field("id", e.ID, false)
	field("key_id", e.KeyID, false)
	field("kind", e.Kind, false)
	num("lat", e.Lat)
	field("load_id", e.LoadID, false)
	num("lon", e.Lon)
	field("org_id", e.OrgID, false)
	field("prev_hash", e.PrevHash, false)
	b.WriteString(`,"seq":` + strconv.FormatInt(e.Seq, 10))
	field("server_at", stamp(e.ServerAt), false)
	field("tenant_id", e.TenantID, false)
	b.WriteString(`,"v":` + strconv.Itoa(canonicalVersion))
	field("vehicle_id", e.VehicleID, false)
	b.WriteByte('}')
	return b.Bytes()
}

// ComputeHash returns SHA-256(prev hash || canonical form).
func (e *Entry) ComputeHash() ([]byte, error) {
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return nil, errors.New("ledger: malformed previous hash")
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(e.Canonical())
	return h.Sum(nil), nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func writeString(b *bytes.Buffer, s string) {
	plain := true // printable ASCII without quote or backslash: as is
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// CanonicalData encodes an event's facts as canonical JSON: object keys
// sorted at every depth, no HTML escaping, numbers as given (json.Number)
// or in Go's shortest form. A nil map is {}.
func CanonicalData(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	// Round-trip through generic values so structs and nested maps come
	// out with sorted keys and numbers keep their text.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// HexBytes decodes a hex hash.
func HexBytes(s string) ([]byte, error) { return hex.DecodeString(s) }

// Hex encodes a hash.
func Hex(b []byte) string { return hex.EncodeToString(b) }
