package policy_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// cors wraps next with p: it answers preflights itself and sets the CORS
// headers and Vary on the responses of next.
func cors(p *policy.Policy, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		var d policy.Decision
		p.Evaluate(&policy.Request{
			Method:                r.Method,
			Origins:               r.Header.Values("Origin"),
			RequestMethod:         r.Header.Get("Access-Control-Request-Method"),
			RequestHeaders:        r.Header.Values("Access-Control-Request-Headers"),
			RequestPrivateNetwork: r.Header.Get("Access-Control-Request-Private-Network"),
			Scheme:                scheme,
			Authority:             r.Host,
			Path:                  r.URL.RequestURI(),
		}, &d)
		if d.Disabled() || d.Audit() {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		for _, x := range d.Headers() {
			h.Set(x.Name, string(x.AppendValue(nil)))
		}
		if d.Reply() { // a preflight, or a request the policy rejects
			if v := d.VaryValue(); v != "" {
				h.Add("Vary", v)
			}
			w.WriteHeader(d.Status())
			return
		}
		if d.Vary() {
			h.Add("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

func Example_middleware() {
	p, err := policy.Load([]byte(`{
		"allow_origins": ["https://app.example.com"],
		"allow_methods": ["PUT"],
		"allow_headers": ["content-type"],
		"max_age": 600
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	api := cors(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "orders")
	}))

	show := func(method string, header ...string) {
		r := httptest.NewRequest(method, "https://api.example.com/orders", nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Add(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		fmt.Printf("%s %d %q\n", method, w.Code, w.Body.String())
		for _, name := range slices.Sorted(maps.Keys(w.Header())) {
			if name != "Content-Type" {
				fmt.Printf("  %s: %s\n", name, strings.Join(w.Header()[name], ", "))
			}
		}
	}
	show("OPTIONS", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type")
	show("OPTIONS", "Origin", "https://app.example.com", "Access-Control-Request-Method", "DELETE")
	show("PUT", "Origin", "https://app.example.com")
	show("PUT", "Origin", "https://evil.example.net")
	show("GET")
	// Output:
	// OPTIONS 204 ""
	//   Access-Control-Allow-Headers: content-type
	//   Access-Control-Allow-Methods: PUT
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Max-Age: 600
	//   Vary: Origin
	// OPTIONS 403 ""
	//   Vary: Origin, Access-Control-Request-Method
	// PUT 200 "orders"
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Vary: Origin
	// PUT 200 "orders"
	//   Vary: Origin
	// GET 200 "orders"
	//   Vary: Origin
}
