package matching

import (
	"math"
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

// The index (issue 16) holds a tenant's open listings in a grid of cells
// about 5 km wide, one list of slots per cell, kind and fraction, so that a
// query visits the cells around its target nearest first and stops as soon
// as no farther cell can beat the k-th candidate found (engine.go). A
// listing is a compact entry (about 70 bytes and its ID) in a
// slot; publishing, changing or closing one updates its slot and one or a
// few cell lists: O(1) in the size of the region. Facilities (a few
// hundred) are replaced as a whole when they change.

// Grid cell size in degrees: about 5.6 km north–south and 5.6 km east–west
// at 60° N (4 km at 70° N).
const (
	cellLat = 0.05
	cellLon = 0.1
)

// kind codes of entries.
const (
	kindSurplus uint8 = iota
	kindNeed
	kindCapacity
	kindOther
)

func kindCode(k string) uint8 {
	switch k {
	case "surplus":
		return kindSurplus
	case "need":
		return kindNeed
	case "capacity":
		return kindCapacity
	}
	return kindOther
}

var kindNames = [...]string{"surplus", "need", "capacity", ""}

// fraction bits, in the catalogue's order.
var (
	fracCodes []string
	fracBit   = map[string]uint8{}
	fracs     []*market.Fraction
)

func init() {
	for _, c := range fraction.Codes() {
		fr, _ := market.FractionByCode(c)
		fracBit[c] = uint8(len(fracCodes))
		fracCodes = append(fracCodes, c)
		fracs = append(fracs, fr)
	}
	if len(fracCodes) > 32 {
		panic("matching: more than 32 fractions")
	}
}

// entry is a listing in the index. Its title is not kept (the service
// reads the counterparts it shows from the database anyway, coarse.go):
// at 100 000 listings that is 6 MB.
type entry struct {
	id       string
	p        geo.Point
	tonnes   float64
	from, to int64  // Unix seconds (listing windows are whole days)
	org      int32  // index in Index.orgs
	acc      int32  // index in Index.acc (what a capacity accepts), -1 none
	fracs    uint32 // bit i: fracCodes[i]
	use      uint16 // index in Index.uses
	kind     uint8
	class    int8
}

type orgRef struct{ id, name string }

// accRef is what a capacity accepts: its facility's permits (shared by every
// capacity on that site, updated when the facilities change) or its own.
type accRef struct {
	accepts map[string]int
	facType string
}

// Index holds a tenant's open listings and facilities. It is safe for
// concurrent use: queries read under a read lock, changes (Upsert, Remove,
// SetFacilities) take the write lock.
type Index struct {
	mu sync.RWMutex

	slots  []entry
	free   []int32
	byID   map[string]int32
	cells  map[uint64][]int32
	minCy  int32
	maxCy  int32
	minCx  int32
	maxCx  int32
	bounds bool
	count  int

	orgs    []orgRef
	orgByID map[string]int32
	uses    []string
	useByID map[string]uint16
	acc     []accRef
	siteAcc map[string]int32 // site ID → index in acc

	landfill []Facility
	quarry   []Facility
	storage  []Facility
	// Per facility: its type and what its permits accept (for capacity listings on it).
	siteType   map[string]string
	accepts    map[string]map[string]int
	facilities []Facility // every facility (receivers to suggest)
}

// NewIndex builds an index.
func NewIndex(items []Item, facilities []Facility) *Index {
	ix := &Index{byID: make(map[string]int32, len(items)), cells: map[uint64][]int32{}, orgByID: map[string]int32{},
		useByID: map[string]uint16{}, siteAcc: map[string]int32{}, slots: make([]entry, 0, len(items))}
	ix.uses = append(ix.uses, "")
	ix.useByID[""] = 0
	ix.setFacilities(facilities)
	for i := range items {
		ix.upsert(&items[i])
	}
	return ix
}

// Len is the number of indexed listings.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.count
}

// Upsert adds a listing or replaces the one with its ID.
func (ix *Index) Upsert(it Item) {
	ix.mu.Lock()
	ix.upsert(&it)
	ix.mu.Unlock()
}

// Remove takes a listing out; unknown IDs are ignored.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	ix.remove(id)
	ix.mu.Unlock()
}

// Has reports whether a listing is indexed.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.byID[id]
	return ok
}

// SetFacilities replaces the facilities (their permits changed); capacities
// on a facility accept what its permits now allow.
func (ix *Index) SetFacilities(fs []Facility) {
	ix.mu.Lock()
	ix.setFacilities(fs)
	ix.mu.Unlock()
}

func (ix *Index) setFacilities(facilities []Facility) {
	ix.facilities = facilities
	ix.siteType, ix.accepts = facilityLookup(facilities)
	ix.landfill, ix.quarry, ix.storage = nil, nil, nil
	for _, f := range facilities {
		switch f.Type {
		case "landfill":
			ix.landfill = append(ix.landfill, f)
		case "quarry":
			ix.quarry = append(ix.quarry, f)
		}
		if len(f.StorageAccepts) > 0 {
			ix.storage = append(ix.storage, f)
		}
	}
	for site, i := range ix.siteAcc {
		ix.acc[i] = accRef{accepts: ix.accepts[site], facType: ix.siteType[site]}
	}
}

