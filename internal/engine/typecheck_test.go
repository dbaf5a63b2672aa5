package engine

import (
	"go/importer"
	"go/token"
	"go/types"
	"sync"
)

// sourceImporter type-checks imported packages from source, once for the
// whole test binary (about two seconds): the policy package and what it
// imports, for the tests that read the package as an importer sees it.
var sourceImporter = sync.OnceValues(func() (*token.FileSet, types.Importer) {
	fset := token.NewFileSet()
	return fset, importer.ForCompiler(fset, "source", nil)
})

// sourceImporterMu serializes the source importer's users: it is not safe
// for concurrent use.
var sourceImporterMu sync.Mutex
