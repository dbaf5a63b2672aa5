// Package schema holds the tests that validate the repository's example
// configurations against config.schema.json with an independent JSON
// Schema implementation (github.com/santhosh-tekuri/jsonschema), so that
// what editors and CI check agrees with what the filter accepts.
package schema
