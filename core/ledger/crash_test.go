package ledger_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
)

// The child of TestKillDuringBurst reads its database from this.
const burstEnv = "MASSEFLYT_LEDGER_BURST"

type burstTarget struct {
	DataDir, AppURL, OwnerURL, Tenant string
	Chains                            []string
}

// TestKillDuringBurst: a child process appends events from several
// writers across several chains and prints "ACK <id> <chain>" after each
// commit; it is killed (SIGKILL) mid-burst. Every acknowledged entry is
// in the database afterwards, and every chain verifies.
func TestKillDuringBurst(t *testing.T) {
	if v := os.Getenv(burstEnv); v != "" {
		burstChild(t, v)
		return
	}
	each(t, func(t *testing.T, e *env) {
		chains := []string{store.NewID(), store.NewID(), store.NewID(), store.NewID(), store.NewID()}
		target, _ := json.Marshal(burstTarget{DataDir: e.dir, AppURL: e.appURL, OwnerURL: e.ownerURL, Tenant: e.tid, Chains: chains})
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringBurst$", "-test.count=1")
		cmd.Env = append(os.Environ(), burstEnv+"="+string(target))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[string]string{}
		sc := bufio.NewScanner(out)
		killed := false
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				acked[f[1]] = f[2]
			}
			if len(acked) == 300 && !killed {
				_ = cmd.Process.Kill() // SIGKILL mid-burst; lines already written are still read
				killed = true
			}
		}
		err = cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.Exited() {
			t.Fatalf("the child should have been killed: %v\n%s", err, stderr.String())
		}
		if len(acked) < 300 {
			t.Fatalf("only %d acknowledged before the kill\n%s", len(acked), stderr.String())
		}
		var ids []string
		for id := range acked {
			ids = append(ids, id)
		}
		var found int64
		if err := e.db.Read(e.ctx, func(tx *gorm.DB) error {
			return tx.Model(&ledger.Entry{}).Where("id IN ?", ids).Count(&found).Error
		}); err != nil {
			t.Fatal(err)
		}
		if found != int64(len(ids)) {
			t.Fatalf("%d of %d acknowledged entries survived the kill", found, len(ids))
		}
		total := 0
		for _, c := range chains {
			rep, err := e.l.Verify(e.ctx, c)
			if err != nil || !rep.OK {
				t.Fatalf("chain %s after the kill: %+v %v", c, rep.Broken, err)
			}
			total += rep.Size
		}
		t.Logf("%d acknowledged, %d stored, all chains verify", len(acked), total)
		// The next append continues each chain.
		e.appendN(t, chains[0], 1)
		if rep, err := e.l.Verify(e.ctx, chains[0]); err != nil || !rep.OK {
			t.Fatalf("after the restart: %+v %v", rep.Broken, err)
		}
	})
}

// burstChild appends until it is killed.
func burstChild(t *testing.T, v string) {
	var tg burstTarget
	if err := json.Unmarshal([]byte(v), &tg); err != nil {
		t.Fatal(err)
	}
	o := store.Options{DataDir: tg.DataDir}
	if tg.AppURL != "" {
		o = store.Options{URL: tg.AppURL, KeyURL: tg.OwnerURL}
	}
	db, err := store.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := ledger.NewKeys(make([]byte, 32)) // the parent's key
	l := &ledger.Ledger{DB: db, Keys: keys}
	ctx := store.WithTenant(context.Background(), tg.Tenant)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				chain := tg.Chains[(w+i)%len(tg.Chains)]
				var id string
				err := db.Tx(ctx, func(tx *gorm.DB) error {
					en, err := l.Append(tx, benchEvent(chain, i))
					if en != nil {
						id = en.ID
					}
					return err
				})
				if store.IsBusy(err) {
					continue
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ACK %s %s\n", id, chain) // after the commit: acknowledged
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
}
