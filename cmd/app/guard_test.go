package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// apiCall sends one request to the API at addr with the given Host,
// headers and body, and returns the status and the answer's body.
func apiCall(t *testing.T, addr, method, path, host string, hdr map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// endpointNames lists the user's endpoints through the API.
func endpointNames(t *testing.T, addr string) []string {
	t.Helper()
	status, _, body := apiCall(t, addr, "GET", "/api/endpoints", "", nil, "")
	if status != 200 {
		t.Fatalf("listing endpoints: %d %s", status, body)
	}
	var eps []struct {
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}
	if err := json.Unmarshal([]byte(body), &eps); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range eps {
		names = append(names, e.Name)
	}
	return names
}

// A web page in the user's browser can reach 127.0.0.1: a form post, a
// no-cors fetch, a DNS-rebinding name. None of them may act, and nothing
// they send changes anything.
func TestAPIRefusesWhatABrowserPageCanSend(t *testing.T) {
	a, err := Start(context.Background(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	addr := a.APIAddr()
	_, port, _ := net.SplitHostPort(addr)
	before := endpointNames(t, addr)
	create := `{"name":"evil","url":"http://attacker.example/x","profile":"generic"}`

	for _, tc := range []struct {
		name   string
		method string
		path   string
		host   string
		hdr    map[string]string
		body   string
		want   int
	}{
		{"an HTML form (urlencoded)", "POST", "/api/endpoints", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, create, 415},
		{"a text/plain fetch", "POST", "/api/endpoints", "", map[string]string{"Content-Type": "text/plain;charset=UTF-8"}, create, 415},
		{"a multipart form", "POST", "/api/events", "", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, `{"vendor":"holm","event":"ticket"}`, 415},
		{"a body with no Content-Type", "POST", "/api/events", "", nil, `{"vendor":"holm","event":"ticket"}`, 415},
		{"a body-less form post to an action", "POST", "/api/endpoints/1/disable", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", 415},
		{"a cross-site JSON post", "POST", "/api/endpoints", "", map[string]string{"Content-Type": "application/json", "Origin": "https://attacker.example"}, create, 403},
		{"a no-cors post without a body", "POST", "/api/endpoints/1/disable", "", map[string]string{"Origin": "https://attacker.example"}, "", 403},
		{"an opaque origin", "POST", "/api/endpoints/1/disable", "", map[string]string{"Origin": "null"}, "", 403},
		{"a cross-site read", "GET", "/api/requests", "", map[string]string{"Origin": "http://attacker.example"}, "", 403},
		{"a look-alike origin on another port", "POST", "/api/endpoints/1/disable", "", map[string]string{"Origin": "http://127.0.0.1:1"}, "", 403},
		{"a DNS-rebinding name", "POST", "/api/endpoints", "rebind.attacker.example:" + port, map[string]string{"Content-Type": "application/json"}, create, 421},
		{"a DNS-rebinding read", "GET", "/api/requests", "rebind.attacker.example:" + port, nil, "", 421},
		{"a rebinding name that looks loopback", "GET", "/api/requests", "127.0.0.1.attacker.example", nil, "", 421},
	} {
		status, hdr, body := apiCall(t, addr, tc.method, tc.path, tc.host, tc.hdr, tc.body)
		if status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.want)
		}
		if hdr.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: a CORS header was sent", tc.name)
		}
		if !strings.Contains(body, `"error"`) {
			t.Errorf("%s: no JSON error: %s", tc.name, body)
		}
	}
	if after := endpointNames(t, addr); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("a refused request changed the endpoints: %v -> %v", before, after)
	}
	status, _, body := apiCall(t, addr, "GET", "/api/endpoints/1", "", nil, "")
	if status != 200 || !strings.Contains(body, `"enabled":true`) {
		t.Errorf("endpoint 1 after refused disables: %d %s", status, body)
	}
	// A preflight gets no CORS answer, so a browser never sends the request.
	status, hdr, _ := apiCall(t, addr, "OPTIONS", "/api/endpoints", "", map[string]string{
		"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST",
	}, "")
	if hdr.Get("Access-Control-Allow-Origin") != "" || hdr.Get("Access-Control-Allow-Methods") != "" || status < 400 {
		t.Errorf("preflight: %d %v", status, hdr)
	}

	// What the user's own tools send is accepted: loopback names and IPs on
	// any port, the API's own origin, JSON with a charset, no body at all.
	for _, tc := range []struct {
		host, origin string
	}{
		{"", ""},
		{"localhost:" + port, ""},
		{"LOCALHOST", ""},
		{"127.0.0.1:" + port, "http://127.0.0.1:" + port},
		{"127.1.2.3:9999", ""},
		{"[::1]:" + port, ""},
	} {
		hdr := map[string]string{"Content-Type": "application/json; charset=utf-8"}
		if tc.origin != "" {
			hdr["Origin"] = tc.origin
		}
		status, _, body := apiCall(t, addr, "POST", "/api/endpoints", tc.host, hdr,
			`{"name":"mine-`+strings.NewReplacer(":", "-", "[", "", "]", "", ".", "-").Replace(tc.host)+`","url":"http://127.0.0.1:9/","profile":"generic"}`)
		if status != 201 {
			t.Errorf("Host %q Origin %q: %d %s", tc.host, tc.origin, status, body)
		}
	}
	if status, _, body := apiCall(t, addr, "POST", "/api/endpoints/1/disable", "", nil, ""); status != 200 {
		t.Errorf("a body-less action from curl: %d %s", status, body)
	}
}

// With a token the API may listen beyond loopback; every request then needs
// the token, whatever its Host.
func TestAPIToken(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.API = "0.0.0.0:0"
	cfg.APIToken = "s3cret-token"
	a, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	addr := a.APIAddr()
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("APIAddr %q: want the loopback address a client reaches", addr)
	}
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret-token-and-more", "Bearer s3cret-toke", "s3cret-token", "Basic czNjcmV0LXRva2Vu"} {
		hdr := map[string]string{"Content-Type": "application/json"}
		if auth != "" {
			hdr["Authorization"] = auth
		}
		status, h, body := apiCall(t, addr, "POST", "/api/endpoints", "", hdr, `{"name":"x","url":"http://127.0.0.1:9/","profile":"generic"}`)
		if status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: %d %s", auth, status, body)
		}
		if strings.Contains(body, "s3cret") {
			t.Errorf("the answer shows the token: %s", body)
		}
	}
	ok := map[string]string{"Authorization": "Bearer s3cret-token"}
	if status, _, body := apiCall(t, addr, "GET", "/api/endpoints", "hookscope.lan:8089", ok, ""); status != 200 {
		t.Errorf("with the token, any Host: %d %s", status, body)
	}
	ok["Origin"] = "https://attacker.example"
	if status, _, body := apiCall(t, addr, "GET", "/api/endpoints", "", ok, ""); status != 403 {
		t.Errorf("with the token, a foreign Origin: %d %s", status, body)
	}
	// The health route is the API's too.
	if status, _, _ := apiCall(t, addr, "GET", "/healthz", "", nil, ""); status != 401 {
		t.Errorf("health without the token: %d", status)
	}
}