// facilityLookup maps facility IDs to their type and to what their permits accept.
func facilityLookup(fs []Facility) (map[string]string, map[string]map[string]int) {
	types, accepts := make(map[string]string, len(fs)), make(map[string]map[string]int, len(fs))
	for _, f := range fs {
		types[f.ID] = f.Type
		if f.Accepts != nil {
			accepts[f.ID] = f.Accepts
		}
	}
	return types, accepts
}

func cellOf(p geo.Point) (int32, int32) {
	return int32(math.Floor(p.Lat / cellLat)), int32(math.Floor(p.Lon / cellLon))
}

func cellKey(kind, frac uint8, cy, cx int32) uint64 {
	return uint64(kind)<<62 | uint64(frac)<<56 | uint64(uint32(cy)&0xFFFFFFF)<<28 | uint64(uint32(cx)&0xFFFFFFF)
}

func (ix *Index) upsert(it *Item) {
	ix.remove(it.ID)
	k := kindCode(it.Kind)
	if k == kindOther {
		return // never matched
	}
	e := entry{id: it.ID, p: it.P, tonnes: it.Tonnes, from: it.From.Unix(), to: it.To.Unix(),
		org: ix.org(it.OrgID, it.OrgName), acc: -1, use: ix.use(it.Use), kind: k, class: int8(min(max(it.Class, -128), 127))}
	for _, f := range it.Fractions {
		if b, ok := fracBit[f]; ok {
			e.fracs |= 1 << b
		}
	}
	switch {
	case it.SiteID != "" && it.Kind == "capacity":
		i, ok := ix.siteAcc[it.SiteID]
		if !ok {
			i = int32(len(ix.acc))
			ix.acc = append(ix.acc, accRef{accepts: ix.accepts[it.SiteID], facType: ix.siteType[it.SiteID]})
			ix.siteAcc[it.SiteID] = i
		}
		e.acc = i
	case it.Accepts != nil || it.FacilityType != "":
		e.acc = int32(len(ix.acc))
		ix.acc = append(ix.acc, accRef{accepts: it.Accepts, facType: it.FacilityType})
	}
	var slot int32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.slots[slot] = e
	} else {
		slot = int32(len(ix.slots))
		ix.slots = append(ix.slots, e)
	}
	ix.byID[e.id] = slot
	ix.count++
	cy, cx := cellOf(e.p)
	if !ix.bounds {
		ix.minCy, ix.maxCy, ix.minCx, ix.maxCx, ix.bounds = cy, cy, cx, cx, true
	}
	ix.minCy, ix.maxCy = min(ix.minCy, cy), max(ix.maxCy, cy)
	ix.minCx, ix.maxCx = min(ix.minCx, cx), max(ix.maxCx, cx)
	for b := uint8(0); b < uint8(len(fracCodes)); b++ {
		if e.fracs&(1<<b) != 0 {
			key := cellKey(k, b, cy, cx)
			ix.cells[key] = append(ix.cells[key], slot)
		}
	}
}

func (ix *Index) remove(id string) {
	slot, ok := ix.byID[id]
	if !ok {
		return
	}
	e := &ix.slots[slot]
	cy, cx := cellOf(e.p)
	for b := uint8(0); b < uint8(len(fracCodes)); b++ {
		if e.fracs&(1<<b) == 0 {
			continue
		}
		key := cellKey(e.kind, b, cy, cx)
		list := ix.cells[key]
		for i, s := range list {
			if s == slot {
				list[i] = list[len(list)-1]
				list = list[:len(list)-1]
				break
			}
		}
		if len(list) == 0 {
			delete(ix.cells, key)
		} else {
			ix.cells[key] = list
		}
	}
	*e = entry{}
	delete(ix.byID, id)
	ix.free = append(ix.free, slot)
	ix.count--
}

func (ix *Index) org(id, name string) int32 {
	if i, ok := ix.orgByID[id]; ok {
		if name != "" && ix.orgs[i].name != name {
			ix.orgs[i].name = name
		}
		return i
	}
	i := int32(len(ix.orgs))
	ix.orgs = append(ix.orgs, orgRef{id: id, name: name})
	ix.orgByID[id] = i
	return i
}

func (ix *Index) use(u string) uint16 {
	if i, ok := ix.useByID[u]; ok {
		return i
	}
	if len(ix.uses) >= math.MaxUint16 {
		return 0
	}
	i := uint16(len(ix.uses))
	ix.uses = append(ix.uses, u)
	ix.useByID[u] = i
	return i
}

// item converts an entry back to an Item (for the few explained).
func (ix *Index) item(e *entry) Item {
	it := Item{ID: e.id, OrgID: ix.orgs[e.org].id, OrgName: ix.orgs[e.org].name, Kind: kindNames[e.kind], Tonnes: e.tonnes,
		From: time.Unix(e.from, 0).UTC(), To: time.Unix(e.to, 0).UTC(), P: e.p, Class: int(e.class), Use: ix.uses[e.use]}
	for b := range fracCodes {
		if e.fracs&(1<<b) != 0 {
			it.Fractions = append(it.Fractions, fracCodes[b])
		}
	}
	if e.acc >= 0 {
		it.Accepts, it.FacilityType = ix.acc[e.acc].accepts, ix.acc[e.acc].facType
	}
	return it
}

// Lookup returns an indexed listing.
func (ix *Index) Lookup(id string) (Item, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s, ok := ix.byID[id]
	if !ok {
		return Item{}, false
	}
	return ix.item(&ix.slots[s]), true
}
