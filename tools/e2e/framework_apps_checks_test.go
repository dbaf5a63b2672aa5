//go:build !wasip1

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The answers each Python framework configuration gives, as recorded in
// frameworks/<framework>/README.md: what the framework does, not what a
// browser or corswasm makes of it.

const (
	appOrigin   = "https://app.example.com"
	appDev      = "http://localhost:3000"
	appEvil     = "https://evil.example"
	appOther    = "https://other.example.net"
	appInsecure = "http://app.example.com"
)

// appRequest is one request a browser would send.
type appRequest struct {
	method, path, origin string
	acrm, acrh           string // a preflight's Access-Control-Request-Method and -Headers
	cookie               bool
}

func (r appRequest) String() string {
	s := fmt.Sprintf("%s %s from %s", r.method, r.path, r.origin)
	if r.acrm != "" {
		s = fmt.Sprintf("preflight %s %s (headers %q) from %s", r.acrm, r.path, r.acrh, r.origin)
	}
	if r.cookie {
		s += " with a cookie"
	}
	return s
}

// appPre is a preflight for method and headers (comma-separated, "" for none).
func appPre(path, origin, method, headers string) appRequest {
	return appRequest{method: http.MethodOptions, path: path, origin: origin, acrm: method, acrh: headers}
}

// appGet is an actual GET request, with credentials when cookie is set.
func appGet(path, origin string, cookie bool) appRequest {
	return appRequest{method: http.MethodGet, path: path, origin: origin, cookie: cookie}
}

// appCheck is a request and what the app must answer: its status and, per
// header, "Name: value" (the field lines joined by ", ") or "-Name" (absent).
type appCheck struct {
	req    appRequest
	status int
	want   []string
}

