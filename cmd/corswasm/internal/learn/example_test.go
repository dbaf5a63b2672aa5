package learn_test

import (
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/cmd/corswasm/internal/learn"
)

// Learn reads logs and proposes a configuration from what the upstreams
// answered: hosts doing the same share a rule, and the top level allows
// no origin, so that hosts and paths never observed get no CORS.
func ExampleLearn() {
	log := `[2026-12-07 21:00:00.000][27][info][wasm] wasm log cors: corswasm: observation {"v":1,"host":"api.example.com","rule":"","path":"/v1/","kind":"actual","origin":"https://app.example.com","method":"GET","status":200,"answer":{"access-control-allow-origin":["https://app.example.com"],"vary":["Origin"]}}
[2026-12-07 21:00:01.000][27][info][wasm] wasm log cors: corswasm: observation {"v":1,"host":"www.example.com","rule":"","path":"/v1/","kind":"actual","origin":"https://app.example.com","method":"GET","status":200,"answer":{"access-control-allow-origin":["https://app.example.com"],"vary":["Origin"]}}`
	res, err := learn.Learn([]learn.Input{{Name: "envoy.log", R: strings.NewReader(log)}}, learn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Config))
	fmt.Println(res.Report.Counts.Observations, "observations,", len(res.Report.Risks), "risks")
	// Output:
	// {
	//   "allow_origins": [],
	//   "rules": [
	//     {
	//       "name": "api-example-com-v1",
	//       "match": {
	//         "hosts": [
	//           "api.example.com",
	//           "www.example.com"
	//         ],
	//         "path_prefixes": [
	//           "/v1/"
	//         ]
	//       },
	//       "allow_origins": [
	//         "https://app.example.com"
	//       ],
	//       "allow_credentials": false,
	//       "expose_headers": []
	//     }
	//   ]
	// }
	// 2 observations, 0 risks
}
