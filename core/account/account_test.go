package account_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var start = time.Date(2030, 1, 15, 8, 0, 0, 0, time.UTC)

// fields returns the failed fields of a validation error as pointer=code.
func fields(t *testing.T, err error) []string {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok || fe.Kind != fail.Invalid || fe.Code != "validation" {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var out []string
	for _, f := range fe.Fields {
		out = append(out, f.Pointer+"="+f.Code)
	}
	return out
}

func countTokens(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Read(store.System(t.Context(), "test count"), func(tx *gorm.DB) error { return tx.Table("api_tokens").Count(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIssueValidation: a token needs a name of at most 100 characters, read
// and/or write scopes and a lifetime of 1 to 366 days (90 when not given);
// a refused request stores nothing.
func TestIssueValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := &account.Service{Users: &auth.Users{DB: db}}
		tid := storetest.Tenant(t, db, "a")
		ctx := storetest.Ctx(tid, storetest.As(storetest.User(t, db, "kari@example.no")))
		read := []string{auth.ScopeRead}
		for _, c := range []struct {
			name string
			in   account.TokenInput
			want []string
		}{
			{"empty name", account.TokenInput{Name: "", Scopes: read}, []string{"/name=required"}},
			{"blank name", account.TokenInput{Name: "   ", Scopes: read}, []string{"/name=required"}},
			{"name too long", account.TokenInput{Name: strings.Repeat("æ", 101), Scopes: read}, []string{"/name=too_long"}},
			{"no scopes", account.TokenInput{Name: "x"}, []string{"/scopes=required"}},
			{"bad scope", account.TokenInput{Name: "x", Scopes: []string{auth.ScopeRead, "root"}}, []string{"/scopes=enum"}},
			{"negative days", account.TokenInput{Name: "x", Scopes: read, ExpiresInDays: -1}, []string{"/expires_in_days=range"}},
			{"too many days", account.TokenInput{Name: "x", Scopes: read, ExpiresInDays: account.MaxTokenDays + 1}, []string{"/expires_in_days=range"}},
			{"everything wrong", account.TokenInput{Name: " ", Scopes: []string{"root"}, ExpiresInDays: 1000}, []string{"/name=required", "/scopes=enum", "/expires_in_days=range"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Issue(ctx, c.in)
				if got := fields(t, err); strings.Join(got, " ") != strings.Join(c.want, " ") {
					t.Fatalf("fields %v, want %v", got, c.want)
				}
			})
		}
		if n := countTokens(t, db); n != 0 {
			t.Fatalf("refused requests stored %d tokens", n)
		}
	})
}

// TestIssueBounds: the limits themselves are allowed; the name is trimmed;
// the lifetime counts on the store clock.
func TestIssueBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := &account.Service{Users: &auth.Users{DB: db}}
		tid := storetest.Tenant(t, db, "a")
		ctx := storetest.Ctx(tid, storetest.As(storetest.User(t, db, "kari@example.no")))
		for _, c := range []struct {
			in   account.TokenInput
			name string
			days int
		}{
			{account.TokenInput{Name: "  Integrasjon  ", Scopes: []string{auth.ScopeRead}}, "Integrasjon", 90},
			{account.TokenInput{Name: strings.Repeat("æ", 100), Scopes: []string{auth.ScopeWrite}, ExpiresInDays: 1}, strings.Repeat("æ", 100), 1},
			{account.TokenInput{Name: "lang", Scopes: []string{auth.ScopeRead, auth.ScopeWrite}, ExpiresInDays: account.MaxTokenDays}, "lang", account.MaxTokenDays},
		} {
			out, err := svc.Issue(ctx, c.in)
			if err != nil {
				t.Fatalf("%+v: %v", c.in, err)
			}
			if out.Token.Name != c.name || !out.Token.ExpiresAt.Equal(start.AddDate(0, 0, c.days)) || !strings.HasPrefix(out.Secret, auth.TokenPrefix) {
				t.Fatalf("%+v: token %+v", c.in, out.Token)
			}
		}
		list, err := svc.Tokens(ctx)
		if err != nil || len(list.Items) != 3 {
			t.Fatalf("tokens: %+v %v", list, err)
		}
	}, storetest.Clock(clock.NewManual(start)))
}

