package market

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// SampleInput is a lab sample: values per parameter with a unit.
type SampleInput struct {
	Name    string        `json:"name"`
	TakenOn string        `json:"taken_on"`
	Lab     string        `json:"lab"`
	Values  []SampleValue `json:"values"`
}

// SampleValue is one measured parameter of a sample.
type SampleValue struct {
	Parameter string  `json:"parameter"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	// BelowLimit: the lab reported "<Value", below its detection limit
	// (lab files only; see BelowLimitPrefix).
	BelowLimit bool `json:"-"`
}

// SampleBounds are the page sizes of a listing's samples and documents.
var SampleBounds = page.Bounds{Default: 100, Max: 500}

// AddSample classifies a sample and updates the listing's class (the worst
// sample decides).
func (s *Service) AddSample(ctx context.Context, listingID string, in *SampleInput) (*Sample, error) {
	l, err := s.Editable(ctx, listingID)
	if err != nil {
		return nil, err
	}
	sm, err := prepareSample(l, in)
	if err != nil {
		return nil, err
	}
	return sm, s.storeSamples(ctx, l, []*Sample{sm})
}

// prepareSample validates and classifies a sample without saving it.
func prepareSample(l *Listing, in *SampleInput) (*Sample, error) {
	v := &fail.Validation{}
	sm := &Sample{ID: store.NewID(), ListingID: l.ID, Name: strings.TrimSpace(in.Name), Lab: strings.TrimSpace(in.Lab), Results: JSONMap{}}
	if sm.Name == "" {
		v.Add("name", "required", "ErrFieldRequired")
	} else if len([]rune(sm.Name)) > 100 {
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 100)
	}
	if in.TakenOn != "" {
		if t, ok := parseDay(v, "taken_on", in.TakenOn); ok {
			sm.TakenOn = &t
		}
	}
	if len(in.Values) == 0 || len(in.Values) > 200 {
		v.Add("values", "required", "ErrFieldRequired")
	}
	for i, x := range in.Values {
		field := "values[" + strconv.Itoa(i) + "]"
		p, ok := ParameterByKey(x.Parameter)
		if !ok {
			v.Add(field+".parameter", "unknown_parameter", "ErrUnknownParameter", "Parameter", x.Parameter)
			continue
		}
		if x.Value < 0 {
			v.Add(field+".value", "negative", "ErrFieldNegative")
			continue
		}
		mg, err := ToMgPerKg(x.Value, x.Unit)
		if errors.Is(err, ErrMoreThanAll) {
			v.Add(field+".value", "range", "ErrFieldRange", "Min", 0, "Max", "1 000 000 mg/kg TS")
			continue
		}
		if err != nil {
			v.Add(field+".unit", "unit", "ErrLabUnit", "Unit", x.Unit)
			continue
		}
		sm.Results[p.Key] = mg
		if x.BelowLimit {
			sm.Results[BelowLimitPrefix+p.Key] = mg
		} else {
			delete(sm.Results, BelowLimitPrefix+p.Key)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res, err := Classify(sm.Results)
	if err != nil {
		v.Add("values", "invalid", "ErrFieldInvalid")
		return nil, v.Err()
	}
	sm.Class, sm.Deciding, sm.PerParam = res.Class, res.Deciding, res.PerParameter
	if sm.Deciding == nil {
		sm.Deciding = directory.List{}
	}
	return sm, nil
}

// storeSamples saves samples and the listing's new class, all or nothing,
// in short transactions: up to a batch in one (the listing's class with
// it); more in batches of BatchSize, each its own transaction, the class
// with the last, and the batches already written deleted again if a later
// one fails. No transaction holds the write lock for long (H2). The samples
// per listing are bounded.
func (s *Service) storeSamples(ctx context.Context, l *Listing, samples []*Sample) error {
	lim := s.Limits()
	var written []string
	for start := 0; start < len(samples); start += lim.BatchSize {
		end := min(start+lim.BatchSize, len(samples))
		chunk := samples[start:end]
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			if start == 0 {
				var have int64
				if err := tx.Model(&Sample{}).Where("listing_id = ?", l.ID).Count(&have).Error; err != nil {
					return err
				}
				if int(have)+len(samples) > lim.MaxSamplesPerListing {
					v := &fail.Validation{}
					v.Add("file", "too_many_samples", "ErrLabListingFull", "Max", lim.MaxSamplesPerListing, "Have", int(have), "Count", len(samples))
					return v.Err()
				}
			}
			if err := tx.CreateInBatches(chunk, len(chunk)).Error; err != nil {
				return err
			}
			if end < len(samples) {
				return nil
			}
			var worst int
			if err := tx.Model(&Sample{}).Where("listing_id = ?", l.ID).Select("COALESCE(MAX(class), 0)").Scan(&worst).Error; err != nil {
				return err
			}
			return tx.Model(&Listing{}).Where("id = ?", l.ID).Updates(map[string]any{"contamination_class": worst, "updated_at": s.now()}).Error
		})
		if err != nil {
			s.unstoreSamples(ctx, written)
			return err
		}
		for _, sm := range chunk {
			written = append(written, sm.ID)
		}
	}
	return nil
}

// unstoreSamples deletes the batches of a failed import (all or nothing),
// trying a few times if the database is busy.
func (s *Service) unstoreSamples(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for try := 0; try < 5; try++ {
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			for start := 0; start < len(ids); start += 500 {
				if err := tx.Where("id IN ?", ids[start:min(start+500, len(ids))]).Delete(&Sample{}).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || !store.IsBusy(err) {
			return
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
}

// Samples returns a page of a visible listing's lab samples, oldest first,
// with each parameter's class.
func (s *Service) Samples(ctx context.Context, listingID string, r page.Request) (page.Page[Sample], error) {
	l, err := s.Get(ctx, listingID)
	if err != nil {
		return page.Page[Sample]{}, err
	}
	var out []Sample
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := afterCreated(tx.Where("listing_id = ?", l.ID), r.Cursor)
		if err != nil {
			return err
		}
		return q.Order("created_at, id").Limit(r.Limit + 1).Find(&out).Error
	}); err != nil {
		return page.Page[Sample]{}, err
	}
	for i := range out {
		res, _ := Classify(out[i].Results)
		out[i].PerParam = res.PerParameter
	}
	return page.Cut(out, r.Limit, func(sm Sample) page.Key { return createdKey(sm.CreatedAt, sm.ID) }), nil
}

// createdKey and afterCreated page a list ordered by (created_at, id).
func createdKey(t time.Time, id string) page.Key {
	return page.Key{t.UTC().Format(time.RFC3339Nano), id}
}

func afterCreated(q *gorm.DB, cursor string) (*gorm.DB, error) {
	if cursor == "" {
		return q, nil
	}
	k, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, k[0])
	if err != nil {
		return nil, page.BadCursor()
	}
	return q.Where("(created_at > ? OR (created_at = ? AND id > ?))", t, t, k[1]), nil
}
