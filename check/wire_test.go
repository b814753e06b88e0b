package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// requestsOf returns the requests the receiver got for a scenario, in the
// order they were sent, matched by the recorded deliveries' bodies.
func onlyScenario(t *testing.T, vendor, id string, answer func(http.ResponseWriter, *http.Request, []byte)) ([]testkit.Got, Result) {
	t.Helper()
	s, _ := openSender(t)
	rc := newReceiver(t, answer)
	c := Config{Vendor: vendor, URL: rc.URL, Credentials: credsFor(vendor), Sender: s}
	p, err := prepare(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios(p) {
		if sc.ID == id {
			res, err := runScenario(t.Context(), c, p, "t", sc)
			if err != nil {
				t.Fatal(err)
			}
			return rc.Requests(), res
		}
	}
	t.Fatalf("no scenario %s", id)
	return nil, Result{}
}

// What each forged request carries is what the scenario says, judged by
// the vendor's own verifier: the forgeries fail it for the stated reason,
// the repeats keep the vendor's message id.
func TestForgeriesAreWhatTheySay(t *testing.T) {
	t.Parallel()
	pc := credsFor("policycortex")
	verifyPC := func(g testkit.Got) fixtures.Verification {
		prof, _ := fixtures.Lookup("policycortex")
		return prof.Verify(g.Header, g.Body, pc, time.Now())
	}
	for _, tc := range []struct {
		id, want string
	}{
		{"tampered-body", "the secret differs, or the body was changed after signing"},
		{"wrong-secret", "the secret differs"},
		{"missing-signature", "no X-PolicyCortex-Signature header"},
		{"reencoded-json", "computed over re-encoded JSON"},
	} {
		got, _ := onlyScenario(t, "policycortex", tc.id, acceptAll)
		if len(got) != 1 {
			t.Fatalf("%s: %d requests", tc.id, len(got))
		}
		if v := verifyPC(got[0]); v.Status == fixtures.Valid || !strings.Contains(v.Reason, tc.want) {
			t.Errorf("%s: the verifier says %s %q; want %q", tc.id, v.Status, v.Reason, tc.want)
		}
		if !json.Valid(got[0].Body) {
			t.Errorf("%s: the body is not JSON: %s", tc.id, got[0].Body)
		}
	}

	// PolicyCortex's duplicate: two valid requests with the same id.
	got, res := onlyScenario(t, "policycortex", "duplicate-id", correct("policycortex", pc))
	if len(got) != 2 || res.Verdict != Pass || len(res.Sent) != 2 || res.Sent[0].DeliveryID != res.Sent[1].DeliveryID || res.Sent[1].Attempt != 2 {
		t.Fatalf("duplicate-id: %d requests, %+v", len(got), res)
	}
	if a, b := envelopeID(t, got[0].Body), envelopeID(t, got[1].Body); a == "" || a != b {
		t.Errorf("duplicate-id: ids %q and %q", a, b)
	}

	// Standard Webhooks: the same webhook-id twice; timestamps 6 minutes off.
	sw := credsFor("standardwebhooks")
	got, _ = onlyScenario(t, "standardwebhooks", "duplicate-webhook-id", correct("standardwebhooks", sw))
	if len(got) != 2 || got[0].Header.Get("webhook-id") == "" || got[0].Header.Get("webhook-id") != got[1].Header.Get("webhook-id") {
		t.Errorf("duplicate-webhook-id: %d requests, ids %q", len(got), []string{got[0].Header.Get("webhook-id"), got[len(got)-1].Header.Get("webhook-id")})
	}
	for id, sign := range map[string]float64{"stale-timestamp": -1, "future-timestamp": 1} {
		got, _ := onlyScenario(t, "standardwebhooks", id, acceptAll)
		ts, err := strconv.ParseInt(got[0].Header.Get("webhook-timestamp"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		skew := time.Until(time.Unix(ts, 0)).Minutes() * sign
		prof, _ := fixtures.Lookup("standardwebhooks")
		v := prof.Verify(got[0].Header, got[0].Body, sw, time.Now())
		if skew < 5.5 || skew > 6.5 || v.Status != fixtures.Invalid || !strings.Contains(v.Reason, "signature matches but webhook-timestamp") {
			t.Errorf("%s: %.1f minutes off; verifier %s %q", id, skew, v.Status, v.Reason)
		}
	}
	got, _ = onlyScenario(t, "standardwebhooks", "rotated-secret", acceptAll)
	if sigs := strings.Fields(got[0].Header.Get("webhook-signature")); len(sigs) != 2 || !strings.HasPrefix(sigs[0], "v1,") {
		t.Errorf("rotated-secret: signatures %q", sigs)
	} else {
		prof, _ := fixtures.Lookup("standardwebhooks")
		first := got[0].Header.Clone()
		first.Set("webhook-signature", sigs[0])
		if v := prof.Verify(first, got[0].Body, sw, time.Now()); v.Status != fixtures.Invalid {
			t.Errorf("rotated-secret: the first signature alone is %s; want it by another secret", v.Status)
		}
	}

	// CodeScoring: a wrong token, no token, the test trigger's empty payload.
	got, _ = onlyScenario(t, "codescoring", "wrong-token", acceptAll)
	if tok := got[0].Header.Get(fixtures.CodeScoringTokenHeader); tok == "" || tok == credsFor("codescoring").Token {
		t.Errorf("wrong-token: sent %q", tok)
	}
	got, _ = onlyScenario(t, "codescoring", "missing-token", acceptAll)
	if got[0].Header.Values(fixtures.CodeScoringTokenHeader) != nil {
		t.Errorf("missing-token: the header was sent")
	}
	got, _ = onlyScenario(t, "codescoring", "test-trigger", acceptAll)
	var env struct {
		Events []struct {
			Trigger string          `json:"trigger"`
			Payload json.RawMessage `json:"payload"`
		} `json:"events"`
	}
	if err := json.Unmarshal(got[0].Body, &env); err != nil || len(env.Events) != 1 || env.Events[0].Trigger != "test" || string(env.Events[0].Payload) != "{}" {
		t.Errorf("test-trigger: %s (%v)", got[0].Body, err)
	}

	// SecurityScorecard: the retry keeps execution_id and created_at and
	// counts retries.
	got, _ = onlyScenario(t, "securityscorecard", "retry-execution-id", acceptAll)
	var a, b struct {
		ExecutionID string `json:"execution_id"`
		CreatedAt   string `json:"created_at"`
		Retries     int    `json:"retries"`
	}
	if len(got) != 2 || json.Unmarshal(got[0].Body, &a) != nil || json.Unmarshal(got[1].Body, &b) != nil {
		t.Fatalf("retry-execution-id: %d requests", len(got))
	}
	if a.ExecutionID == "" || a.ExecutionID != b.ExecutionID || a.CreatedAt != b.CreatedAt || a.Retries != 0 || b.Retries != 1 {
		t.Errorf("retry-execution-id: first %+v, retry %+v", a, b)
	}
}

func envelopeID(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// Cyscale's documented shapes arrive as documented: a mixed alert array,
// a lone alert without asset fields, a null previousScore.
func TestCyscaleShapes(t *testing.T) {
	got, _ := onlyScenario(t, "cyscale", "alerts-mixed-assets", acceptAll)
	var v any
	json.Unmarshal(got[0].Body, &v)
	if with, without := countAssets(v); with == 0 || without == 0 {
		t.Errorf("alerts-mixed-assets: %d with, %d without", with, without)
	}
	got, _ = onlyScenario(t, "cyscale", "alert-without-asset", acceptAll)
	json.Unmarshal(got[0].Body, &v)
	if with, without := countAssets(v); with != 0 || without != 1 {
		t.Errorf("alert-without-asset: %d with, %d without", with, without)
	}
	got, _ = onlyScenario(t, "cyscale", "previous-score-null", acceptAll)
	if !bytes.Contains(got[0].Body, []byte(`"previousScore":null`)) {
		t.Errorf("previous-score-null: %s", got[0].Body)
	}
}

// Every request of a run is a recorded delivery whose events are tagged
// with the run, and each exchange of the report names its delivery.
func TestRunIsRecordedAndTagged(t *testing.T) {
	s, d := openSender(t)
	rc := newReceiver(t, correct("policycortex", credsFor("policycortex")))
	rep := run(t, s, Config{Vendor: "policycortex", URL: rc.URL, Events: []string{"scan.completed"}, Run: "tagged1"})
	want := map[int64]bool{}
	for _, r := range rep.Results {
		for _, x := range r.Sent {
			want[x.DeliveryID] = true
		}
	}
	rows, err := d.Reader().QueryContext(t.Context(),
		`SELECT DISTINCT de.delivery_id FROM delivery_events de JOIN events e ON e.id = de.event_id WHERE e.source = 'check tagged1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		if !want[id] {
			t.Errorf("delivery %d is tagged but not in the report", id)
		}
		n++
	}
	if n != len(want) || n != len(rep.Results) {
		t.Errorf("%d tagged deliveries; the report names %d for %d scenarios", n, len(want), len(rep.Results))
	}
	// The deliveries list filters on the run (`deliveries list --source`,
	// the console's check:RUN), alone and with a text search.
	run(t, s, Config{Vendor: "policycortex", URL: rc.URL, Events: []string{"scan.completed"}, Run: "other"})
	for _, f := range []db.DeliveryFilter{{Source: "check tagged1", Limit: 100}, {Source: "check tagged1", Text: "scan.completed", Limit: 100}} {
		ds, err := s.Deliveries(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != len(want) {
			t.Errorf("%+v: %d deliveries, want %d", f, len(ds), len(want))
		}
		for _, d := range ds {
			if !want[d.ID] {
				t.Errorf("%+v: delivery %d is not the run's", f, d.ID)
			}
		}
	}
	del, err := s.Delivery(t.Context(), rep.Results[len(rep.Results)-1].Sent[1].DeliveryID)
	if err != nil || len(del.Attempts) != 2 || del.Attempts[1].Response == nil || del.Attempts[1].Response.Status != 200 {
		t.Errorf("the duplicate's delivery: %+v, %v", del, err)
	}
}

// The JUnit XML parses into the standard structure: one testsuite, one
// testcase per scenario, a failure for each failed one.
func TestJUnitParses(t *testing.T) {
	s, _ := openSender(t)
	rc := newReceiver(t, acceptAll)
	rep := run(t, s, Config{Vendor: "codescoring", URL: rc.URL, Events: []string{"project_sca_analysis_started"}})
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Tests != len(rep.Results) || doc.Suites[0].Failures != 2 || len(doc.Suites[0].Cases) != len(rep.Results) {
		t.Fatalf("%+v", doc)
	}
	failed := map[string]string{}
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed[strings.SplitN(c.Name, ":", 2)[0]] = c.Failure.Message
		}
	}
	for _, id := range []string{"wrong-token", "missing-token"} {
		if !strings.Contains(failed[id], "accepted") {
			t.Errorf("%s: failure %q", id, failed[id])
		}
	}
}

// The recorded attempt is the request as altered and sent, byte for
// byte, so the console shows what the receiver really got.
func TestRecordedRequestIsTheForgery(t *testing.T) {
	s, _ := openSender(t)
	rc := newReceiver(t, acceptAll)
	rep := run(t, s, Config{Vendor: "policycortex", URL: rc.URL, Events: []string{"scan.completed"}})
	got := rc.Requests()
	i := 0
	for _, r := range rep.Results {
		for _, x := range r.Sent {
			d, err := s.Delivery(t.Context(), x.DeliveryID)
			if err != nil {
				t.Fatal(err)
			}
			a := d.Attempts[x.Attempt-1]
			if !bytes.Equal(a.Request.Body, got[i].Body) {
				t.Errorf("%s: recorded body differs from the body received:\n%s\n%s", r.ID, a.Request.Body, got[i].Body)
			}
			var sig string
			for _, h := range a.Request.Headers {
				if strings.EqualFold(h.Name, fixtures.PolicyCortexSignatureHeader) {
					sig = h.Value
				}
			}
			if want := got[i].Header.Get(fixtures.PolicyCortexSignatureHeader); sig != want {
				t.Errorf("%s: recorded signature %q, received %q", r.ID, sig, want)
			}
			i++
		}
	}
	if i != len(got) {
		t.Errorf("%d requests recorded, %d received", i, len(got))
	}
}
