package web_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// BenchmarkDialogPage serves the page of a dialog with 1,000 messages (the
// page shows the latest dialog.DialogPage with a link to older ones, each
// with its author, organization, time and who has seen it) to a party, as
// the UI serves it: through the app's middleware, the guard, the domain
// and the template. Reported: ms per page (target < 50 ms).
func BenchmarkDialogPage(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) { dialogPage(b, backend) })
	}
}

func dialogPage(b *testing.B, backend string) {
	e := apitest.New(b, backend)
	fornebu := e.OrgID("baerum", "fornebu-anlegg")
	listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", fornebu)
	r := e.PostForm("/t/baerum/dialogs", apitest.Member, map[string][]string{"listing_id": {listing}, "text": {"Hei!"}})
	if r.Status != 303 {
		b.Fatalf("open: %d", r.Status)
	}
	path := r.Header.Get("Location")
	id := path[len(path)-36:]
	sandvika := e.OrgID("baerum", "sandvika-bygg")
	ola, kari := e.User(apitest.Member).ID, e.User(apitest.OrgAdmin).ID
	// 999 more messages, as two people wrote them, a minute apart.
	start := apitest.Now().Add(-1000 * time.Minute)
	err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
		for i := 2; i <= 1000; i++ {
			m := &dialog.Message{ID: fmt.Sprintf("01900000-0000-7000-8000-%012d", i), DialogID: id, Seq: i, AuthorID: ola, AuthorOrgID: sandvika,
				Text: fmt.Sprintf("Melding %d: kan dere levere 2 000 t sprengstein til Kadettangen i uke %d? Vi tar imot mellom 07 og 15.", i, i%52+1), CreatedAt: start.Add(time.Duration(i) * time.Minute)}
			if i%2 == 0 {
				m.AuthorID, m.AuthorOrgID = kari, fornebu
			}
			if err := tx.Omit("Attachments").Create(m).Error; err != nil {
				return err
			}
		}
		return tx.Model(&dialog.Dialog{}).Where("id = ?", id).Updates(map[string]any{"messages": 1000, "last_message_at": start.Add(1000 * time.Minute)}).Error
	})
	if err != nil {
		b.Fatal(err)
	}
	get := func() {
		r := e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin})
		if r.Status != 200 {
			b.Fatalf("page: %d", r.Status)
		}
	}
	get() // reads it: from now on the page only reads
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		get()
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000/float64(b.N), "ms/page")
}
