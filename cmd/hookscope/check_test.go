package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// checkReceiver starts a receiver on loopback for vendor: correct (it
// verifies with the vendor's own profile and answers 401 to what fails),
// or, when lax, one that accepts everything. Its answers carry hostile
// bytes, which must never reach the terminal raw.
func checkReceiver(t *testing.T, vendor string, creds fixtures.Credentials, lax bool) string {
	t.Helper()
	prof, err := fixtures.Lookup(vendor)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if !lax {
			if v := prof.Verify(r.Header, body, creds, time.Now()); v.Status != fixtures.Valid {
				http.Error(w, "unauthorized "+hostile, http.StatusUnauthorized)
				return
			}
		}
		io.WriteString(w, "OK "+hostile)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// check's exit status is 0 when nothing failed, 1 when a scenario failed,
// 2 on a usage error; its table names each failure with its reason, and
// nothing the receiver answered reaches the terminal raw.
func TestCheckExitCodesAndTable(t *testing.T) {
	t.Parallel() // waits on the clock and on subprocesses, not on the CPU
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "check.db")
	creds := fixtures.Credentials{Secret: "pc-secret"}
	good := checkReceiver(t, "policycortex", creds, false)
	out, errOut, code := runBinary(t, "check", "policycortex", "--to", good, "--secret", creds.Secret, "--db", dbPath)
	if code != 0 || !strings.Contains(out, "0 failed of 21 scenarios") || strings.Contains(out, "FAIL") {
		t.Errorf("correct receiver: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, row := range [][]string{{"PASS", "event:policy.violation.created", "2xx", "within", "30s", "200"}, {"PASS", "reencoded-json", "4xx", "(401/403)", "within", "30s", "401"}} {
		if !hasRow(out, row...) {
			t.Errorf("the table lacks the row %q:\n%s", row, out)
		}
	}
	if !strings.Contains(out, "unauthorized evil") {
		t.Errorf("the table shows no excerpt of the answer:\n%s", out)
	}
	assertTerminalSafe(t, "check table", out)

	lax := checkReceiver(t, "policycortex", creds, true)
	out, errOut, code = runBinary(t, "check", "policycortex", "--to", lax, "--secret", creds.Secret, "--event", "scan.completed", "--db", dbPath)
	if code != 1 || !strings.Contains(errOut, "4 of 6 scenarios failed") {
		t.Errorf("lax receiver: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, row := range [][]string{{"FAIL", "tampered-body"}, {"FAIL", "missing-signature"}, {"PASS", "duplicate-id", "2xx", "within", "30s", "200,200"}} {
		if !hasRow(out, row...) {
			t.Errorf("the table lacks the row %q:\n%s", row, out)
		}
	}
	if !strings.Contains(out, "FAIL tampered-body: accepted a body changed after signing (200): it must be refused with a 4xx") {
		t.Errorf("the table does not say why tampered-body failed:\n%s", out)
	}
	assertTerminalSafe(t, "check table", out)
	assertTerminalSafe(t, "check stderr", errOut)

	for _, args := range [][]string{
		{"check", "policycortex", "--secret", "s"},                               // no --to
		{"check", "acme", "--to", good},                                          // unknown vendor
		{"check", "policycortex", "--to", good},                                  // no secret
		{"check", "codescoring", "--to", good},                                   // no token
		{"check", "policycortex", "--to", good, "--secret", "s", "--event", "x"}, // unknown event
		{"check", "policycortex", "--to", good, "--secret", "s", "--frob"},       // unknown flag
		{"check", "--to", good},                                                  // no vendor
		{"check", "holm", "--to", good, "--timeout-seconds", "5"},                // not the endpoint's to set
	} {
		_, errOut, code := runBinary(t, append(args, "--db", dbPath)...)
		if code != 2 {
			t.Errorf("%q: exit %d, %s; want 2", args, code, errOut)
		}
	}
}

// hasRow reports whether a line of out starts with the given fields.
func hasRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(fields) && strings.Join(f[:len(fields)], " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}

// --json prints one document with every scenario; --junit writes JUnit
// XML that parses into testsuite/testcase/failure.
func TestCheckJSONAndJUnit(t *testing.T) {
	dir := t.TempDir()
	creds := fixtures.Credentials{Token: "cs-token"}
	lax := checkReceiver(t, "codescoring", creds, true)
	junit := filepath.Join(dir, "check.xml")
	out, _, err := runCLIStderr(t, "check", "codescoring", "--to", lax, "--token", creds.Token,
		"--event", "project_sca_analysis_started", "--json", "--junit", junit, "--db", filepath.Join(dir, "check.db"))
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("want a failed check (exit 1), got %v", err)
	}
	assertTerminalSafe(t, "check --json", out)
	var rep struct {
		Run       string `json:"run"`
		Failed    int    `json:"failed"`
		Scenarios []struct {
			ID        string `json:"id"`
			Verdict   string `json:"verdict"`
			Reason    string `json:"reason"`
			Exchanges []struct {
				DeliveryID int64  `json:"delivery_id"`
				Status     int    `json:"status"`
				Excerpt    string `json:"excerpt"`
			} `json:"exchanges"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if rep.Failed != 2 || len(rep.Scenarios) != 5 || rep.Run == "" {
		t.Fatalf("%+v", rep)
	}
	for _, s := range rep.Scenarios {
		if len(s.Exchanges) != 1 || s.Exchanges[0].DeliveryID == 0 || s.Exchanges[0].Status != 200 || !strings.HasPrefix(s.Exchanges[0].Excerpt, "OK evil") {
			t.Errorf("%s: %+v", s.ID, s.Exchanges)
		}
		if strings.ContainsAny(s.Exchanges[0].Excerpt, "\x1b\n\u202e\u009b") {
			t.Errorf("%s: the excerpt keeps raw control characters: %q", s.ID, s.Exchanges[0].Excerpt)
		}
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
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
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Tests != 5 || doc.Suites[0].Failures != 2 {
		t.Fatalf("%+v", doc)
	}
	for _, c := range doc.Suites[0].Cases {
		failed := c.Failure != nil
		if want := strings.HasPrefix(c.Name, "wrong-token") || strings.HasPrefix(c.Name, "missing-token"); failed != want {
			t.Errorf("%s: failure %v", c.Name, c.Failure)
		}
	}
}
