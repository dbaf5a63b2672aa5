package learn_test

import (
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/learn"
)

// Learn reads logs and proposes a configuration from what the upstream
// answered.
func ExampleLearn() {
	log := `[2026-12-07 21:00:00.000][27][info][wasm] wasm log cors: corswasm: observation {"v":1,"host":"api.example.com","rule":"","path":"/v1/","kind":"actual","origin":"https://app.example.com","method":"GET","status":200,"answer":{"access-control-allow-origin":["https://app.example.com"],"vary":["Origin"]}}`
	res, err := learn.Learn([]learn.Input{{Name: "envoy.log", R: strings.NewReader(log)}}, learn.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Config))
	fmt.Println(res.Report.Counts.Observations, "observation,", len(res.Report.Risks), "risks")
	// Output:
	// {
	//   "allow_origins": [
	//     "https://app.example.com"
	//   ]
	// }
	// 1 observation, 0 risks
}
