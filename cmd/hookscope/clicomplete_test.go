package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// showJSON runs a command that prints one JSON object and decodes it.
func showJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v is not one JSON object: %v\n%s", args, err, out)
	}
	return m
}

// failedDelivery stores, for an endpoint, a delivery whose one attempt
// got a 503 and that is failed; it returns the delivery's id.
func failedDelivery(t *testing.T, dbPath string, endpointName string) int64 {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ep, err := db.NewEndpointStore().GetEndpointByName(ctx, d.Reader(), endpointName)
	if err != nil {
		t.Fatal(err)
	}
	ob := db.NewOutboxStore()
	now := time.Now().UTC()
	var id int64
	err = d.Write(ctx, func(h db.Handle) error {
		ev := db.Event{Vendor: ep.Profile, Type: "policy.violation.created", Payload: []byte(`{"id":"evt_1","type":"policy.violation.created","created":1,"data":{}}`), CreatedAt: now, Source: "test"}
		if err := ob.CreateEvent(ctx, h, &ev); err != nil {
			return err
		}
		del, err := ob.CreateDelivery(ctx, h, db.NewDelivery{EndpointID: ep.ID, Vendor: ep.Profile, Events: []db.Event{ev},
			Status: db.DeliveryPending, MessageID: "msg_1", DueAt: &now, ClaimUntil: now.Add(time.Minute)}, now)
		if err != nil {
			return err
		}
		id = del.ID
		if err := ob.RecordAttempt(ctx, h, &db.Attempt{DeliveryID: del.ID, N: 1, StartedAt: now, DurationMS: 3,
			Request:  db.OutgoingRequest{Method: "POST", URL: ep.URL, Headers: []db.Header{}, Body: ev.Payload},
			Response: &db.Response{Status: 503}, Error: "HTTP 503"}); err != nil {
			return err
		}
		return ob.Finish(ctx, h, del.ID, now.Add(time.Minute), db.Outcome{Status: db.DeliveryFailed, LastError: "HTTP 503"}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// retry-failed runs a manual attempt of each failed delivery of the
// endpoint named, as the API and the console do.
func TestDeliveriesRetryFailed(t *testing.T) {
	dbPath := senderDB(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
	}))
	defer srv.Close()
	if _, err := runCLI(t, "--db", dbPath, "endpoints", "add", "--name", "pc", "--profile", "policycortex", "--url", srv.URL+"/hooks", "--secret", "abc"); err != nil {
		t.Fatal(err)
	}
	id := failedDelivery(t, dbPath, "pc")
	out, err := runCLI(t, "--db", dbPath, "deliveries", "retry-failed", "--endpoint", "pc")
	if err != nil || !strings.Contains(out, "retried 1 failed deliveries of endpoint pc") {
		t.Fatalf("retry-failed: %v\n%s", err, out)
	}
	if hits.Load() != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", hits.Load())
	}
	d := showJSON(t, "--db", dbPath, "deliveries", "show", fmt.Sprint(id), "--json")
	attempts := d["attempts"].([]any)
	if d["status"] != "succeeded" || len(attempts) != 2 || attempts[1].(map[string]any)["manual"] != true {
		t.Fatalf("after retry-failed: status %v, attempts %v", d["status"], attempts)
	}
	// Nothing failed is left: nothing retried, and --json says so.
	if m := showJSON(t, "--db", dbPath, "deliveries", "retry-failed", "--endpoint", "pc", "--json"); m["retried"] != 0.0 || m["endpoint"] != "pc" {
		t.Fatalf("second retry-failed --json: %v", m)
	}
	if _, err := runCLI(t, "--db", dbPath, "deliveries", "retry-failed"); err == nil || exitCode(err) != 2 {
		t.Fatalf("no --endpoint: %v", err)
	}
	if _, err := runCLI(t, "--db", dbPath, "deliveries", "retry-failed", "--endpoint", "nope"); err == nil {
		t.Fatal("an unknown endpoint was accepted")
	}
}

// fixtures show --json is one document: the catalogue's description and
// the very body `fixtures show` prints for the same seed and clock.
func TestFixturesShowJSON(t *testing.T) {
	args := []string{"fixtures", "show", "policycortex", "policy.violation.created", "--seed", "7", "--at", "2026-01-02T03:04:05Z"}
	body, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	m := showJSON(t, append(args, "--json")...)
	if m["vendor"] != "policycortex" || m["event"] != "policy.violation.created" || m["inferred"] != false || m["seed"] != 7.0 {
		t.Fatalf("description: %v", m)
	}
	if fields, _ := m["documented_fields"].([]any); len(fields) == 0 {
		t.Fatalf("no documented fields for a documented event: %v", m)
	}
	if m["body"] != body {
		t.Fatalf("body %q\nwant what show prints: %q", m["body"], body)
	}
	if js, _ := m["json"].(map[string]any); js["type"] != "policy.violation.created" {
		t.Fatalf("json: %v", m["json"])
	}
	var sig bool
	for _, h := range m["headers"].([]any) {
		sig = sig || h.(map[string]any)["name"] == "X-PolicyCortex-Signature"
	}
	if !sig {
		t.Fatalf("no signature header: %v", m["headers"])
	}

	// An event whose payload is inferred says so, its documented fields
	// (perhaps none) still an array.
	var inferred [2]string
	for _, e := range fixturesList(t) {
		if e["inferred"] == true {
			inferred = [2]string{e["vendor"].(string), e["event"].(string)}
			break
		}
	}
	m = showJSON(t, "fixtures", "show", inferred[0], inferred[1], "--json")
	if _, ok := m["documented_fields"].([]any); m["inferred"] != true || !ok || m["note"] == "" {
		t.Fatalf("inferred %v: %v", inferred, m)
	}
}

func fixturesList(t *testing.T) []map[string]any {
	t.Helper()
	out, err := runCLI(t, "fixtures", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// An endpoint's JSON states the retry rule and timeout in force: its
// profile's where it sets none, never omitted or 0.
func TestEndpointJSONShowsEffectiveRetryAndTimeout(t *testing.T) {
	dbPath := senderDB(t)
	add := func(args ...string) {
		t.Helper()
		if _, err := runCLI(t, append([]string{"--db", dbPath, "endpoints", "add", "--url", "http://127.0.0.1:9/x"}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	add("--name", "pc", "--profile", "policycortex")
	add("--name", "cs", "--profile", "codescoring")
	add("--name", "pc-own", "--profile", "policycortex", "--max-attempts", "5", "--timeout", "10")
	add("--name", "holm", "--profile", "holm")
	for _, c := range []struct {
		name              string
		maxAttempts, mult float64
		retrySrc          string
		timeout           float64
		timeoutSrc        string
	}{
		{"pc", 3, 2, "profile", 30, "profile"},
		{"cs", 8, 0, "profile", 30, "profile"}, // 1 m → 5 m → ... → 48 h: 7 retries
		{"pc-own", 5, 2, "endpoint", 10, "endpoint"},
		{"holm", 1, 0, "profile", 30, "profile"},
	} {
		m := showJSON(t, "--db", dbPath, "endpoints", "show", c.name)
		retry, _ := m["retry"].(map[string]any)
		mult, _ := retry["backoff_multiplier"].(float64)
		if retry["max_attempts"] != c.maxAttempts || mult != c.mult || m["retry_source"] != c.retrySrc ||
			m["timeout_seconds"] != c.timeout || m["timeout_source"] != c.timeoutSrc {
			t.Errorf("%s: retry %v (%v), timeout %v (%v)", c.name, m["retry"], m["retry_source"], m["timeout_seconds"], m["timeout_source"])
		}
	}
	// The list says the same.
	out, err := runCLI(t, "--db", dbPath, "endpoints", "list", "--json")
	if err != nil || !strings.Contains(out, `"timeout_seconds": 30`) || strings.Contains(out, `"timeout_seconds": 0`) {
		t.Fatalf("list: %v\n%s", err, out)
	}
}

// A PolicyCortex endpoint asking for more attempts than 24 hours of
// backoff hold: deliveries show says where and why it stops.
func TestDeliveriesShowExplainsTheRetryWindow(t *testing.T) {
	dbPath := senderDB(t)
	if _, err := runCLI(t, "--db", dbPath, "endpoints", "add", "--name", "pc", "--profile", "policycortex", "--url", "http://127.0.0.1:9/x", "--max-attempts", "20"); err != nil {
		t.Fatal(err)
	}
	id := failedDelivery(t, dbPath, "pc")
	out, err := runCLI(t, "--db", dbPath, "deliveries", "show", fmt.Sprint(id))
	if err != nil {
		t.Fatal(err)
	}
	// 1m, 2m, 4m ... 512m: 1023 minutes; the 11th retry would come at 2047 m.
	for _, want := range []string{"retries: max_attempts 20, but PolicyCortex retries only within 24h", "17h3m in all", "attempt 12 would come 34h7m after the first", "stops after attempt 11"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if m := showJSON(t, "--db", dbPath, "endpoints", "show", "pc"); !strings.Contains(fmt.Sprint(m["retry_note"]), "stops after attempt 11") {
		t.Errorf("endpoint retry_note: %v", m["retry_note"])
	}

	// Within the window: no note.
	if _, err := runCLI(t, "--db", dbPath, "endpoints", "update", "pc", "--max-attempts", "5"); err != nil {
		t.Fatal(err)
	}
	if out, _ := runCLI(t, "--db", dbPath, "deliveries", "show", fmt.Sprint(id)); strings.Contains(out, "retries:") {
		t.Errorf("a note for 5 attempts, which fit:\n%s", out)
	}
}
