package app

import (
	"context"
	"errors"
	"time"

	"github.com/masseflyt/masseflyt/core/blob"
)

// BlobTables are every table whose blob_key names a file of the blob store
// (TestEveryBlobTableIsSwept checks the schema has no other).
var BlobTables = []string{"documents", "dialog_attachments", "load_photos"}

// BlobSweepInterval is how often an instance removes files no row names
// (blob.Sweeper); the first sweep runs one interval after start. Sweeps
// of several instances may overlap: removing an orphan twice is harmless.
var BlobSweepInterval = 6 * time.Hour

// startBlobSweep runs the orphan sweep until the app closes.
func (a *App) startBlobSweep() {
	if a.Blobs == nil {
		return
	}
	if _, ok := a.Blobs.Store.(blob.Lister); !ok {
		a.Log.Info("blob: the storage plugin cannot list its files; orphaned files are not swept", "storage", a.Config.Storage)
		return
	}
	a.every(BlobSweepInterval, func(ctx context.Context) {
		n, err := a.Blobs.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled):
			a.Log.Warn("blob: the orphan sweep failed", "err", err)
		case n.Removed > 0:
			a.Log.Info("blob: orphan sweep", "seen", n.Seen, "removed", n.Removed)
		}
	})
}
