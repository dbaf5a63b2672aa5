package learn_test

import (
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/learn"
)

// Learn reads logs and proposes a configuration from what the upstreams
// answered: two hosts doing the same make the top level.
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
	//   "allow_origins": [
	//     "https://app.example.com"
	//   ]
	// }
	// 2 observations, 0 risks
}
