package tenants

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
)

// The Casbin model: RBAC with domains, where the domain is the tenant ID and
// "*" holds the platform defaults. Each role is enforced on its own and a
// request is allowed when any of the principal's roles allows it; within a
// role a tenant's deny rule overrides a default allow.
const casbinModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act, eft

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.sub == p.sub && (p.dom == r.dom || p.dom == "*") && (p.obj == r.obj || p.obj == "*") && (p.act == r.act || p.act == "*")
`

// Permissions is the catalogue of objects and their actions (access.Catalogue);
// rules outside it are refused.
var Permissions = access.Catalogue()

// DefaultRules are the platform defaults (domain "*"): role, object, action.
var DefaultRules = [][3]string{
	{auth.RoleAnonymous, "directory", "read"},
	{auth.RoleAnonymous, "tenant", "read"},
	{auth.RoleAnonymous, "listings", "read"},
	{auth.RoleAnonymous, "statistics", "read"},
	{auth.RoleAnonymous, "live", "view"},
	{auth.RoleMember, "listings", "create"},
	{auth.RoleMember, "listings", "update"},
	{auth.RoleOrgAdmin, "listings", "create"},
	{auth.RoleOrgAdmin, "listings", "update"},
	{auth.RoleTenantAdmin, "listings", "*"},
	{auth.RoleSupervisor, "listings", "read"},
	{auth.RoleAuthenticated, "contacts", "read"},
	{auth.RoleAuthenticated, "directory", "create"},
	{auth.RoleAuthenticated, "memberships", "request"},
	{auth.RoleAuthenticated, "tokens", "manage"},
	{auth.RoleAuthenticated, "me", "read"},
	{auth.RoleAuthenticated, "notifications", "read"},
	{auth.RoleAuthenticated, "notifications", "update"},
	{auth.RoleAuthenticated, "matches", "read"},
	{auth.RoleAuthenticated, "documents", "read"},
	{auth.RoleAuthenticated, "plans", "read"},
	{auth.RoleMember, "matches", "dismiss"},
	{auth.RoleOrgAdmin, "matches", "dismiss"},
	{auth.RoleTenantAdmin, "matches", "*"},
	{auth.RoleMember, "directory", "update"},
	{auth.RoleMember, "contacts", "write"},
	{auth.RoleMember, "memberships", "read"},
	{auth.RoleTransporter, "vehicles", "create"},
	{auth.RoleOrgAdmin, "directory", "update"},
	{auth.RoleOrgAdmin, "directory", "delete"},
	{auth.RoleOrgAdmin, "contacts", "write"},
	{auth.RoleOrgAdmin, "memberships", "read"},
	{auth.RoleOrgAdmin, "memberships", "approve"},
	{auth.RoleOrgAdmin, "vehicles", "approve"},
	{auth.RoleSupervisor, "directory", "read"},
	{auth.RoleSupervisor, "contacts", "read"},
	{auth.RoleSupervisor, "memberships", "read"},
	{auth.RoleSupervisor, "tenant", "read"},
	{auth.RoleSupervisor, "tokens", "manage"},
	{auth.RoleSupervisor, "me", "read"},
	{auth.RoleSupervisor, "notifications", "read"},
	{auth.RoleSupervisor, "notifications", "update"},
	{auth.RoleSupervisor, "matches", "read"},
	{auth.RoleSupervisor, "documents", "read"},
	{auth.RoleSupervisor, "plans", "read"},
	{auth.RoleTenantAdmin, "directory", "*"},
	{auth.RoleTenantAdmin, "contacts", "*"},
	{auth.RoleTenantAdmin, "vehicles", "*"},
	{auth.RoleTenantAdmin, "memberships", "*"},
	{auth.RoleTenantAdmin, "tenant", "*"},
	{auth.RoleTenantAdmin, "tokens", "manage"},
	{auth.RoleMember, "dialogs", "read"},
	{auth.RoleMember, "dialogs", "write"},
	{auth.RoleOrgAdmin, "dialogs", "read"},
	{auth.RoleOrgAdmin, "dialogs", "write"},
	{auth.RoleTransporter, "dialogs", "read"},
	{auth.RoleTransporter, "dialogs", "write"},
	{auth.RoleSupervisor, "dialogs", "read"},
	{auth.RoleTenantAdmin, "dialogs", "read"},
	{auth.RoleMember, "agreements", "read"},
	{auth.RoleMember, "agreements", "write"},
	{auth.RoleOrgAdmin, "agreements", "read"},
	{auth.RoleOrgAdmin, "agreements", "write"},
	{auth.RoleOrgAdmin, "agreements", "sign"},
	{auth.RoleTransporter, "agreements", "read"},
	{auth.RoleTransporter, "agreements", "write"},
	{auth.RoleTransporter, "agreements", "sign"},
	{auth.RoleSupervisor, "agreements", "read"},
	{auth.RoleTenantAdmin, "agreements", "read"},
	{auth.RoleTenantAdmin, "contract_templates", "manage"},
	{auth.RoleMember, "loads", "read"},
	{auth.RoleMember, "loads", "receive"},
	{auth.RoleOrgAdmin, "loads", "read"},
	{auth.RoleOrgAdmin, "loads", "receive"},
	{auth.RoleTransporter, "loads", "read"},
	{auth.RoleTransporter, "loads", "drive"},
	{auth.RoleSupervisor, "loads", "read"},
	{auth.RoleTenantAdmin, "loads", "read"},
	{auth.RoleTenantAdmin, "receipt_templates", "manage"},
	{auth.RoleMember, "reports", "read"},
	{auth.RoleOrgAdmin, "reports", "read"},
	{auth.RoleSupervisor, "reports", "read"},
	{auth.RoleTenantAdmin, "reports", "read"},
	{auth.RoleMember, "transport", "read"},
	{auth.RoleMember, "transport", "write"},
	{auth.RoleOrgAdmin, "transport", "read"},
	{auth.RoleOrgAdmin, "transport", "write"},
	{auth.RoleTransporter, "transport", "read"},
	{auth.RoleTransporter, "transport", "write"},
	{auth.RoleSupervisor, "transport", "read"},
	{auth.RoleTenantAdmin, "transport", "read"},
	{auth.RoleOrgAdmin, "billing", "read"},
	{auth.RoleOrgAdmin, "billing", "update"},
	{auth.RoleSupervisor, "billing", "read"},
	{auth.RoleTenantAdmin, "billing", "*"},
	{auth.RoleMember, "climate", "read"},
	{auth.RoleOrgAdmin, "climate", "read"},
	{auth.RoleOrgAdmin, "climate", "recompute"},
	{auth.RoleTransporter, "climate", "read"},
	{auth.RoleSupervisor, "climate", "read"},
	{auth.RoleTenantAdmin, "climate", "*"},
	{auth.RoleSuperadmin, "*", "*"},
}

// Rule is one policy line as shown to admins.
type Rule struct {
	Role   string `json:"role"`
	Object string `json:"object"`
	Action string `json:"action"`
	Effect string `json:"effect"` // allow or deny
	Tenant string `json:"-"`
	// Default marks a platform default (read-only for tenant admins).
	Default bool `json:"default"`
}

// Assignment is a role given to a user in a tenant.
type Assignment struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

// Roles decides what a role may do, per tenant.
type Roles struct {
	e  *casbin.SyncedEnforcer
	db *store.DB

	// decisions caches Enforce results; any policy change clears it.
	// writes serializes reloads with this instance's own changes: a reload
	// reads the table and then swaps the policy in, and a change made in
	// between would be lost.
	writes sync.Mutex

	// decisions caches Enforce results and userRoles role lookups; gen
	// counts policy changes, and a result computed before a change is not
	// cached after it.
	gen       atomic.Uint64
	decisions sync.Map // "role|dom|obj|act" → bool
	userRoles sync.Map // "user|dom" → []string
	stop      chan struct{}

	// OnChange runs after this instance changed rules or assignments, so
	// other instances can be told to reload at once.
	OnChange func()
}

// NewRoles loads the policy from the casbin_rule table (created by the
// migrations, so the adapter's auto-migration is off) and ensures the
// defaults are present. Policies are reloaded every reload interval so
// changes made on other instances arrive.
func NewRoles(db *store.DB, reload time.Duration) (*Roles, error) {
	g := db.Gorm.WithContext(store.System(context.Background(), "casbin policy table (global)"))
	gormadapter.TurnOffAutoMigrate(g)
	a, err := gormadapter.NewAdapterByDBUseTableName(g, "", "casbin_rule")
	if err != nil {
		return nil, fmt.Errorf("casbin adapter: %w", err)
	}
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m, a)
	if err != nil {
		return nil, fmt.Errorf("casbin: %w", err)
	}
	r := &Roles{e: e, db: db, stop: make(chan struct{})}
	if err := r.ensureDefaults(); err != nil {
		return nil, err
	}
	if reload > 0 {
		go func() {
			tk := time.NewTicker(reload)
			defer tk.Stop()
			for {
				select {
				case <-r.stop:
					return
				case <-tk.C:
					_ = r.Reload()
				}
			}
		}()
	}
	return r, nil
}

// Close stops the reload loop.
func (r *Roles) Close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
}

// Reload rereads the policy from the database (changes made by other instances).
func (r *Roles) Reload() error {
	r.writes.Lock()
	defer r.writes.Unlock()
	err := r.e.LoadPolicy()
	r.changed()
	return err
}

func (r *Roles) changed() {
	r.gen.Add(1)
	r.decisions.Clear()
	r.userRoles.Clear()
}

func (r *Roles) ensureDefaults() error {
	var missing [][]string
	for _, d := range DefaultRules {
		rule := []string{d[0], "*", d[1], d[2], "allow"}
		if ok, _ := r.e.HasPolicy(rule); !ok {
			missing = append(missing, rule)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := r.e.AddPolicies(missing)
	r.changed()
	return err
}

// Decision is the outcome of Authorize.
// AdminOnly means only an admin role (tenant admin, superadmin) allowed
// it: the caller must then require a second factor.
type Decision = access.Decision

var _ access.Rules = (*Roles)(nil)

// Decide is Authorize, as the domain's access.Rules.
func (r *Roles) Decide(roles []string, tenantID, obj, act string) Decision {
	return r.Authorize(roles, tenantID, obj, act)
}

// Authorize decides whether any of roles may do act on obj in tenantID.
func (r *Roles) Authorize(roles []string, tenantID, obj, act string) Decision {
	var d Decision
	for _, role := range roles {
		key := role + "|" + tenantID + "|" + obj + "|" + act
		v, hit := r.decisions.Load(key)
		ok := hit && v.(bool)
		if !hit {
			gen := r.gen.Load()
			var err error
			ok, err = r.e.Enforce(role, tenantID, obj, act)
			ok = ok && err == nil
			if r.gen.Load() == gen { // no policy change meanwhile
				r.decisions.Store(key, ok)
				if r.gen.Load() != gen { // one began while storing
					r.decisions.Delete(key)
				}
			}
		}
		if !ok {
			continue
		}
		if !auth.AdminRoles[role] {
			return Decision{Allowed: true}
		}
		d = Decision{Allowed: true, AdminOnly: true}
	}
	return d
}

func subject(userID string) string { return "u:" + userID }

// UserRoles returns the roles assigned to a user in a tenant (and superadmin, platform-wide).
// The result is shared: callers must not modify it.
func (r *Roles) UserRoles(userID, tenantID string) []string {
	key := userID + "|" + tenantID
	if v, ok := r.userRoles.Load(key); ok {
		return v.([]string)
	}
	gen := r.gen.Load()
	out := r.e.GetRolesForUserInDomain(subject(userID), tenantID)
	for _, s := range r.e.GetRolesForUserInDomain(subject(userID), "*") {
		if s == auth.RoleSuperadmin {
			out = append(out, s)
		}
	}
	out = out[:len(out):len(out)]
	if r.gen.Load() == gen {
		r.userRoles.Store(key, out)
		if r.gen.Load() != gen {
			r.userRoles.Delete(key)
		}
	}
	return out
}

// IsSuperadmin reports whether the user is a platform superadmin.
func (r *Roles) IsSuperadmin(userID string) bool {
	for _, s := range r.e.GetRolesForUserInDomain(subject(userID), "*") {
		if s == auth.RoleSuperadmin {
			return true
		}
	}
	return false
}

// Assign gives a user a role in a tenant ("*" with superadmin for the platform).
func (r *Roles) Assign(userID, role, tenantID string) error {
	return r.change(func() error {
		_, err := r.e.AddGroupingPolicy(subject(userID), role, tenantID)
		return err
	})
}

// AssignIn is Assign as part of ctx's unit of work (store.Unit): the rule's
// row is written in the unit's transaction, not through Casbin's own
// connection, and takes effect here at once; if the unit rolls back, the
// policy is read again from the database, and other instances are told
// only once it commits. Outside a unit it is Assign.
func (r *Roles) AssignIn(ctx context.Context, userID, role, tenantID string) error {
	if !store.InUnit(ctx) {
		return r.Assign(userID, role, tenantID)
	}
	rule := []string{subject(userID), role, tenantID}
	if ok, _ := r.e.HasGroupingPolicy(rule); ok {
		return nil
	}
	sys := store.System(ctx, "casbin policy table (global)")
	if err := r.db.Tx(sys, func(tx *gorm.DB) error {
		return tx.Create(&gormadapter.CasbinRule{Ptype: "g", V0: rule[0], V1: rule[1], V2: rule[2]}).Error
	}); err != nil {
		return err
	}
	store.OnRollback(ctx, func() { _ = r.Reload() })
	r.writes.Lock()
	// The row is written: the enforcer takes the rule into memory only.
	r.e.EnableAutoSave(false)
	_, err := r.e.AddGroupingPolicy(rule[0], rule[1], rule[2])
	r.e.EnableAutoSave(true)
	r.changed()
	r.writes.Unlock()
	if r.OnChange != nil {
		store.AfterUnit(ctx, r.OnChange)
	}
	return err
}

// Unassign removes a role from a user in a tenant.
func (r *Roles) Unassign(userID, role, tenantID string) error {
	return r.change(func() error {
		_, err := r.e.RemoveGroupingPolicy(subject(userID), role, tenantID)
		return err
	})
}

// Assignments lists the direct role assignments in a tenant.
func (r *Roles) Assignments(tenantID string) []Assignment {
	rows, _ := r.e.GetFilteredGroupingPolicy(2, tenantID)
	out := make([]Assignment, 0, len(rows))
	for _, g := range rows {
		out = append(out, Assignment{UserID: strings.TrimPrefix(g[0], "u:"), Role: g[1]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role < out[j].Role
		}
		return out[i].UserID < out[j].UserID
	})
	return out
}

// Rules lists the defaults and a tenant's own rules.
func (r *Roles) Rules(tenantID string) []Rule {
	var out []Rule
	for _, dom := range []string{"*", tenantID} {
		rows, _ := r.e.GetFilteredPolicy(1, dom)
		for _, p := range rows {
			out = append(out, Rule{Role: p[0], Tenant: p[1], Object: p[2], Action: p[3], Effect: p[4], Default: dom == "*"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Default != b.Default {
			return !a.Default
		}
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Action < b.Action
	})
	return out
}

// ValidRule checks a tenant rule against the catalogue. Superadmin and
// platform rules cannot be set per tenant.
func ValidRule(role, obj, act, eft string) bool {
	if eft != "allow" && eft != "deny" {
		return false
	}
	if role == auth.RoleSuperadmin || obj == "platform" {
		return false
	}
	// Administration can be allowed to admin roles only (issue 10, M1).
	if act == "admin" && eft == "allow" && !auth.AdminRoles[role] {
		return false
	}
	okRole := false
	for _, r := range auth.AllRoles {
		okRole = okRole || r == role
	}
	if !okRole {
		return false
	}
	for _, a := range Permissions[obj] {
		if a == act {
			return true
		}
	}
	return false
}

// AddRule adds a tenant rule; it takes effect at once.
func (r *Roles) AddRule(tenantID string, ru Rule) error {
	return r.change(func() error {
		// A rule replaces its opposite effect.
		_, _ = r.e.RemovePolicy(ru.Role, tenantID, ru.Object, ru.Action, opposite(ru.Effect))
		_, err := r.e.AddPolicy(ru.Role, tenantID, ru.Object, ru.Action, ru.Effect)
		return err
	})
}

// RemoveRule removes a tenant rule.
func (r *Roles) RemoveRule(tenantID string, ru Rule) (bool, error) {
	var ok bool
	err := r.change(func() error {
		var err error
		ok, err = r.e.RemovePolicy(ru.Role, tenantID, ru.Object, ru.Action, ru.Effect)
		return err
	})
	return ok, err
}

// change applies a change of this instance, serialized with reloads, and
// then tells the other instances.
func (r *Roles) change(do func() error) error {
	r.writes.Lock()
	err := do()
	r.changed()
	r.writes.Unlock()
	if r.OnChange != nil {
		r.OnChange()
	}
	return err
}

func opposite(eft string) string {
	if eft == "allow" {
		return "deny"
	}
	return "allow"
}

// Holders are the users holding role in tenantID ("*": the platform).
func (r *Roles) Holders(tenantID, role string) []string {
	rows, _ := r.e.GetFilteredGroupingPolicy(1, role, tenantID)
	out := make([]string, 0, len(rows))
	for _, g := range rows {
		out = append(out, strings.TrimPrefix(g[0], "u:"))
	}
	return out
}
