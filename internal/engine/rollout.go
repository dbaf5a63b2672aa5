package engine

import "strconv"

// Gradual enforcement (enforce_percent): a policy enforces a share of the
// CORS requests it decides and audits the rest. The share is chosen per
// request by a hash of its Origin and :authority, not by chance: a page
// (one origin) calling one host sees one behaviour on every request, and a
// preflight and the actual request it clears always agree. The hash's seed
// is fixed, so every VM of every proxy chooses alike, and a request is
// enforced at a share p exactly when its bucket (0–99) is below p: raising
// the share only adds origins, never swaps them.

// Rollout says how enforce_percent chose between enforcing and auditing a
// request.
type Rollout uint8

// The ways a policy chose.
const (
	// NoRollout: the deciding policy enforces or audits every request
	// (enforce_percent 100 or 0, or not set), or the request is not a
	// CORS request.
	NoRollout Rollout = iota
	// RolloutEnforced: the request fell in the enforced share.
	RolloutEnforced
	// RolloutAudited: the request fell outside it, and is audited.
	RolloutAudited
)

// Rollout says whether the deciding policy's enforce_percent chose to
// enforce or audit this request; Audit reports the outcome either way.
func (d *Decision) Rollout() Rollout { return d.verdict().rollout }

// EnforcePercent is the deciding policy's enforce_percent when Rollout is
// not NoRollout, 0 otherwise.
func (d *Decision) EnforcePercent() int { return int(d.verdict().percent) }

// RollsOut reports whether some enabled policy enforces only a share of
// its requests (an enforce_percent between 1 and 99).
func (p *Policy) RollsOut() bool {
	for _, s := range append([]*scope{p.top}, p.rules...) {
		if s.rollout && s.enabled {
			return true
		}
	}
	return false
}

// enforcementField makes mode and enforce_percent one setting: a rule that
// sets either takes neither from the top level, so that a rule written
// `"mode": "audit"` under a top level enforcing 10% audits, and a rule
// written `"enforce_percent": 10` under a top level in audit mode enforces
// 10%.
func enforcementField(f field) field {
	f.inherit = func(eff, top *Config) {
		if eff.Mode == "" && eff.EnforcePercent == nil {
			eff.Mode, eff.EnforcePercent = top.Mode, top.EnforcePercent
		}
	}
	return f
}

// enforcement checks enforce_percent against mode and sets the scope's
// share; s.audit already says whether mode is "audit".
func (k *compiler) enforcement(s *scope) {
	c := k.c
	s.enforcePercent = 100
	if s.audit {
		s.enforcePercent = 0
	}
	if c.EnforcePercent == nil {
		return
	}
	const field = "enforce_percent"
	n := *c.EnforcePercent
	value := strconv.Itoa(n)
	switch {
	case n < 0 || n > 100:
		k.errorf(CodeOutOfRange, field, -1, value, "must be between 0 and 100")
	case c.Mode == Audit && n > 0:
		k.errorf(CodeModeConflict, field, -1, value, `contradicts "mode": "audit", which enforces nothing: remove "mode" to enforce this share`)
	case c.Mode == Enforce && n == 0:
		k.errorf(CodeModeConflict, field, -1, value, `contradicts "mode": "enforce": 0 enforces nothing; write "mode": "audit" instead`)
	case c.Mode == Audit:
		k.warnf(CodeRedundant, field, -1, value, `"mode": "audit" already enforces nothing; remove enforce_percent`)
	default:
		s.enforcePercent = n
		s.audit = n == 0
		s.rollout = n > 0 && n < 100
	}
}

// choose decides whether s, which enforces a share of its requests,
// enforces the CORS request r, and records the choice in v.
func (s *scope) choose(r *Request, v *verdict) {
	v.percent = uint8(s.enforcePercent)
	if rolloutBucket(r.Origins[0], r.Authority) < uint64(s.enforcePercent) {
		v.rollout, v.audit = RolloutEnforced, false
		return
	}
	v.rollout, v.audit = RolloutAudited, true
}

// rolloutSeed starts the hash. It is fixed: every VM and every proxy must
// put a given origin and host in the same bucket.
const rolloutSeed = 0x6a09e667f3bcc908

// rolloutBucket is the bucket, 0–99, of an origin calling a host: FNV-1a
// (64 bits) of the origin, a separator byte no origin holds, and the host
// in ASCII lower case, mixed by MurmurHash3's 64-bit finalizer so that its
// remainder by 100 is evenly spread. It reads the strings in place: no
// allocation.
func rolloutBucket(origin, host string) uint64 {
	const prime = 0x100000001b3
	h := uint64(rolloutSeed ^ 0xcbf29ce484222325)
	for i := 0; i < len(origin); i++ {
		h = (h ^ uint64(origin[i])) * prime
	}
	h = (h ^ 0xff) * prime
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * prime
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h % 100
}
