//go:build !wasip1

package wasmhost

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
)

func ExampleNew() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello from upstream")
	}))
	defer upstream.Close()
	upstreamURL, _ := url.Parse(upstream.URL)

	// Any proxy-wasm module: here a hand-made one that does nothing. With
	// the project's filter: os.ReadFile("build/cors.wasm").
	module := newFilterModule(nil).bytes()
	h, err := New(context.Background(), Config{
		Module:       module,
		PluginConfig: []byte(`{}`),
		Upstream:     upstreamURL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close(context.Background())

	proxy := httptest.NewServer(h) // Envoy's listener
	defer proxy.Close()
	resp, err := http.Get(proxy.URL + "/greeting")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello from upstream
}
