package blob

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
)

// Lister is implemented by stores that can enumerate their blobs, which
// the orphan sweep needs.
type Lister interface {
	// List calls fn for every blob with its key and when it was written.
	List(ctx context.Context, fn func(key string, written time.Time) error) error
}

// A file is put before the row that names it commits, and deleted after
// the row that named it is gone: a crash between the two, or a cascade
// that removes rows without their files (an organization's dialogs), leaves
// a file no row names. The Sweeper removes such orphans.
type Sweeper struct {
	DB    *store.DB
	Store Store
	// Tables are every table with a blob_key column naming a blob of
	// Store; a blob none of them names is an orphan.
	Tables []string
	// Grace is how old an unnamed blob must be before it goes (one being
	// put right now has no row yet); one hour when zero.
	Grace time.Duration
	Log   *slog.Logger
	// Now is the wall clock the files' times are compared with
	// (clock.Real when nil): file times are the machine's, not the
	// platform clock's, which MASSEFLYT_NOW may move in development.
	Now func() time.Time
}

// Swept counts what a sweep did.
type Swept struct{ Seen, Orphans, Removed int }

// ErrCannotList: the store does not enumerate its blobs.
var ErrCannotList = errors.New("blob: the store cannot list its blobs")

const sweepBatch = 500

// Sweep removes the blobs older than the grace period that no row names.
// It reads the references with the system bypass (blobs of every tenant)
// and never removes a blob when a reference query fails.
func (s *Sweeper) Sweep(ctx context.Context) (Swept, error) {
	var out Swept
	l, ok := s.Store.(Lister)
	if !ok {
		return out, ErrCannotList
	}
	grace := s.Grace
	if grace <= 0 {
		grace = time.Hour
	}
	now := s.Now
	if now == nil {
		now = clock.Real
	}
	cutoff := now().Add(-grace)
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		orphans, err := s.orphans(ctx, batch)
		batch = batch[:0]
		if err != nil {
			return err
		}
		out.Orphans += len(orphans)
		for _, k := range orphans {
			if err := s.Store.Delete(ctx, k); err != nil {
				return err
			}
			out.Removed++
			if s.Log != nil {
				s.Log.Info("blob: removed an orphaned file", "key", k)
			}
		}
		return nil
	}
	err := l.List(ctx, func(key string, written time.Time) error {
		out.Seen++
		if !written.Before(cutoff) {
			return nil
		}
		batch = append(batch, key)
		if len(batch) == sweepBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return out, err
}

// orphans returns the keys no table names.
func (s *Sweeper) orphans(ctx context.Context, keys []string) ([]string, error) {
	named := map[string]bool{}
	ctx = store.System(ctx, "blob sweep: which files rows of any tenant name")
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		for _, t := range s.Tables {
			var ks []string
			if err := tx.Table(t).Where("blob_key IN ?", keys).Pluck("blob_key", &ks).Error; err != nil {
				return err
			}
			for _, k := range ks {
				named[k] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if !named[k] {
			out = append(out, k)
		}
	}
	return out, nil
}
