package yamldocs

import (
	"errors"
	"slices"
	"testing"
)

// kubectlList is what `kubectl get wasmplugins -A -o yaml` writes: a v1
// List whose items carry their own apiVersion and kind.
const kubectlList = `apiVersion: v1
items:
- apiVersion: extensions.istio.io/v1
  kind: WasmPlugin
  metadata: {name: a, namespace: x}
- apiVersion: extensions.istio.io/v1
  kind: WasmPlugin
  metadata: {name: b, namespace: y}
kind: List
metadata:
  resourceVersion: ""
`

func TestDocuments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		doc  string
		want []string // each root's metadata.name, or its kind when it has no name
		line []int    // each root's line
	}{
		{"one object", "kind: A\nmetadata: {name: a}\n", []string{"a"}, []int{1}},
		{"several documents, empty ones left out", "---\nmetadata: {name: a}\n---\n---\nmetadata: {name: b}\n", []string{"a", "b"}, []int{2, 5}},
		{"kubectl's List", kubectlList, []string{"a", "b"}, []int{3, 6}},
		{"a List among documents", "metadata: {name: z}\n---\n" + kubectlList, []string{"z", "a", "b"}, []int{1, 5, 8}},
		{"the API server's WasmPluginList, in JSON", `{"apiVersion": "extensions.istio.io/v1", "kind": "WasmPluginList", "items": [{"kind": "WasmPlugin", "metadata": {"name": "a"}}]}`, []string{"a"}, []int{1}},
		{"a List in a List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - metadata: {name: a}\n", []string{"a"}, []int{7}},
		{"an empty List", "apiVersion: v1\nkind: List\nitems: []\n", nil, nil},
		{"a List with null items", "apiVersion: v1\nkind: List\nitems:\n", nil, nil},
		{"a kind ending in List without apiVersion is not a Kubernetes list", "kind: PlayList\nitems: 3\nmetadata: {name: p}\n", []string{"p"}, []int{1}},
	}
	for _, tc := range cases {
		roots, err := Documents([]byte(tc.doc))
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		var names []string
		var lines []int
		for _, r := range roots {
			names = append(names, Scalar(Lookup(Lookup(r, "metadata"), "name")))
			lines = append(lines, r.Line)
		}
		if !slices.Equal(names, tc.want) || !slices.Equal(lines, tc.line) {
			t.Errorf("%s: roots %q at lines %v; want %q at %v", tc.desc, names, lines, tc.want, tc.line)
		}
	}
}

func TestDocumentsErrors(t *testing.T) {
	t.Parallel()
	var se *SyntaxError
	if _, err := Documents([]byte("a: [b\n")); !errors.As(err, &se) {
		t.Errorf("bad YAML: %v; want a *SyntaxError", err)
	}
	for _, tc := range []struct {
		doc  string
		want ListError
	}{
		{"apiVersion: v1\nkind: List\nitems: {a: b}\n", ListError{Kind: "List", Line: 3}},
		{"apiVersion: v1\nkind: WasmPluginList\nitems:\n- a\n", ListError{Kind: "WasmPluginList", Line: 4}},
		{"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: 3\n", ListError{Kind: "List", Line: 6}},
	} {
		var le *ListError
		if _, err := Documents([]byte(tc.doc)); !errors.As(err, &le) || *le != tc.want {
			t.Errorf("%q: %v; want %+v", tc.doc, err, tc.want)
		}
	}
}

// The items of a typed list, as the API server answers a collection
// request, may leave out their kind and apiVersion: they are the list's.
// A v1 List's items carry their own; what an item sets is kept.
func TestTypedListItemsTakeTheListsKind(t *testing.T) {
	t.Parallel()
	roots, err := Documents([]byte(`{"apiVersion": "networking.istio.io/v1", "kind": "VirtualServiceList", "items": [
		{"metadata": {"name": "a"}},
		{"apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService", "metadata": {"name": "b"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range roots {
		got = append(got, Scalar(Lookup(r, "apiVersion"))+" "+Scalar(Lookup(r, "kind")))
	}
	if want := []string{"networking.istio.io/v1 VirtualService", "networking.istio.io/v1beta1 VirtualService"}; !slices.Equal(got, want) {
		t.Errorf("items %q; want %q", got, want)
	}
	roots, err = Documents([]byte("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n"))
	if err != nil || len(roots) != 1 || Lookup(roots[0], "kind") != nil {
		t.Errorf("a v1 List's item without kind: %v, %d roots; want it left without one", err, len(roots))
	}
}
