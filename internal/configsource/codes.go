package configsource

import "github.com/corswasm/corswasm/internal/engine"

// Codes of what the readers of documents report about them and their
// plugins, beside policy's codes about a configuration (engine.Codes).
// They are as stable as policy's; the README's second code table lists
// them.
const (
	// CodeNoConfiguration: a file without a corswasm configuration. A note
	// when other files of the run have one, an error when none has.
	CodeNoConfiguration engine.Code = "no_corswasm_configuration"
	// CodePluginSkipped: a Wasm plugin that is not corswasm's, or that no
	// --plugin names; left alone (a note).
	CodePluginSkipped engine.Code = "plugin_skipped"
	// CodePluginGuessed: a Wasm plugin whose module has no name (inline
	// code), taken for corswasm's because its configuration looks like
	// corswasm's (a note; see Select).
	CodePluginGuessed engine.Code = "plugin_guessed"
	// CodePluginNotFound: a --plugin that names no Wasm plugin of any file
	// (an error).
	CodePluginNotFound engine.Code = "plugin_not_found"
	// CodeListInvalid: a Kubernetes List whose items are not objects (an
	// error).
	CodeListInvalid engine.Code = "list_invalid"
)

// Codes lists every code of this package, in the order of the README's
// table.
var Codes = []engine.Code{CodeNoConfiguration, CodePluginSkipped, CodePluginGuessed, CodePluginNotFound, CodeListInvalid}
