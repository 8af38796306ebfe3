package tenants

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// Custom domains (H3). A tenant admin asks for a domain; it is refused if
// it is the platform's (the base domain or anything under it, the public
// host) or another tenant's. Otherwise it is stored as a claim with a
// challenge, and takes effect only once the admin proved control of it
// (Verify): a DNS TXT record _masseflyt-challenge.<domain> holding the
// claim's token.

// Claim is a custom domain a tenant asked for and has not proved yet.
type Claim struct {
	Domain    string `gorm:"primaryKey"`
	TenantID  string `gorm:"primaryKey"`
	Token     string
	CreatedAt time.Time
}

func (Claim) TableName() string { return "tenant_domain_claims" }

// ChallengePrefix names the TXT record that proves a claim.
const ChallengePrefix = "_masseflyt-challenge."

// Record is the DNS name whose TXT record must hold the token.
func (c Claim) Record() string { return ChallengePrefix + c.Domain }

// Errors of domain claims.
var (
	// ErrDomainPlatform: the domain is the platform's own (the base
	// domain, a name under it, or the public host).
	ErrDomainPlatform = errors.New("tenants: the platform's own domain")
	// ErrNoClaim: the tenant has no pending claim on the domain.
	ErrNoClaim = errors.New("tenants: no such domain claim")
	// ErrNotVerified: the challenge was not found.
	ErrNotVerified = errors.New("tenants: domain challenge not found")
)

// DomainVerifier proves that whoever asked for a domain controls it. The
// default looks the challenge up in DNS; tests use OfflineVerifier.
type DomainVerifier interface {
	// VerifyDomain returns nil when the challenge for domain holds token,
	// ErrNotVerified (possibly wrapped) when it does not.
	VerifyDomain(ctx context.Context, domain, token string) error
}

// DNSVerifier looks for the token in the TXT records of
// _masseflyt-challenge.<domain>.
type DNSVerifier struct {
	// Resolver is net.DefaultResolver when nil.
	Resolver *net.Resolver
	// Timeout bounds a lookup; 5 s when zero.
	Timeout time.Duration
}

// VerifyDomain implements DomainVerifier.
func (v DNSVerifier) VerifyDomain(ctx context.Context, domain, token string) error {
	r := v.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	to := v.Timeout
	if to == 0 {
		to = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	txts, err := r.LookupTXT(ctx, ChallengePrefix+domain)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotVerified, err)
	}
	for _, t := range txts {
		if strings.TrimSpace(t) == token {
			return nil
		}
	}
	return ErrNotVerified
}

// OfflineVerifier is the test double: Publish a challenge as a domain's
// owner would, and VerifyDomain finds it.
type OfflineVerifier struct {
	mu      sync.Mutex
	records map[string][]string
}

// Publish adds a TXT value for domain's challenge record.
func (v *OfflineVerifier) Publish(domain, token string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.records == nil {
		v.records = map[string][]string{}
	}
	v.records[domain] = append(v.records[domain], token)
}

// VerifyDomain implements DomainVerifier.
func (v *OfflineVerifier) VerifyDomain(_ context.Context, domain, token string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, t := range v.records[domain] {
		if t == token {
			return nil
		}
	}
	return ErrNotVerified
}

// SetPublicURL names the platform's public URL, whose host no tenant may
// claim.
func (r *Registry) SetPublicURL(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publicHost = ""
	if p, err := neturl.Parse(u); err == nil {
		r.publicHost = strings.TrimSuffix(strings.ToLower(p.Hostname()), ".")
	}
}

// platformHost reports whether host is the platform's own: the base domain
// or any name under it (tenant subdomains are given by slug, never
// claimed), or the public host.
func (r *Registry) platformHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if r.baseDomain != "" && (host == r.baseDomain || strings.HasSuffix(host, "."+r.baseDomain)) {
		return true
	}
	r.mu.RLock()
	ph := r.publicHost
	r.mu.RUnlock()
	return ph != "" && host == ph
}

// DomainProblem says why tenantID may not claim domain: ErrDomainPlatform,
// ErrDomainTaken (another tenant's verified domain), or nil.
func (r *Registry) DomainProblem(tenantID, domain string) error {
	if r.platformHost(domain) {
		return ErrDomainPlatform
	}
	r.mu.RLock()
	t, ok := r.byDomain[strings.ToLower(domain)]
	r.mu.RUnlock()
	if ok && t.ID != tenantID {
		return ErrDomainTaken
	}
	return nil
}

// Claims returns a tenant's pending domain claims, by domain.
func (r *Registry) Claims(tenantID string) []Claim {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]Claim(nil), r.claims[tenantID]...)
}

func newToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return "mf-" + hex.EncodeToString(b[:])
}

// setDomains makes the tenant's domains (verified and claimed) the given
// list: a verified domain stays verified, a new one becomes a claim with a
// fresh token, and those left out go.
func (r *Registry) setDomains(tx *gorm.DB, tenantID string, domains []string) error {
	want := map[string]bool{}
	for _, d := range domains {
		if err := r.DomainProblem(tenantID, d); err != nil {
			return err
		}
		want[d] = true
	}
	var have []Domain
	if err := tx.Where("tenant_id = ?", tenantID).Find(&have).Error; err != nil {
		return err
	}
	verified := map[string]bool{}
	for _, d := range have {
		if want[d.Domain] {
			verified[d.Domain] = true
			continue
		}
		if err := tx.Where("domain = ? AND tenant_id = ?", d.Domain, tenantID).Delete(&Domain{}).Error; err != nil {
			return err
		}
	}
	var claims []Claim
	if err := tx.Where("tenant_id = ?", tenantID).Find(&claims).Error; err != nil {
		return err
	}
	claimed := map[string]bool{}
	for _, c := range claims {
		if want[c.Domain] && !verified[c.Domain] {
			claimed[c.Domain] = true
			continue
		}
		if err := tx.Where("domain = ? AND tenant_id = ?", c.Domain, tenantID).Delete(&Claim{}).Error; err != nil {
			return err
		}
	}
	for _, d := range domains {
		if verified[d] || claimed[d] {
			continue
		}
		if err := tx.Create(&Claim{Domain: d, TenantID: tenantID, Token: newToken()}).Error; err != nil {
			return err
		}
	}
	return nil
}

// VerifyDomain checks the challenge of the tenant's claim on domain; when it
// holds, the domain takes effect for the tenant (unless it became the
// platform's or another tenant's meanwhile).
func (r *Registry) VerifyDomain(ctx context.Context, tenantID, domain string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	var c *Claim
	for _, x := range r.Claims(tenantID) {
		if x.Domain == domain {
			x := x
			c = &x
		}
	}
	if c == nil {
		return ErrNoClaim
	}
	if err := r.DomainProblem(tenantID, domain); err != nil {
		return err
	}
	v := r.Verifier
	if v == nil {
		v = DNSVerifier{}
	}
	if err := v.VerifyDomain(ctx, domain, c.Token); err != nil {
		if errors.Is(err, ErrNotVerified) {
			return ErrNotVerified
		}
		return err
	}
	ctx = store.System(ctx, "tenant admin: verified own custom domain")
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&Domain{Domain: domain, TenantID: tenantID}).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return ErrDomainTaken
			}
			return err
		}
		return tx.Where("domain = ? AND tenant_id = ?", domain, tenantID).Delete(&Claim{}).Error
	})
	if err != nil {
		return err
	}
	return r.changed(ctx, tenantID)
}
