package check

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/internal/testkit"
)

// A receiver that verifies as the vendor's own profile does passes every
// scenario of every vendor: the scenarios are what the vendor really does,
// and nothing a correct receiver does is flagged.
func TestCorrectReceiverPassesEveryScenario(t *testing.T) {
	t.Parallel()
	for _, vendor := range []string{"policycortex", "standardwebhooks", "codescoring", "securityscorecard", "cyscale", "holm"} {
		t.Run(vendor, func(t *testing.T) {
			s, _ := openSender(t)
			rc := newReceiver(t, correct(vendor, credsFor(vendor)))
			rep := run(t, s, Config{Vendor: vendor, URL: rc.URL})
			if !rep.OK() || rep.Warned > 0 {
				for _, r := range rep.Results {
					if r.Verdict != Pass {
						t.Errorf("%s: %s: %s", r.ID, r.Verdict, r.Reason)
					}
				}
			}
			sent := 0
			for _, r := range rep.Results {
				sent += len(r.Sent)
			}
			if got := len(rc.Requests()); got != sent || sent < len(rep.Results) {
				t.Errorf("the receiver got %d requests; the report says %d were sent for %d scenarios", got, sent, len(rep.Results))
			}
		})
	}
}

// Every scenario the issue names is there, per vendor.
func TestScenariosPerVendor(t *testing.T) {
	for vendor, want := range map[string][]string{
		"policycortex":      {"event:policy.violation.created", "event:api.key.created", "tampered-body", "wrong-secret", "missing-signature", "reencoded-json", "duplicate-id"},
		"standardwebhooks":  {"event:ping", "stale-timestamp", "future-timestamp", "rotated-secret", "duplicate-webhook-id"},
		"codescoring":       {"event:sca_policy_has_been_triggered", "wrong-token", "missing-token", "batch", "test-trigger"},
		"securityscorecard": {"retry-execution-id"},
		"cyscale":           {"event:new_alerts", "event:compliance_threshold_violations", "alerts-mixed-assets", "alert-without-asset", "previous-score-null"},
		"holm":              {"event:scheduled_scan", "event:finished_scan", "event:ticket_opened", "event:ticket_closed"},
	} {
		list, err := Scenarios(Config{Vendor: vendor, URL: "http://127.0.0.1:1/", Credentials: credsFor(vendor)})
		if err != nil {
			t.Fatalf("%s: %v", vendor, err)
		}
		have := map[string]bool{}
		for _, s := range list {
			if have[s.ID] {
				t.Errorf("%s: scenario %s twice", vendor, s.ID)
			}
			have[s.ID] = true
		}
		for _, id := range want {
			if !have[id] {
				t.Errorf("%s: no scenario %s (have %v)", vendor, id, have)
			}
		}
		if vendor == "codescoring" && have["event:test"] {
			t.Errorf("codescoring: the test trigger is sent twice (event:test and test-trigger)")
		}
	}
}

// A receiver that accepts everything fails exactly the authentication
// scenarios, each with a reason naming what it accepted.
func TestAcceptAllFailsAuthenticationScenarios(t *testing.T) {
	for vendor, auth := range map[string][]string{
		"policycortex":     {"tampered-body", "wrong-secret", "missing-signature", "reencoded-json"},
		"standardwebhooks": {"stale-timestamp", "future-timestamp"},
		"codescoring":      {"wrong-token", "missing-token"},
	} {
		t.Run(vendor, func(t *testing.T) {
			s, _ := openSender(t)
			rc := newReceiver(t, acceptAll)
			rep := run(t, s, Config{Vendor: vendor, URL: rc.URL, Events: []string{firstEvent(t, vendor)}})
			failing := map[string]bool{}
			for _, id := range auth {
				failing[id] = true
			}
			for _, r := range rep.Results {
				switch {
				case failing[r.ID] && (r.Verdict != Fail || !strings.Contains(r.Reason, "accepted") || !strings.Contains(r.Reason, "4xx")):
					t.Errorf("%s: %s %q; want a failure saying it was accepted", r.ID, r.Verdict, r.Reason)
				case !failing[r.ID] && r.Verdict != Pass:
					t.Errorf("%s: %s %q; want pass", r.ID, r.Verdict, r.Reason)
				}
			}
			if rep.OK() || rep.Failed != len(auth) {
				t.Errorf("report: %d failed, OK=%v; want %d failed", rep.Failed, rep.OK(), len(auth))
			}
		})
	}
}

