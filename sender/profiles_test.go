package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

// codeScoringLadder is the seed's schedule, word for word.
var codeScoringLadder = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 3 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour}

// TestCodeScoringLadderThenDisable: a CodeScoring webhook that always
// fails is retried 1 m → 5 m → 30 m → 3 h → 12 h → 24 h → 48 h (at a time
// scale of 100 000), then disabled; nothing more is sent.
func TestCodeScoringLadderThenDisable(t *testing.T) {
	t.Parallel()
	const scale = 1e5
	s, _ := openSender(t, scale)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusServiceUnavailable))
	ep := testkit.AddEndpoint(t, s, "codescoring", srv.URL)
	ds := raise(t, s, "codescoring", "project_sca_analysis_finished")
	if len(ds) != 1 {
		t.Fatalf("raised %d deliveries, want 1", len(ds))
	}
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the ladder to run out", testkit.Final)
	if d.Status != db.DeliveryFailed || len(d.Attempts) != 8 {
		t.Fatalf("status %s with %d attempts, want failed after 1 + 7 retries", d.Status, len(d.Attempts))
	}
	// Each retry records the vendor's own wait before it, unscaled: the
	// ladder reads 1m, 5m, 30m, ... although it ran 100,000 times faster.
	if a := d.Attempts[0]; a.VendorWaitMS != 0 {
		t.Errorf("the first attempt records a %d ms wait, want none", a.VendorWaitMS)
	}
	for i, want := range codeScoringLadder {
		a := d.Attempts[i+1]
		if got := time.Duration(a.VendorWaitMS) * time.Millisecond; got != want || a.WaitReason != "schedule" {
			t.Errorf("attempt %d records a %v wait (%q), want the vendor's %v (schedule)", a.N, got, a.WaitReason, want)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 8 {
		t.Fatalf("server got %d requests, want 8", len(reqs))
	}
	for i, want := range codeScoringLadder {
		gap := reqs[i+1].At.Sub(reqs[i].At)
		if min := scaled(want, scale); gap < min {
			t.Errorf("retry %d came %v after the previous attempt, before the scaled %v (vendor wait %v)", i+1, gap, min, want)
		}
	}
	got, err := s.Endpoint(context.Background(), ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || !strings.Contains(got.DisabledReason, "48h") {
		t.Fatalf("endpoint enabled=%v reason %q, want disabled after 48h", got.Enabled, got.DisabledReason)
	}
	if d.Escalation == nil || d.Escalation.Kind != "disabled" {
		t.Fatalf("escalation %+v, want a disabled notice", d.Escalation)
	}
	// Nothing more is sent: a new event is recorded as skipped.
	ds = raise(t, s, "codescoring", "project_sca_analysis_started")
	if len(ds) != 1 || ds[0].Status != db.DeliverySkipped {
		t.Fatalf("after disable: %+v, want one skipped delivery", ds)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.Requests()); n != 8 {
		t.Fatalf("server got %d requests after disable, want still 8", n)
	}
}

// TestRetryDelaysFollowProfiles checks the recorded vendor waits.
func TestRetryWaitRecordsVendorSchedule(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 60) // 1 m → 1 s
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusInternalServerError))
	testkit.AddEndpoint(t, s, "codescoring", srv.URL)
	ds := raise(t, s, "codescoring", "project_sca_analysis_started")
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the first retry to be scheduled", func(d *db.Delivery) bool { return d.Status == db.DeliveryRetrying })
	if d.Wait == nil || d.Wait.Retry != 1 || d.Wait.Of != 7 || d.Wait.VendorWait() != time.Minute || d.Wait.ScaledWaitMS != 1000 {
		t.Fatalf("wait %+v, want retry 1 of 7, vendor wait 1m, scaled 1s", d.Wait)
	}
	if d.NextAttemptAt == nil || time.Until(*d.NextAttemptAt) > time.Second+100*time.Millisecond {
		t.Fatalf("next_attempt_at %v is not the real instant about 1 s ahead", d.NextAttemptAt)
	}
}

