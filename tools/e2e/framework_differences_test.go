//go:build !wasip1

package e2e

import (
	"slices"
)

// The deliberate differences: where corswasm, enforcing the policy a team
// migrates to, answers a fetch otherwise than the team's framework did, on
// purpose. Each difference the migration tests see must be one of these,
// and listed for its configuration in expectedDifferences; each one listed
// there must occur, so that the list stays exact.

// deliberateDifference is one kind of deliberate difference.
type deliberateDifference struct {
	name   string
	reason string
	// explains says whether the difference between the framework's
	// answer and corswasm's to the fetch is of this kind.
	explains func(f browserFetch, fw, cw browserAnswer) bool
}

var deliberateDifferences = []deliberateDifference{
	{
		name: "origin-not-reflected",
		reason: "the framework let an origin the team never meant read the response (a vulnerable configuration " +
			"reflecting every origin); the policy allows the team's origins alone, so the risk is not reproduced",
		explains: func(f browserFetch, fw, cw browserAnswer) bool {
			return !slices.Contains(teamOrigins, f.origin) && readable(fw) && !readable(cw)
		},
	},
	{
		name: "header-not-reflected",
		reason: "the framework allowed whatever request headers a preflight asked for (it echoes them); the policy " +
			"lists the team's headers, and corswasm refuses a preflight asking for another (403)",
		explains: func(f browserFetch, fw, cw browserAnswer) bool {
			return slices.Contains(teamOrigins, f.origin) && slices.ContainsFunc(f.headers, notTeamHeader) &&
				fw.Preflight == "ok" && cw.Preflight == "failed" && cw.PreflightStatus == 403
		},
	},
	{
		name: "refused-preflight-403",
		reason: "both refuse the preflight, and the page gets the same network error; corswasm answers 403 without " +
			"CORS headers, where the framework answered 2xx with headers a later check fails, so logs show the refusal",
		explains: func(f browserFetch, fw, cw browserAnswer) bool {
			return fw.Preflight == "failed" && fw.PreflightStatus != 403 && cw.PreflightStatus == 403 &&
				equalAfter(fw, cw, func(a *browserAnswer) { a.PreflightStatus = 403 })
		},
	},
	{
		name: "vary-added",
		reason: "the framework's Access-Control-Allow-Origin depended on the origin without Vary: Origin, so a shared " +
			"cache could serve one origin's answer to another; corswasm adds it",
		explains: func(f browserFetch, fw, cw browserAnswer) bool {
			return !fw.VaryOrigin && cw.VaryOrigin && equalAfter(fw, cw, func(a *browserAnswer) { a.VaryOrigin = true })
		},
	},
	{
		name: "safelisted-method-allowed",
		reason: "the framework refused a preflight for POST (or HEAD) when its allowed methods left it out; a browser " +
			"sends a POST of a form's content type with no preflight at all, so such a refusal protects nothing, and " +
			"corswasm always allows the CORS-safelisted methods (GET, HEAD, POST)",
		explains: func(f browserFetch, fw, cw browserAnswer) bool {
			return corsSafelistedMethod(f.method) && f.method != "GET" && fw.Preflight == "failed" &&
				cw.PreflightStatus >= 200 && cw.PreflightStatus <= 299
		},
	},
}

// expectedDifferences are, for each framework/configuration, the kinds of
// deliberate differences its migration shows (each must occur).
var expectedDifferences = map[string][]string{
	// cors reflects the requested headers by default; it answers a refused
	// preflight 204 without Access-Control-Allow-Origin.
	"express/api-only":              {"header-not-reflected", "refused-preflight-403"},
	"express/allowlist-credentials": {"refused-preflight-403"},
	"express/reflect-credentials":   {"origin-not-reflected", "header-not-reflected"},
	"nginx/api-only":                {"refused-preflight-403"},
	"nginx/allowlist-credentials":   {"refused-preflight-403"},
	// The echoing configuration also forgot Vary.
	"nginx/reflect-credentials":      {"origin-not-reflected", "header-not-reflected", "refused-preflight-403", "vary-added"},
	"flask/api-allowlist":            {"refused-preflight-403", "vary-added"},
	"flask/defaults":                 {},
	"flask/reflect-credentials":      {"origin-not-reflected", "header-not-reflected"},
	"django/api-allowlist":           {"refused-preflight-403"},
	"django/allow-all":               {"refused-preflight-403"},
	"django/reflect-credentials":     {"origin-not-reflected", "refused-preflight-403"},
	"starlette/allowlist":            {"refused-preflight-403", "vary-added"},
	"starlette/public-wildcard":      {"refused-preflight-403", "safelisted-method-allowed"},
	"starlette/wildcard-credentials": {"origin-not-reflected", "header-not-reflected", "vary-added"},
}

// readable: the page can read the response.
func readable(a browserAnswer) bool { return a.Sent && !a.Blocked }

func notTeamHeader(name string) bool { return !slices.Contains(teamHeaders, name) }

// equalAfter says whether the framework's answer, changed by adjust, is
// corswasm's: the difference is adjust's alone.
func equalAfter(fw, cw browserAnswer, adjust func(*browserAnswer)) bool {
	adjust(&fw)
	return fw.alike(cw)
}

// explainDifference names the kind of deliberate difference between the
// two answers, or "" when none explains it.
func explainDifference(f browserFetch, fw, cw browserAnswer) string {
	for _, d := range deliberateDifferences {
		if d.explains(f, fw, cw) {
			return d.name
		}
	}
	return ""
}

// deliberateReason is the reason of the kind of difference named.
func deliberateReason(name string) string {
	for _, d := range deliberateDifferences {
		if d.name == name {
			return d.reason
		}
	}
	return ""
}