func firstEvent(t *testing.T, vendor string) string {
	t.Helper()
	list, err := Scenarios(Config{Vendor: vendor, URL: "http://127.0.0.1:1/", Credentials: credsFor(vendor)})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(list[0].ID, "event:")
}

// A PolicyCortex receiver that refuses a bad signature with 400 rather
// than 401/403 gets a warning, not a failure.
func TestPolicyCortexRefusalOtherThan401Warns(t *testing.T) {
	s, _ := openSender(t)
	verify := correct("policycortex", credsFor("policycortex"))
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		rec := &statusRecorder{ResponseWriter: w}
		verify(rec, r, body)
	})
	rep := run(t, s, Config{Vendor: "policycortex", URL: rc.URL, Events: []string{"scan.completed"}})
	for _, id := range []string{"tampered-body", "wrong-secret", "missing-signature", "reencoded-json"} {
		if r := byID(t, rep, id); r.Verdict != Warn || !strings.Contains(r.Reason, "401 or 403") || r.Sent[0].Status != 400 {
			t.Errorf("%s: %s %q (status %d); want a warning for 400", id, r.Verdict, r.Reason, r.Sent[0].Status)
		}
	}
	if !rep.OK() || rep.Warned != 4 {
		t.Errorf("%d warned, %d failed; want 4 warnings and no failure", rep.Warned, rep.Failed)
	}
}

// statusRecorder turns a 401 into a 400.
type statusRecorder struct{ http.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		code = http.StatusBadRequest
	}
	s.ResponseWriter.WriteHeader(code)
}

// A receiver slower than the timeout fails every scenario that expects an
// answer, saying so; the timeout is injected, the receiver never answers
// before the client gives up.
func TestSlowReceiverFailsOnTimeout(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		<-r.Context().Done() // answers only once the client is gone
	})
	rep := run(t, s, Config{Vendor: "securityscorecard", URL: rc.URL, Events: []string{firstEvent(t, "securityscorecard")}, Timeout: 150 * time.Millisecond})
	if rep.OK() || rep.Failed != len(rep.Results) {
		t.Fatalf("%d of %d failed; want all", rep.Failed, len(rep.Results))
	}
	for _, r := range rep.Results {
		if !strings.Contains(r.Reason, "within 150ms: the vendor gives up") || r.Sent[0].Status != 0 || !strings.HasPrefix(r.Sent[0].Error, "timeout") {
			t.Errorf("%s: %q %+v", r.ID, r.Reason, r.Sent[0])
		}
	}
}

// Without an override the expectation is the vendor's: SecurityScorecard
// 5 s and its 100 KB limit, PolicyCortex the endpoint's timeout_seconds
// (30 s by default), CodeScoring 30 s.
func TestDefaultTimeoutsAreTheVendors(t *testing.T) {
	for _, tc := range []struct {
		vendor  string
		seconds int
		want    string
	}{
		{"securityscorecard", 0, "2xx within 5s, answer ≤ 100 KB"},
		{"policycortex", 0, "2xx within 30s"},
		{"policycortex", 12, "2xx within 12s"},
		{"codescoring", 0, "2xx within 30s"},
	} {
		list, err := Scenarios(Config{Vendor: tc.vendor, URL: "http://127.0.0.1:1/", Credentials: credsFor(tc.vendor), TimeoutSeconds: tc.seconds})
		if err != nil {
			t.Fatal(err)
		}
		if got := list[0].Expect.String(); got != tc.want {
			t.Errorf("%s timeout_seconds %d: %q, want %q", tc.vendor, tc.seconds, got, tc.want)
		}
	}
}

// A CodeScoring receiver that answers 500 to a batch fails the batch
// scenario only.
func TestBatchRefusedFails(t *testing.T) {
	s, _ := openSender(t)
	verify := correct("codescoring", credsFor("codescoring"))
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if strings.Count(string(body), `"trigger"`) > 1 {
			http.Error(w, "one event at a time", http.StatusInternalServerError)
			return
		}
		verify(w, r, body)
	})
	rep := run(t, s, Config{Vendor: "codescoring", URL: rc.URL, Events: []string{"project_sca_analysis_finished"}})
	b := byID(t, rep, "batch")
	if b.Verdict != Fail || !strings.Contains(b.Reason, "500") || b.Sent[0].Excerpt != "one event at a time" {
		t.Errorf("batch: %s %q %+v", b.Verdict, b.Reason, b.Sent)
	}
	if rep.Failed != 1 {
		t.Errorf("%d failed; want only the batch", rep.Failed)
	}
	var batch []testkit.Got
	for _, g := range rc.Requests() {
		if strings.Count(string(g.Body), `"trigger"`) > 1 {
			batch = append(batch, g)
		}
	}
	if len(batch) != 1 || strings.Count(string(batch[0].Body), `"trigger"`) != csBatchSize {
		t.Errorf("want one request carrying %d events, got %d batch requests", csBatchSize, len(batch))
	}
}