// TestCodeScoringBatchesOneWindow: events within one 5-second window go
// out in one {"events": [...]} request with the token header.
func TestCodeScoringBatchesOneWindow(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 10) // the 5 s window lasts 500 ms
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	ep := testkit.AddEndpoint(t, s, "codescoring", srv.URL)
	a := raise(t, s, "codescoring", "project_sca_analysis_started")
	b := raise(t, s, "codescoring", "project_sca_analysis_finished")
	c := raise(t, s, "codescoring", "osa_policy_has_been_triggered")
	if a[0].ID != b[0].ID || b[0].ID != c[0].ID {
		t.Fatalf("three events of one window went to deliveries %d, %d, %d; want one", a[0].ID, b[0].ID, c[0].ID)
	}
	testkit.WaitDelivery(t, s, a[0].ID, "success", testkit.Final)
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	triggers := codeScoringTriggers(t, reqs[0].Body)
	want := []string{"project_sca_analysis_started", "project_sca_analysis_finished", "osa_policy_has_been_triggered"}
	if strings.Join(triggers, ",") != strings.Join(want, ",") {
		t.Fatalf("batch carried %v, want %v", triggers, want)
	}
	if tok := reqs[0].Header.Get("X-CodeScoring-Authentication"); tok == "" || tok != ep.Token {
		t.Fatalf("X-CodeScoring-Authentication %q, want the endpoint's token", tok)
	}
}