func (c appCheck) run(base string) error {
	req, err := http.NewRequest(c.req.method, base+c.req.path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Origin", c.req.origin)
	if c.req.acrm != "" {
		req.Header.Set("Access-Control-Request-Method", c.req.acrm)
	}
	if c.req.acrh != "" {
		req.Header.Set("Access-Control-Request-Headers", c.req.acrh)
	}
	if c.req.cookie {
		req.Header.Set("Cookie", "session=1")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	var errs []string
	if resp.StatusCode != c.status {
		errs = append(errs, fmt.Sprintf("status %d; want %d", resp.StatusCode, c.status))
	}
	for _, w := range c.want {
		name, value, present := strings.Cut(w, ": ")
		got := resp.Header.Values(strings.TrimPrefix(name, "-"))
		switch {
		case !present && len(got) > 0:
			errs = append(errs, fmt.Sprintf("%s: %q; want none", name[1:], got))
		case present && strings.Join(got, ", ") != value:
			errs = append(errs, fmt.Sprintf("%s: %q; want %q", name, got, value))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

const (
	appACAO        = "Access-Control-Allow-Origin"
	appACAC        = "Access-Control-Allow-Credentials"
	appNoACAO      = "-" + appACAO
	appNoACAC      = "-" + appACAC
	appNoVary      = "-Vary"
	appVary        = "Vary: Origin"
	appCredentials = appACAC + ": true"
)

// appChecks holds, per framework and configuration, the key answers.
var appChecks = map[string]map[string][]appCheck{
	"flask": {
		"api-allowlist": {
			{appPre("/api/items", appOrigin, "PUT", "content-type,x-request-id"), 200, []string{appACAO + ": " + appOrigin, appCredentials,
				"Access-Control-Allow-Methods: DELETE, GET, POST, PUT", "Access-Control-Allow-Headers: content-type, x-request-id",
				"Access-Control-Max-Age: 600", appVary}},
			// A header not allowed is left out; a method not allowed leaves out Allow-Methods.
			{appPre("/api/items", appOrigin, "PUT", "x-secret"), 200, []string{appACAO + ": " + appOrigin, "-Access-Control-Allow-Headers"}},
			{appPre("/api/items", appOrigin, "PATCH", ""), 200, []string{appACAO + ": " + appOrigin, "-Access-Control-Allow-Methods"}},
			// Refusals carry no CORS header and no Vary.
			{appPre("/api/items", appEvil, "PUT", "content-type"), 200, []string{appNoACAO, appNoACAC, appNoVary}},
			{appGet("/api/items/1", appDev, true), 200, []string{appACAO + ": " + appDev, appCredentials,
				"Access-Control-Expose-Headers: X-Request-Id, X-Total-Count", appVary}},
			{appGet("/api/items", appInsecure, true), 200, []string{appNoACAO, appNoVary}},
			{appGet("/public/info", appOrigin, false), 200, []string{appNoACAO, appNoVary}},
		},
		"defaults": {
			{appPre("/api/items", appEvil, "PUT", "x-secret"), 200, []string{appACAO + ": " + appEvil, appNoACAC,
				"Access-Control-Allow-Headers: x-secret", "Access-Control-Allow-Methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT", appVary}},
			{appGet("/api/items", "null", false), 200, []string{appACAO + ": null", appNoACAC, appVary}},
			{appGet("/admin/stats", appOther, true), 200, []string{appACAO + ": " + appOther, appNoACAC}},
		},
		"reflect-credentials": {
			{appGet("/api/items", appEvil, true), 200, []string{appACAO + ": " + appEvil, appCredentials, appVary}},
			{appPre("/api/items/1", "null", "DELETE", "authorization"), 200, []string{appACAO + ": null", appCredentials,
				"Access-Control-Allow-Headers: authorization"}},
			{appGet("/admin/stats", "https://app.example.com.evil.example", true), 200, []string{
				appACAO + ": https://app.example.com.evil.example", appCredentials}},
		},
	},
	"django": {
		"api-allowlist": {
			{appPre("/api/items", appOrigin, "PUT", "content-type,x-request-id"), 200, []string{appACAO + ": " + appOrigin, appCredentials,
				"Access-Control-Allow-Methods: DELETE, GET, OPTIONS, PATCH, POST, PUT",
				"Access-Control-Allow-Headers: accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with, x-request-id",
				"Access-Control-Max-Age: 600", appVary}},
			// Refusals still carry Allow-Credentials and Vary, but no origin.
			{appPre("/api/items", appEvil, "PUT", "content-type"), 200, []string{appNoACAO, appCredentials, appVary}},
			{appGet("/api/items/1", appDev, true), 200, []string{appACAO + ": " + appDev, appCredentials,
				"Access-Control-Expose-Headers: X-Request-Id, X-Total-Count", appVary}},
			{appGet("/api/items", appInsecure, false), 200, []string{appNoACAO, appVary}},
			{appPre("/admin/stats", appOrigin, "POST", "content-type"), 405, []string{appNoACAO, appNoVary}},
			{appGet("/public/info", appOrigin, false), 200, []string{appNoACAO, appNoVary}},
		},
		"allow-all": {
			{appPre("/api/items", appEvil, "PUT", "x-secret"), 200, []string{appACAO + ": *", appNoACAC,
				"Access-Control-Allow-Headers: accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with",
				"Access-Control-Max-Age: 86400", appVary}},
			{appGet("/public/info", "null", true), 200, []string{appACAO + ": *", appNoACAC, appVary}},
		},
		"reflect-credentials": {
			{appGet("/api/items", appEvil, true), 200, []string{appACAO + ": " + appEvil, appCredentials, appVary}},
			{appPre("/admin/stats", "null", "POST", "x-secret"), 200, []string{appACAO + ": null", appCredentials}},
		},
	},
	"starlette": {
		"allowlist": {
			{appPre("/api/items", appOrigin, "PUT", "content-type,x-request-id"), 200, []string{appACAO + ": " + appOrigin, appCredentials,
				"Access-Control-Allow-Methods: GET, POST, PUT, DELETE",
				"Access-Control-Allow-Headers: Accept, Accept-Language, Authorization, Content-Language, Content-Type, X-Request-Id",
				"Access-Control-Max-Age: 600", appVary}},
			// Refused preflights answer 400.
			{appPre("/api/items", appOrigin, "PUT", "x-secret"), 400, []string{appACAO + ": " + appOrigin}},
			{appPre("/api/items", appOrigin, "PATCH", ""), 400, []string{appACAO + ": " + appOrigin}},
			{appPre("/api/items", appEvil, "PUT", "content-type"), 400, []string{appNoACAO, appVary}},
			{appGet("/api/items", appOrigin, true), 200, []string{appACAO + ": " + appOrigin, appCredentials,
				"Access-Control-Expose-Headers: X-Request-Id, X-Total-Count", appVary}},
			// A refused actual request lacks Vary.
			{appGet("/api/items", appEvil, true), 200, []string{appNoACAO, appCredentials, appNoVary}},
		},
		"public-wildcard": {
			{appPre("/api/items", appOrigin, "PUT", "content-type"), 400, []string{appACAO + ": *", "Access-Control-Allow-Methods: GET"}},
			{appGet("/api/items", appEvil, false), 200, []string{appACAO + ": *", appNoVary}},
			// With a cookie the origin is echoed, without Allow-Credentials.
			{appGet("/api/items", appEvil, true), 200, []string{appACAO + ": " + appEvil, appNoACAC, appVary}},
		},
		"wildcard-credentials": {
			{appPre("/api/items", appEvil, "PUT", "x-secret"), 200, []string{appACAO + ": " + appEvil, appCredentials,
				"Access-Control-Allow-Headers: x-secret", appVary}},
			{appGet("/api/items", appEvil, false), 200, []string{appACAO + ": *", appCredentials, appNoVary}},
			{appGet("/admin/stats", "null", true), 200, []string{appACAO + ": null", appCredentials, appVary}},
		},
	},
}