// Nothing listening: every scenario fails with the connection error.
func TestConnectionRefusedFails(t *testing.T) {
	s, _ := openSender(t)
	rc := newReceiver(t, acceptAll)
	url := rc.URL
	rc.Close()
	rep := run(t, s, Config{Vendor: "holm", URL: url, Events: []string{"finished_scan"}})
	if rep.Failed != 1 || !strings.Contains(rep.Results[0].Reason, "no answer to the event: connection refused") {
		t.Errorf("%+v", rep.Results)
	}
}

// SecurityScorecard reads at most 100 KB of an answer: a bigger one fails.
func TestOversizedAnswerFails(t *testing.T) {
	s, _ := openSender(t)
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Write([]byte(strings.Repeat("x", 100*1024+1)))
	})
	rep := run(t, s, Config{Vendor: "securityscorecard", URL: rc.URL, Events: []string{firstEvent(t, "securityscorecard")}})
	for _, r := range rep.Results {
		if r.Verdict != Fail || !strings.Contains(r.Reason, "over the vendor's 100 KB limit") {
			t.Errorf("%s: %s %q", r.ID, r.Verdict, r.Reason)
		}
	}
}

// Bad input is a ConfigError, never a report.
func TestConfigErrors(t *testing.T) {
	s, _ := openSender(t)
	for _, c := range []Config{
		{Vendor: "acme", URL: "http://127.0.0.1:1/"},
		{Vendor: "holm", URL: "ftp://x/"},
		{Vendor: "holm", URL: "http://127.0.0.1:1/", Events: []string{"nosuch"}},
		{Vendor: "policycortex", URL: "http://127.0.0.1:1/"},
		{Vendor: "standardwebhooks", URL: "http://127.0.0.1:1/", Credentials: credsFor("policycortex")},
		{Vendor: "codescoring", URL: "http://127.0.0.1:1/"},
		{Vendor: "holm", URL: "http://127.0.0.1:1/", TimeoutSeconds: 10},
	} {
		c.Sender = s
		rep, err := Run(context.Background(), c)
		var ce *ConfigError
		if !errors.As(err, &ce) || rep != nil {
			t.Errorf("%+v: %v, %v; want a ConfigError", c, rep, err)
		}
	}
}

// A cancelled run stops with the context's error, not with verdicts
// blaming the receiver.
func TestCancelledRunStops(t *testing.T) {
	s, _ := openSender(t)
	ctx, cancel := context.WithCancel(context.Background())
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		cancel()
		<-r.Context().Done()
	})
	rep, err := Run(ctx, Config{Vendor: "holm", URL: rc.URL, Sender: s})
	if !errors.Is(err, context.Canceled) || rep == nil || len(rep.Results) != 0 {
		t.Errorf("err %v, report %+v; want context.Canceled and no verdict", err, rep)
	}
	if n := len(rc.Requests()); n != 1 {
		t.Errorf("%d requests after the cancel; want the one in flight only", n)
	}
}

// An event named twice is checked once.
func TestRepeatedEventCheckedOnce(t *testing.T) {
	list, err := Scenarios(Config{Vendor: "holm", URL: "http://127.0.0.1:1/", Events: []string{"ticket_opened", "ticket_opened", "finished_scan"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "event:ticket_opened" || list[1].ID != "event:finished_scan" {
		t.Errorf("%d scenarios: %v", len(list), list)
	}
}

// A forgery that cannot be built fails its scenario saying so, and sends
// nothing: the receiver is not blamed for a request it never got.
func TestUnbuildableForgeryFails(t *testing.T) {
	s, _ := openSender(t)
	rc := newReceiver(t, acceptAll)
	c := Config{Vendor: "policycortex", URL: rc.URL, Credentials: credsFor("policycortex"), Sender: s}
	p, err := prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	sc := one("no-header", "drop a header the request does not have", p.reject(), step{
		events: event("scan.completed"), alter: dropHeader("X-Not-There"), what: "a request without X-Not-There"})
	res, err := runScenario(context.Background(), c, p, "t", sc)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Fail || !strings.Contains(res.Reason, "hookscope could not build") || !strings.Contains(res.Reason, "no X-Not-There header") {
		t.Errorf("%s %q", res.Verdict, res.Reason)
	}
	if n := len(rc.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
