package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// TestAPI drives the REST routes over real HTTP.
func TestAPI(t *testing.T) {
	s, _ := openSender(t, 1)
	hook := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	api := senderAPI(t, s)
	call := func(method, path, body string) (int, string) {
		code, b := call(t, method, api+path, body)
		return code, string(b)
	}
	for _, c := range []struct{ body, field string }{
		{`{"name":"x","url":"ftp://nope","profile":"policycortex"}`, "url:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"nosuch"}`, "profile:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"policycortex","events":["no.such"]}`, "events:"},
		{`{"name":"x","url":"http://127.0.0.1:1/","profile":"policycortex","timeout_seconds":-1}`, "timeout_seconds:"},
	} {
		code, body := call("POST", "/api/endpoints", c.body)
		if code != 400 || !strings.Contains(body, c.field) {
			t.Errorf("POST %s: %d %s, want 400 naming %s", c.body, code, body, c.field)
		}
	}
	code, body := call("POST", "/api/endpoints", `{"name":"pc","url":"`+hook.URL+`","profile":"policycortex","secret":"s3cr3t-value-long",
		"events":["policy.violation.created"],"headers":{"X-Custom-Header":"custom-value"},"retry_config":{"max_attempts":3,"backoff_multiplier":2},"timeout_seconds":30}`)
	if code != 201 || strings.Contains(body, "s3cr3t-value-long") || !strings.Contains(body, `"secret":"s3cr…(17 chars)"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	var ep EndpointView
	json.Unmarshal([]byte(body), &ep)
	code, body = call("PATCH", "/api/endpoints/pc", `{"timeout_seconds":10}`)
	if code != 200 || !strings.Contains(body, `"timeout_seconds":10`) || !strings.Contains(body, "custom-value") {
		t.Fatalf("patch: %d %s", code, body)
	}
	code, body = call("POST", "/api/events", `{"vendor":"policycortex","event":"policy.violation.created"}`)
	if code != 202 || !strings.Contains(body, `"endpoint_id":`) {
		t.Fatalf("raise: %d %s", code, body)
	}
	var ds []DeliveryView
	json.Unmarshal([]byte(body), &ds)
	if len(ds) != 1 {
		t.Fatalf("raise fanned out to %d endpoints", len(ds))
	}
	testkit.WaitDelivery(t, s, ds[0].ID, "success", testkit.Final)
	code, body = call("GET", "/api/deliveries/"+itoa(ds[0].ID), "")
	if code != 200 {
		t.Fatalf("get delivery: %d %s", code, body)
	}
	for _, want := range []string{`"status":"succeeded"`, `"attempts":[{"n":1`, `"manual":false`, `"event_types":["policy.violation.created"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("delivery JSON lacks %s: %s", want, body)
		}
	}
	code, body = call("POST", "/api/deliveries/"+itoa(ds[0].ID)+"/retry", "")
	if code != 200 || !strings.Contains(body, `"manual":true`) {
		t.Fatalf("retry: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/test", `{"event_type":"scan.completed"}`)
	if code != 200 || !strings.Contains(body, `"event_types":["scan.completed"]`) {
		t.Fatalf("test: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/test", `{"event_type":"no.such.event"}`)
	if code != 400 || !strings.Contains(body, `event_type: unknown event \"no.such.event\"`) {
		t.Fatalf("test with an unknown event: %d %s, want 400 naming event_type", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/disable", `{"reason":"maintenance"}`)
	if code != 200 || !strings.Contains(body, `"enabled":false`) || !strings.Contains(body, "maintenance") {
		t.Fatalf("disable: %d %s", code, body)
	}
	code, body = call("POST", "/api/endpoints/pc/enable", "")
	if code != 200 || !strings.Contains(body, `"enabled":true`) {
		t.Fatalf("enable: %d %s", code, body)
	}
	if code, body = call("GET", "/api/triggers?vendor=codescoring", ""); code != 200 || !strings.Contains(body, `"event":"test"`) {
		t.Fatalf("triggers: %d %s", code, body)
	}
	if code, _ = call("GET", "/api/deliveries?endpoint_id="+itoa(ep.ID), ""); code != 200 {
		t.Fatalf("list deliveries: %d", code)
	}
	if code, _ = call("DELETE", "/api/endpoints/pc", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ = call("GET", "/api/endpoints/pc", ""); code != 404 {
		t.Fatalf("get after delete: %d", code)
	}
}

func TestReplayAPI(t *testing.T) {
	s, d := openSender(t, 1)
	api := senderAPI(t, s)
	srv := testkit.NewHookServer(t, testkit.Status(200))
	body := testkit.Received(t, "codescoring", fixtures.Credentials{Token: "tok"}, "project_sca_analysis_started", "test")
	id := testkit.StoreRequest(t, d, "codescoring", "codescoring", body, false)
	testkit.AddEndpoint(t, s, "codescoring", srv.URL, func(e *db.Endpoint) { e.Name, e.Token = "cs", "endpoint-token" })

	post := func(path, in string) (int, []byte) {
		resp, err := http.Post(api+path, "application/json", strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, b := post("/api/requests/"+itoa(id)+"/replay", `{"endpoint":"cs"}`)
	var ans struct {
		Deliveries []DeliveryView `json:"deliveries"`
	}
	if code != 200 || json.Unmarshal(b, &ans) != nil || len(ans.Deliveries) != 1 || len(ans.Deliveries[0].EventTypes) != 2 {
		t.Fatalf("replay: %d %s, want 200 with one delivery carrying both events of the batch, as CodeScoring sends them", code, b)
	}
	for _, rq := range srv.Requests() {
		if got := rq.Header.Get(fixtures.CodeScoringTokenHeader); got != "endpoint-token" {
			t.Errorf("replayed with token %q, want the endpoint's", got)
		}
	}
	for _, tc := range []struct {
		path, body string
		code       int
		want       string
	}{
		{"/api/requests/" + itoa(id) + "/replay", `{}`, 400, "endpoint"},
		{"/api/requests/" + itoa(id) + "/replay", `{"endpoint":"nope"}`, 404, "nope"},
		{"/api/requests/999/replay", `{"url":"http://127.0.0.1:9/"}`, 404, "999"},
		{"/api/requests/x/replay", `{"url":"http://127.0.0.1:9/"}`, 400, "is not a number in 1..9223372036854775807"},
		{"/api/requests/" + itoa(id) + "/replay", `{"endpoint":"cs","extra":1}`, 400, "extra"},
	} {
		code, b := post(tc.path, tc.body)
		if code != tc.code || !strings.Contains(string(b), tc.want) {
			t.Errorf("POST %s %s: %d %s, want %d naming %q", tc.path, tc.body, code, b, tc.code, tc.want)
		}
	}
}
