package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// runCLI runs the root command in-process with args, returning stdout and
// the error Execute gave.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := runCLIStderr(t, args...)
	return out, err
}

// runCLIStderr is runCLI that also returns what went to stderr.
func runCLIStderr(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

func TestFixturesListJSONCoversEverySeedVendor(t *testing.T) {
	out, err := runCLI(t, "fixtures", "list", "--json")
	if err != nil {
		t.Fatalf("fixtures list --json: %v", err)
	}
	var events []fixtures.EventInfo
	if err := json.Unmarshal([]byte(out), &events); err != nil {
		t.Fatalf("output is not a JSON array of events: %v\n%s", err, out)
	}
	perVendor := map[string]int{}
	for _, e := range events {
		perVendor[e.Vendor]++
	}
	seed := 0
	for _, v := range []string{"cyscale", "securityscorecard", "policycortex", "holm", "codescoring"} {
		if perVendor[v] == 0 {
			t.Errorf("no events for %s", v)
		}
		seed += perVendor[v]
	}
	if seed < 55 {
		t.Errorf("seed vendors have %d events, want at least 55 (%v)", seed, perVendor)
	}
	for v, want := range map[string]int{"cyscale": 2, "policycortex": 16, "holm": 4, "codescoring": 32} {
		if perVendor[v] != want {
			t.Errorf("%s has %d events, the seed documents %d", v, perVendor[v], want)
		}
	}
}

func TestFixturesListOneVendor(t *testing.T) {
	out, err := runCLI(t, "fixtures", "list", "--vendor", "holm")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scheduled_scan", "finished_scan", "ticket_opened", "ticket_closed", "4 events"} {
		if !strings.Contains(out, want) {
			t.Errorf("list --vendor holm lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "policycortex") {
		t.Errorf("list --vendor holm shows another vendor:\n%s", out)
	}
}

func TestFixturesShowPrintsTheBodyAsSent(t *testing.T) {
	const at = "2026-01-02T03:04:05Z"
	out, err := runCLI(t, "fixtures", "show", "policycortex", "scan.completed", "--seed", "7", "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := runCLI(t, "fixtures", "show", "policycortex", "scan.completed", "--seed", "7", "--at", at)
	if out != again {
		t.Errorf("same seed and clock gave different bodies:\n%s\n%s", out, again)
	}
	var env struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(out), &env); err != nil || env.Type != "scan.completed" || !strings.HasPrefix(env.ID, "evt_") {
		t.Errorf("body is not a PolicyCortex scan.completed envelope (%v): %s", err, out)
	}
	// The printed body is exactly what the profile frames: it verifies.
	p, _ := fixtures.Lookup("policycortex")
	hdr, err := runCLI(t, "fixtures", "show", "policycortex", "scan.completed", "--seed", "7", "--at", at, "--headers", "--secret", "k")
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(hdr, "\n\n")
	if !ok || body != out {
		t.Fatalf("--headers changed the body or has no blank line:\n%s", hdr)
	}
	var sig string
	for _, line := range strings.Split(head, "\n") {
		if name, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(name, "X-PolicyCortex-Signature") {
			sig = v
		}
	}
	h := map[string][]string{"X-Policycortex-Signature": {sig}, "Content-Type": {"application/json"}}
	if v := p.Verify(h, []byte(body), fixtures.Credentials{Secret: "k"}, mustTime(t, at)); v.Status != fixtures.Valid {
		t.Errorf("printed signature does not verify: %+v\n%s", v, head)
	}
}

func TestFixturesUnknownNamesListTheValidOnes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"fixtures", "show", "acme", "x"}, []string{`unknown vendor "acme"`, "cyscale", "codescoring"}},
		{[]string{"fixtures", "show", "holm", "nope"}, []string{`unknown event "nope"`, "ticket_closed"}},
		{[]string{"fixtures", "list", "--vendor", "acme"}, []string{`unknown vendor "acme"`, "policycortex"}},
		{[]string{"fixtures", "show", "holm"}, []string{"VENDOR and EVENT"}},
	} {
		_, err := runCLI(t, tc.args...)
		if err == nil {
			t.Errorf("%v: no error", tc.args)
			continue
		}
		if exitCode(err) != 2 {
			t.Errorf("%v: exit code %d, want 2", tc.args, exitCode(err))
		}
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: not a usage error: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", tc.args, err, w)
			}
		}
	}
}

func mustTime(t *testing.T, s string) (tm time.Time) {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
