package simple

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/fail"
)

func TestSimpleSignatureRecordsAcceptanceAtAAL2(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		aal  string
		code string
	}{{"aal2", ""}, {"aal1", "second_factor_required"}, {"", "second_factor_required"}} {
		st, err := Signer{}.Begin(context.Background(), agreement.SignRequest{AgreementID: "a", Number: "AVT-2026-0001", Version: 2, DocHash: "abc", UserID: "u", Name: "Kari", AAL: c.aal, At: at})
		if c.code != "" {
			var fe *fail.Error
			if !errors.As(err, &fe) || fe.Code != c.code {
				t.Fatalf("%q: %v", c.aal, err)
			}
			continue
		}
		if err != nil || st.Evidence == nil || st.RedirectURL != "" || st.Evidence.Method != ID {
			t.Fatalf("%+v %v", st, err)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(st.Evidence.Data), &rec); err != nil || rec["doc_hash"] != "abc" || rec["user_id"] != "u" || rec["aal"] != "aal2" || rec["version"] != 2.0 {
			t.Fatalf("evidence %s", st.Evidence.Data)
		}
	}
}