// TestTokensNeedASession: a visitor is unauthorized; a token holder cannot
// list, issue or revoke tokens (a token never manages tokens).
func TestTokensNeedASession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := &auth.Users{DB: db}
		svc := &account.Service{Users: users}
		tid := storetest.Tenant(t, db, "a")
		u := storetest.User(t, db, "kari@example.no")
		session := storetest.Ctx(tid, storetest.As(u))
		tok, _, err := users.CreateToken(session, u.ID, "x", []string{auth.ScopeRead, auth.ScopeWrite}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		holder := storetest.As(u)
		holder.Principal.Token = tok
		withToken := storetest.Ctx(tid, holder)
		anon := storetest.Ctx(tid)

		in := account.TokenInput{Name: "ny", Scopes: []string{auth.ScopeRead}}
		for name, err := range map[string]error{
			"issue":  second(svc.Issue(withToken, in)),
			"list":   second(svc.Tokens(withToken)),
			"revoke": svc.Revoke(withToken, tok.ID),
		} {
			if fe, ok := fail.As(err); !ok || fe.Kind != fail.Forbidden || fe.Code != "token_admin" {
				t.Errorf("%s with a token: %v, want forbidden token_admin", name, err)
			}
		}
		for name, err := range map[string]error{
			"issue":  second(svc.Issue(anon, in)),
			"list":   second(svc.Tokens(anon)),
			"revoke": svc.Revoke(anon, tok.ID),
			"me":     second(svc.Me(anon)),
		} {
			if !errors.Is(err, fail.ErrUnauthorized) {
				t.Errorf("%s as a visitor: %v, want unauthorized", name, err)
			}
		}
		if n := countTokens(t, db); n != 1 {
			t.Fatalf("%d tokens, want only the one the session made", n)
		}
	})
}

// TestRevokeOnlyYourOwn: another user's token, an unknown ID and a token
// already revoked are all not found, and the other user's token stays
// usable.
func TestRevokeOnlyYourOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := &auth.Users{DB: db}
		svc := &account.Service{Users: users}
		tid := storetest.Tenant(t, db, "a")
		kari := storetest.Ctx(tid, storetest.As(storetest.User(t, db, "kari@example.no")))
		ola := storetest.Ctx(tid, storetest.As(storetest.User(t, db, "ola@example.no")))
		karis, err := svc.Issue(kari, account.TokenInput{Name: "Karis", Scopes: []string{auth.ScopeRead}})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Revoke(ola, karis.Token.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("Ola revoking Kari's token: %v, want not found", err)
		}
		if _, _, err := users.LookupToken(t.Context(), tid, karis.Secret); err != nil {
			t.Fatalf("Kari's token after Ola's attempt: %v", err)
		}
		if list, err := svc.Tokens(ola); err != nil || len(list.Items) != 0 {
			t.Fatalf("Ola lists %+v (%v), want none", list.Items, err)
		}
		if err := svc.Revoke(kari, store.NewID()); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("unknown token: %v, want not found", err)
		}
		if err := svc.Revoke(kari, karis.Token.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Revoke(kari, karis.Token.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("revoking twice: %v, want not found", err)
		}
		if _, _, err := users.LookupToken(t.Context(), tid, karis.Secret); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("after revoke: %v", err)
		}
	})
}

// TestMe: the caller as the tenant sees them.
func TestMe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := &account.Service{Users: &auth.Users{DB: db}}
		tid := storetest.Tenant(t, db, "a")
		u := storetest.User(t, db, "kari@example.no")
		a := storetest.As(u, auth.RoleOrgAdmin)
		a.Principal.Orgs = map[string]string{"org-1": "admin"}
		a.Principal.AAL = auth.AAL2
		me, err := svc.Me(storetest.Ctx(tid, a))
		if err != nil || me.User.ID != u.ID || me.Orgs["org-1"] != "admin" || me.AAL != auth.AAL2 || !strings.Contains(strings.Join(me.Roles, ","), auth.RoleOrgAdmin) {
			t.Fatalf("me: %+v %v", me, err)
		}
		a.Principal.Orgs = nil
		if me, err := svc.Me(storetest.Ctx(tid, a)); err != nil || me.Orgs == nil {
			t.Fatalf("organizations are an empty map, never null: %+v %v", me, err)
		}
	})
}

func second[T any](_ T, err error) error { return err }
