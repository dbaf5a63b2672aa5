//go:build corswasm_panictest

package filter

func init() { testHook = panicOnDemand }
