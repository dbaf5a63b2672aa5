package filter

// The test hook: a function the test builds run at the start of each
// phase's work, so that tests can make the real module panic or allocate.
// Which file defines callTestHook is the build's choice:
//   - testhook_off.go, the production module (wasip1 without a test tag):
//     an empty function, inlined away; the module has no hook at all.
//   - testhook_on.go, the test modules (-tags corswasm_panictest,
//     corswasm_allocstat) and the native build, which only the filter's own
//     tests use (the module is always built for wasip1): a hook variable the
//     test builds set in an init (testhook_panic.go, testhook_alloc.go) and
//     native tests set per test.

// Callback phases, as named to the test hook.
const (
	phaseRequest  = "request"
	phaseResponse = "response"
)