func codeScoringTriggers(t *testing.T, body []byte) []string {
	t.Helper()
	var env struct {
		Events []struct {
			CreatedAt string          `json:"created_at"`
			Trigger   string          `json:"trigger"`
			Payload   json.RawMessage `json:"payload"`
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("body is not a CodeScoring envelope: %v\n%s", err, body)
	}
	var out []string
	for _, e := range env.Events {
		out = append(out, e.Trigger)
	}
	return out
}

// TestCodeScoringResendsTogether: a failed request's events accumulate with
// newer ones and are resent together.
func TestCodeScoringResendsTogether(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 100) // window 50 ms, first retry 600 ms
	srv := testkit.NewHookServer(t, testkit.FailFirst(1))
	testkit.AddEndpoint(t, s, "codescoring", srv.URL)
	a := raise(t, s, "codescoring", "project_sca_analysis_started")
	testkit.WaitDelivery(t, s, a[0].ID, "the first failure", func(d *db.Delivery) bool { return d.Status == db.DeliveryRetrying })
	b := raise(t, s, "codescoring", "project_sca_analysis_failed")
	if b[0].ID != a[0].ID {
		t.Fatalf("the new event went to delivery %d, want the retrying batch %d", b[0].ID, a[0].ID)
	}
	d := testkit.WaitDelivery(t, s, a[0].ID, "success", testkit.Final)
	if d.Status != db.DeliverySucceeded {
		t.Fatalf("status %s", d.Status)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	if got := codeScoringTriggers(t, reqs[0].Body); len(got) != 1 {
		t.Fatalf("first request carried %v", got)
	}
	if got := codeScoringTriggers(t, reqs[1].Body); strings.Join(got, ",") != "project_sca_analysis_started,project_sca_analysis_failed" {
		t.Fatalf("the retry carried %v, want the failed event and the new one together", got)
	}
}

// TestCodeScoringTest: `test` sends the test trigger with an empty payload.
func TestCodeScoringTest(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	ep := testkit.AddEndpoint(t, s, "codescoring", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != db.DeliverySucceeded {
		t.Fatalf("test delivery %s: %s", d.Status, d.LastError)
	}
	var env struct {
		Events []struct {
			Trigger string         `json:"trigger"`
			Payload map[string]any `json:"payload"`
		} `json:"events"`
	}
	if err := json.Unmarshal(srv.Requests()[0].Body, &env); err != nil || len(env.Events) != 1 {
		t.Fatalf("test body %s: %v", srv.Requests()[0].Body, err)
	}
	if env.Events[0].Trigger != "test" || len(env.Events[0].Payload) != 0 {
		t.Fatalf("test event %+v, want trigger test with an empty payload", env.Events[0])
	}
}

// TestSecurityScorecardRetriesThenEscalates: 5 retries over 36 hours with
// the same execution_id and created_at and a counting `retries`, then an
// escalation carrying the seed's email.
func TestSecurityScorecardRetriesThenEscalates(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 1e5)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusBadGateway))
	ep := testkit.AddEndpoint(t, s, "securityscorecard", srv.URL)
	ds := raise(t, s, "securityscorecard", s.firstEvent(t, "securityscorecard"))
	d := testkit.WaitDelivery(t, s, ds[0].ID, "escalation", testkit.Final)
	if d.Status != db.DeliveryFailed || len(d.Attempts) != 6 {
		t.Fatalf("status %s after %d attempts, want failed after 1 + 5 retries", d.Status, len(d.Attempts))
	}
	var total time.Duration
	reqs := srv.Requests()
	var execID, created string
	for i, r := range reqs {
		var body struct {
			ExecutionID string `json:"execution_id"`
			CreatedAt   string `json:"created_at"`
			Retries     int    `json:"retries"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			execID, created = body.ExecutionID, body.CreatedAt
		}
		if body.ExecutionID != execID || body.CreatedAt != created || body.Retries != i {
			t.Fatalf("attempt %d: execution_id %s created_at %s retries %d; want %s, %s, %d", i+1, body.ExecutionID, body.CreatedAt, body.Retries, execID, created, i)
		}
		if i > 0 {
			total += reqs[i].At.Sub(reqs[i-1].At)
		}
	}
	if execID == "" || d.ExecutionID != execID {
		t.Fatalf("delivery execution_id %q, body's %q", d.ExecutionID, execID)
	}
	if min := scaled(36*time.Hour, 1e5); total < min {
		t.Fatalf("the retries spanned %v, want at least the scaled 36 h (%v)", total, min)
	}
	e := d.Escalation
	if e == nil || e.Kind != "escalated" || e.Subject != "[Action Required] Failed Webhook Request" {
		t.Fatalf("escalation %+v", e)
	}
	for _, want := range []string{"Failed Rule: " + ep.Name, "Webhook URL: " + srv.URL, "HTTP error: 502 Bad Gateway"} {
		if !strings.Contains(e.Body, want) {
			t.Errorf("escalation body lacks %q:\n%s", want, e.Body)
		}
	}
}

// firstEvent is the first catalogue event of a vendor.
func (s *Sender) firstEvent(t *testing.T, vendor string) string {
	t.Helper()
	cat, err := Triggers(vendor)
	if err != nil || len(cat) == 0 {
		t.Fatalf("catalogue of %s: %v", vendor, err)
	}
	return cat[0].Type
}

// TestSecurityScorecardManualRetryKeepsExecutionID.
func TestSecurityScorecardManualRetryKeepsExecutionID(t *testing.T) {
	s, _ := openSender(t, 1) // the first retry is 30 real minutes away
	srv := testkit.NewHookServer(t, testkit.FailFirst(1))
	testkit.AddEndpoint(t, s, "securityscorecard", srv.URL)
	ds := raise(t, s, "securityscorecard", s.firstEvent(t, "securityscorecard"))
	testkit.WaitDelivery(t, s, ds[0].ID, "the first failure", func(d *db.Delivery) bool { return d.Status == db.DeliveryRetrying })
	if err := s.RetryNow(context.Background(), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Delivery(context.Background(), ds[0].ID)
	if d.Status != db.DeliverySucceeded || len(d.Attempts) != 2 || !d.Attempts[1].Manual || d.Attempts[0].Manual {
		t.Fatalf("after retry now: %s with %d attempts", d.Status, len(d.Attempts))
	}
	if a := d.Attempts[1]; a.VendorWaitMS != 0 || a.WaitReason != "" {
		t.Errorf("the manual retry records the vendor's %d ms wait (%q); it waited for none", a.VendorWaitMS, a.WaitReason)
	}
	reqs := srv.Requests()
	if executionID(reqs[0].Body) != executionID(reqs[1].Body) || executionID(reqs[0].Body) == "" {
		t.Fatalf("execution_id changed on the manual retry: %s vs %s", reqs[0].Body, reqs[1].Body)
	}
}

// TestSecurityScorecardResponseLimit: an answer over 100 KB is cut, flagged
// and counted as a failure.
func TestSecurityScorecardResponseLimit(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(strings.Repeat("x", 300*1024)))
	})
	ep := testkit.AddEndpoint(t, s, "securityscorecard", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	a := d.Attempts[0]
	if a.Response == nil || !a.Response.Truncated || len(a.Response.Body) != 100*1024 {
		t.Fatalf("response %+v, want 100 KB kept and truncated", a.Response)
	}
	if !strings.HasPrefix(a.Error, ErrClassTooLarge) || d.Status != db.DeliveryFailed {
		t.Fatalf("error %q status %s, want a response-too-large failure", a.Error, d.Status)
	}
}

// verifyPolicyCortex is written straight from the seed's JavaScript:
// 'sha256=' + hex(HMAC-SHA256(secret, payload)), compared in constant time.
func verifyPolicyCortex(payload []byte, signature, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	computed := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return len(signature) == len(computed) && subtle.ConstantTimeCompare([]byte(signature), []byte(computed)) == 1
}

// TestPolicyCortexOrderedSignedWithHeaders: a later event waits while an
// earlier one is retried; every request carries a signature the seed's
// snippet accepts and the endpoint's custom header.
func TestPolicyCortexOrderedSignedWithHeaders(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 600) // first retry 1 m → 100 ms
	srv := testkit.NewHookServer(t, testkit.FailFirst(2))
	ep := testkit.AddEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) {
		e.Headers = []db.Header{{Name: "X-Custom-Header", Value: "custom-value"}}
		e.Retry = &db.RetryConfig{MaxAttempts: 5, BackoffMultiplier: 2}
	})
	first := raise(t, s, "policycortex", "policy.violation.created")
	second := raise(t, s, "policycortex", "compliance.status.changed")
	testkit.WaitDelivery(t, s, second[0].ID, "the second event", testkit.Final)
	d1, _ := s.Delivery(context.Background(), first[0].ID)
	if d1.Status != db.DeliverySucceeded || len(d1.Attempts) != 3 {
		t.Fatalf("first delivery %s after %d attempts, want success on the 3rd", d1.Status, len(d1.Attempts))
	}
	var order []string
	for _, r := range srv.Requests() {
		sig := r.Header.Get("X-PolicyCortex-Signature")
		if !verifyPolicyCortex(r.Body, sig, ep.Secret) {
			t.Fatalf("signature %q does not verify over the raw body", sig)
		}
		if r.Header.Get("X-Custom-Header") != "custom-value" {
			t.Fatalf("custom header missing: %v", r.Header)
		}
		var env struct {
			Type string `json:"type"`
		}
		json.Unmarshal(r.Body, &env)
		order = append(order, env.Type)
	}
	want := "policy.violation.created,policy.violation.created,policy.violation.created,compliance.status.changed"
	if strings.Join(order, ",") != want {
		t.Fatalf("order on the wire %v, want %s", order, want)
	}
}

// TestPolicyCortexFilters: filters on severity and environment decide which
// endpoints an event reaches.
func TestPolicyCortexFilters(t *testing.T) {
	payload := json.RawMessage(`{"id":"evt_1","type":"policy.violation.created","created":"2024-01-15T14:30:00Z","data":{"violation":{"severity":"HIGH","resource_id":"arn:aws:s3:::b","tags":{"environment":"production"}}}}`)
	cases := []struct {
		f    db.Filters
		pass bool
	}{
		{db.Filters{}, true},
		{db.Filters{Severity: []string{"HIGH", "CRITICAL"}}, true},
		{db.Filters{Severity: []string{"LOW"}}, false},
		{db.Filters{Environments: []string{"staging"}}, false},
		{db.Filters{Environments: []string{"production"}, CloudProviders: []string{"aws"}}, true},
		{db.Filters{CloudProviders: []string{"azure"}}, false},
	}
	for _, c := range cases {
		if got := PassesFilters(c.f, payload); got != c.pass {
			t.Errorf("filters %+v: passes=%v, want %v", c.f, got, c.pass)
		}
	}
}

// TestStandardWebhooksSignedRetryAfterAndGone: the official library
// verifies the signature; Retry-After sets the wait; 410 disables.
func TestStandardWebhooksSignedRetryAfterAndGone(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusGone)
	})
	ep := testkit.AddEndpoint(t, s, "standardwebhooks", srv.URL)
	ds := raise(t, s, "standardwebhooks", s.firstEvent(t, "standardwebhooks"))
	d := testkit.WaitDelivery(t, s, ds[0].ID, "the retry-after wait", func(d *db.Delivery) bool { return d.AttemptCount >= 1 })
	if d.AttemptCount == 1 && (d.Wait == nil || d.Wait.VendorWait() != 7*time.Second || d.Wait.Reason != "Retry-After") {
		t.Fatalf("wait %+v, want the 7 s of Retry-After", d.Wait)
	}
	d = testkit.WaitDelivery(t, s, ds[0].ID, "the 410", testkit.Final)
	if d.Status != db.DeliveryFailed || len(d.Attempts) != 2 {
		t.Fatalf("status %s after %d attempts", d.Status, len(d.Attempts))
	}
	if gap := d.Attempts[1].StartedAt.Sub(d.Attempts[0].StartedAt); gap < 7*time.Millisecond {
		t.Fatalf("retry came after %v, before the scaled Retry-After", gap)
	}
	wh, err := standardwebhooks.NewWebhook(ep.Secret)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	for _, r := range reqs {
		if err := wh.Verify(r.Body, r.Header); err != nil {
			t.Fatalf("the official library rejects the signature: %v", err)
		}
	}
	if reqs[0].Header.Get("webhook-id") != reqs[1].Header.Get("webhook-id") {
		t.Fatalf("webhook-id changed between attempts")
	}
	got, _ := s.Endpoint(context.Background(), ep.ID)
	if got.Enabled || !strings.Contains(got.DisabledReason, "410") {
		t.Fatalf("endpoint enabled=%v reason %q, want disabled by the 410", got.Enabled, got.DisabledReason)
	}
}

// TestHolmUserAgent and TestCyscaleArray check the other framings.
func TestHolmUserAgent(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	ep := testkit.AddEndpoint(t, s, "holm", srv.URL)
	d, err := s.Test(context.Background(), ep.ID, "")
	if err != nil || d.Status != db.DeliverySucceeded {
		t.Fatalf("%v %+v", err, d)
	}
	if ua := srv.Requests()[0].Header.Get("User-Agent"); ua != "python-requests/2.8.1" {
		t.Fatalf("User-Agent %q", ua)
	}
	if h := d.Attempts[0].Request.Headers; h[1].Name != "User-Agent" || h[1].Value != "python-requests/2.8.1" {
		t.Fatalf("recorded headers %v", h)
	}
}

func TestCyscaleAlertsAsOneArray(t *testing.T) {
	s, _ := openSender(t, 1)
	srv := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	testkit.AddEndpoint(t, s, "cyscale", srv.URL)
	ds := raise(t, s, "cyscale", "new_alerts")
	testkit.WaitDelivery(t, s, ds[0].ID, "success", testkit.Final)
	var alerts []map[string]any
	if err := json.Unmarshal(srv.Requests()[0].Body, &alerts); err != nil || len(alerts) == 0 {
		t.Fatalf("body is not an array of alerts: %v\n%s", err, srv.Requests()[0].Body)
	}
}

// TestCustomHeaderNeverDuplicatesAVendorHeader: an endpoint's custom header
// named like one the vendor sends in its own spelling (Standard Webhooks'
// lower-case webhook-id) does not replace it and is not sent beside it.
func TestCustomHeaderNeverDuplicatesAVendorHeader(t *testing.T) {
	s, _ := openSender(t, 600)
	srv := testkit.NewHookServer(t, nil)
	testkit.AddEndpoint(t, s, "standardwebhooks", srv.URL, func(e *db.Endpoint) {
		e.Headers = []db.Header{{Name: "Webhook-Id", Value: "custom"}, {Name: "X-Custom-Header", Value: "custom-value"}}
	})
	ds := raise(t, s, "standardwebhooks", "alert.created")
	testkit.WaitDelivery(t, s, ds[0].ID, "the delivery", testkit.Final)
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("nothing was sent")
	}
	for _, r := range reqs {
		if ids := r.Header.Values("Webhook-Id"); len(ids) != 1 || !strings.HasPrefix(ids[0], "msg_") {
			t.Errorf("webhook-id values %q, want the vendor's one", ids)
		}
		if r.Header.Get("X-Custom-Header") != "custom-value" {
			t.Errorf("custom header missing: %v", r.Header)
		}
	}
}
