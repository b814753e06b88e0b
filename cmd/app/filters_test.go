package app

import (
	"context"
	"strings"
	"testing"
)

// A filter the API does not understand is a 400 that names what it takes,
// on every list route: never a 200 with an empty (or unfiltered) list.
func TestListRoutesRefuseBadFilters(t *testing.T) {
	t.Parallel()
	a, err := Start(context.Background(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	for _, tc := range []struct{ path, want string }{
		{"/api/deliveries?status=bogus", "pending, retrying, succeeded, failed, skipped"},
		{"/api/deliveries?status=Succeeded", "one of pending"},
		{"/api/deliveries?status=6xx", "the last attempt's HTTP status"},
		{"/api/deliveries?vendor=acme", "valid: cyscale"},
		{"/api/deliveries?endpoint_id=abc", "endpoint_id"},
		{"/api/deliveries?endpoint_id=-1", "endpoint_id: -1 is outside 1.."},
		{"/api/deliveries?limit=0", "limit: 0 is outside 1..1000"},
		{"/api/deliveries?limit=5000", "limit: 5000 is outside 1..1000"},
		{"/api/deliveries?stauts=failed", "known: vendor, endpoint_id, status"},
		{"/api/requests?vendor=acme", "valid: cyscale"},
		{"/api/requests?status=6xx", "2xx"},
		{"/api/requests?signature=ok", "valid, invalid, missing, unverifiable"},
		{"/api/requests?sort=asc", "known: vendor, route"},
		{"/api/triggers?vendor=acme", "valid: cyscale"},
		{"/api/triggers?vendr=holm", "known: vendor"},
		{"/api/endpoints?profile=holm", "takes none"},
		{"/api/routes?name=holm", "takes none"},
	} {
		status, _, body := apiCall(t, a.APIAddr(), "GET", tc.path, "", nil, "")
		if status != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %s, want 400 naming %q", tc.path, status, strings.TrimSpace(body), tc.want)
		}
	}
	for _, path := range []string{"/api/deliveries?status=skipped&vendor=HOLM&limit=1000", "/api/deliveries?status=5xx", "/api/deliveries?status=503", "/api/requests?vendor=unknown&status=2xx", "/api/requests?vendor=PolicyCortex"} {
		if status, _, body := apiCall(t, a.APIAddr(), "GET", path, "", nil, ""); status != 200 {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
}

// Names and URLs that would drive a terminal are refused by the API, as by
// the CLI.
func TestAPIRefusesControlCharactersInNames(t *testing.T) {
	t.Parallel()
	a, err := Start(context.Background(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	js := map[string]string{"Content-Type": "application/json"}
	for _, body := range []string{
		`{"name":"a\u001b[2Jb","url":"http://127.0.0.1:9/","profile":"generic"}`,
		`{"name":"a\u202eb","url":"http://127.0.0.1:9/","profile":"generic"}`,
		`{"name":"a\nb","url":"http://127.0.0.1:9/","profile":"generic"}`,
		`{"name":"ok","url":"http://127.0.0.1:9/\u009b2J","profile":"generic"}`,
		`{"name":"ok","url":"http://127.0.0.1:9/","profile":"generic","headers":[{"name":"X-A","value":"\u001b]52;c;eA==\u0007"}]}`,
	} {
		status, _, ans := apiCall(t, a.APIAddr(), "POST", "/api/endpoints", "", js, body)
		if status != 400 || !strings.Contains(ans, "control or format character") {
			t.Errorf("%s: %d %s", body, status, ans)
		}
	}
	status, _, ans := apiCall(t, a.APIAddr(), "POST", "/api/endpoints/1/disable", "", js, `{"reason":"\u001b[6n"}`)
	if status != 400 {
		t.Errorf("disable with a hostile reason: %d %s", status, ans)
	}
}
