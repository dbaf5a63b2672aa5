package echo

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	req, _ := http.NewRequest("PUT", srv.URL+"/a/b?h=vary:Accept-Encoding&h=vary:%20Accept&h=access-control-allow-origin:*&status=201", nil)
	req.Header.Add("Origin", "https://app.example.com")
	req.Header.Add("X-Two", "1")
	req.Header.Add("X-Two", "2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("status %d; want 201", resp.StatusCode)
	}
	if got := resp.Header.Values("Vary"); !slices.Equal(got, []string{"Accept-Encoding", "Accept"}) {
		t.Errorf("vary = %q", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("allow-origin = %q", got)
	}
	var r Reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Method != "PUT" || r.Path != "/a/b?h=vary:Accept-Encoding&h=vary:%20Accept&h=access-control-allow-origin:*&status=201" ||
		!slices.Equal(r.Headers["x-two"], []string{"1", "2"}) || r.Headers["origin"][0] != "https://app.example.com" {
		t.Errorf("reply = %+v", r)
	}
}

func TestBadParameters(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, q := range []string{"?h=novalue", "?h=:x", "?status=99", "?status=x"} {
		resp, err := http.Get(srv.URL + "/" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d; want 400", q, resp.StatusCode)
		}
	}
}
