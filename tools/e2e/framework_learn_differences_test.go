//go:build !wasip1

package e2e

import (
	"testing"
)

// The deliberate differences of the learned migration: where corswasm,
// enforcing the one proposal `corswasm learn` made from the fleet's audit
// logs, answers a fetch of the comparison corpus otherwise than the
// framework did. The kinds are deliberateDifferences'; each entry says why
// the configuration shows it. An unlisted difference fails the test, and
// so does a listed one that does not occur.

// learnedDifference is one kind of deliberate difference a configuration
// shows, and why.
type learnedDifference struct {
	kind, why string
}

var learnedDifferences = map[string][]learnedDifference{
	"django/api-allowlist":          {refusedWith403, refusedOutsideWithVary},
	"django/allow-all":              {refusedWith403},
	"django/reflect-credentials":    {unseenNotReflected, refusedWith403},
	"express/api-only":              {refusedWith403, refusedOutsideWithVary},
	"express/allowlist-credentials": {refusedWith403},
	"express/reflect-credentials":   {unseenNotReflected},
	"flask/api-allowlist": {refusedWith403, {"vary-added", "Flask-CORS sent no Vary: Origin on some answers to " +
		"origins it refused, and outside /api/ the proposal's top level refuses with Vary: Origin"}},
	"flask/defaults": {unseenNotReflected, {"refused-preflight-403", "Flask-CORS's defaults answer every " +
		"preflight 200 with the origin and no credentials, which a credentialed fetch fails; for null, which " +
		"the proposal leaves out, corswasm answers 403"}},
	"flask/reflect-credentials":   {unseenNotReflected},
	"nginx/api-only":              {refusedWith403, refusedOutsideWithVary},
	"nginx/allowlist-credentials": {refusedWith403},
	"nginx/reflect-credentials": {unseenNotReflected, refusedWith403, {"vary-added", "the configuration " +
		"echoes $http_origin without Vary"}},
	"starlette/allowlist": {refusedWith403, {"vary-added", "Starlette's CORSMiddleware sends no Vary: Origin " +
		"on the simple responses of origins it refuses"}},
	"starlette/public-wildcard": {refusedWith403, {"safelisted-method-allowed", "allow_methods without POST: " +
		"Starlette refuses a preflight for POST, which corswasm allows as a safelisted method"}},
	"starlette/wildcard-credentials": {unseenNotReflected, {"vary-added", "Starlette answers * without Vary " +
		"to a request without cookies and echoes the origin to one with cookies; corswasm echoes it with Vary: Origin"}},
}

var (
	refusedWith403 = learnedDifference{"refused-preflight-403", "the framework refuses a preflight with another " +
		"status (2xx with headers a later check fails, or 400); corswasm answers 403"}
	refusedOutsideWithVary = learnedDifference{"vary-added", "outside /api/ the framework sends no CORS " +
		"headers; the proposal's top level allows no origin there, and corswasm's refusal carries Vary: Origin"}
	unseenNotReflected = learnedDifference{"origin-not-reflected", "the configuration reflects every origin: " +
		"origins the learning corpus never sent (and null) read its responses; the proposal lists the plausible " +
		"origins seen"}
)

// learnedKinds are the kinds of the configuration's learned differences.
func learnedKinds(key string) []string {
	var kinds []string
	for _, d := range learnedDifferences[key] {
		kinds = append(kinds, d.kind)
	}
	return kinds
}

// checkLearnedDifferences checks that learnedDifferences names exactly the
// configurations started, and known kinds, each with a reason.
func checkLearnedDifferences(t *testing.T, starts []appStart) {
	t.Helper()
	known := map[string]bool{}
	for _, s := range starts {
		known[s.key()] = true
		if _, ok := learnedDifferences[s.key()]; !ok {
			t.Errorf("learnedDifferences has no entry for %s", s.key())
		}
	}
	for key, diffs := range learnedDifferences {
		if !known[key] {
			t.Errorf("learnedDifferences names %s, which no configs.json has", key)
		}
		for _, d := range diffs {
			if deliberateReason(d.kind) == "" || d.why == "" {
				t.Errorf("learnedDifferences[%s]: %q is no deliberate difference, or has no reason", key, d.kind)
			}
		}
	}
}
