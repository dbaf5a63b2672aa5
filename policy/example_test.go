package policy_test

import (
	"fmt"

	"github.com/corswasm/corswasm/policy"
)

func Example() {
	p, err := policy.Load([]byte(`{
		"allow_origins": ["https://app.example.com", "https://*.preview.example.com"],
		"allow_methods": ["PUT", "DELETE"],
		"allow_headers": ["content-type", "authorization"],
		"allow_credentials": true,
		"max_age": 600
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var d policy.Decision
	p.Evaluate(&policy.Request{
		Method:         "OPTIONS",
		Origins:        []string{"https://pr-7.preview.example.com"},
		RequestMethod:  "PUT",
		RequestHeaders: []string{"authorization,content-type"},
	}, &d)
	fmt.Println(d.Kind(), d.Status(), "vary:", d.Vary())
	for _, h := range d.Headers() {
		fmt.Printf("%s: %s\n", h.Name, h.Value)
	}
	// Output:
	// preflight allowed 204 vary: true
	// access-control-allow-origin: https://pr-7.preview.example.com
	// access-control-allow-credentials: true
	// access-control-allow-methods: PUT, DELETE
	// access-control-allow-headers: content-type, authorization
	// access-control-max-age: 600
}

func ExampleLoad_errors() {
	_, err := policy.Load([]byte(`{
		"allow_origin": ["https://app.example.com"],
		"allow_origins": ["https://app.example.com/", "https://*.com", "*"],
		"allow_credentials": true
	}`))
	fmt.Println(err)
	// Output:
	// unknown field "allow_origin"; did you mean "allow_origins"?
	// allow_origins[0]: "https://app.example.com/": an origin has no path; remove "/"
	// allow_origins[1]: "https://*.com": a wildcard over a public suffix matches every site under it
	// allow_origins[2]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead
}
