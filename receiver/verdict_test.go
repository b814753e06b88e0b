package receiver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

func hmacOf(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// forge returns w with a body the attacker chose (the genuine one with a
// member changed) and the genuine signature headers left as they were.
func forge(t *testing.T, w fixtures.Wire) fixtures.Wire {
	t.Helper()
	f := clone(w)
	i := bytes.IndexByte(f.Body, '{')
	if i < 0 {
		t.Fatalf("no object in %s", f.Body)
	}
	f.Body = append(append(append([]byte{}, f.Body[:i+1]...), `"forged":true,`...), f.Body[i+1:]...)
	return f
}

// recordText is everything stored about a request, as an export would
// write it.
func recordText(t *testing.T, r *db.Request) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInvalidSignatureHidesExpectedValue: a forged request (a body of the
// sender's choosing under a genuine signature) is recorded invalid, with a
// reason that says what was signed and the first 8 characters of the
// expected value, but never the whole of it: whoever reads the records
// must not be handed a valid signature for the forged body.
func TestInvalidSignatureHidesExpectedValue(t *testing.T) {
	h := newHarness(t, Options{})
	genericSigned := &db.Route{Name: "generic-hmac", Profile: "generic", Secret: "generic-route-secret-0123456789"}
	if err := h.Srv.PutRoute(context.Background(), genericSigned); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		route, event string
		// expected returns the full expected value for the forged
		// request, and the part of it the reason may show.
		expected func(route *db.Route, f fixtures.Wire) (full, shown string)
		signed   string // what the reason must say was signed
	}{
		{"policycortex", "policy.violation.created", hexExpected, "raw body"},
		{"generic-hmac", "event", hexExpected, "raw body"},
		{"standardwebhooks", "alert.created", func(route *db.Route, f fixtures.Wire) (string, string) {
			key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(route.Secret, "whsec_"))
			if err != nil {
				t.Fatal(err)
			}
			id, ts := f.Header.Get(fixtures.SWIDHeader), f.Header.Get(fixtures.SWTimestampHeader)
			full := base64.StdEncoding.EncodeToString(hmacOf(key, []byte(id+"."+ts+"."+string(f.Body))))
			return full, full[:8]
		}, "id.timestamp.body"},
	}
	for _, c := range cases {
		t.Run(c.route, func(t *testing.T) {
			route := h.Route(c.route)
			profile := route.Profile
			f := forge(t, testkit.Frame(t, profile, c.event, testkit.CredsOf(route), 41))
			full, shown := c.expected(route, f)
			h.Send(c.route, f)
			r := h.Last()
			if r.Signature.Status != string(fixtures.Invalid) {
				t.Fatalf("forged request recorded %s (%s), want invalid", r.Signature.Status, r.Signature.Reason)
			}
			if text := recordText(t, r); strings.Contains(strings.ToLower(text), strings.ToLower(full)) {
				t.Errorf("the record holds the full expected signature %s:\n%s", full, r.Signature.Reason)
			}
			if !strings.Contains(r.Signature.Reason, shown) {
				t.Errorf("the reason does not show the expected value's first 8 characters %q: %s", shown, r.Signature.Reason)
			}
			if !strings.Contains(r.Signature.Reason, c.signed) || !strings.Contains(r.Signature.Reason, strconv.Itoa(len(f.Body))+" bytes") {
				t.Errorf("the reason does not say what was signed (%s, %d bytes): %s", c.signed, len(f.Body), r.Signature.Reason)
			}
		})
	}
}

// hexExpected is the "sha256=<hex>" signature of the forged body.
func hexExpected(route *db.Route, f fixtures.Wire) (string, string) {
	full := hex.EncodeToString(hmacOf([]byte(route.Secret), f.Body))
	return full, "sha256=" + full[:8]
}

// TestWrongTokenIsNotEchoed: a request with a wrong token is recorded
// invalid without the configured token, or any 8 characters of it, in
// what is stored.
func TestWrongTokenIsNotEchoed(t *testing.T) {
	h := newHarness(t, Options{})
	for _, name := range []string{"codescoring", "generic"} {
		t.Run(name, func(t *testing.T) {
			route := h.Route(name)
			if route.Token == "" {
				t.Fatalf("route %s has no token", name)
			}
			p, err := fixtures.Lookup(route.Profile)
			if err != nil {
				t.Fatal(err)
			}
			wrong := fixtures.NewCredentials(p, bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
			wrong.Token = route.Token[:len(route.Token)-1] + "!" // one character off
			h.Send(name, testkit.Frame(t, route.Profile, p.Catalogue()[0].Type, wrong, 42))
			r := h.Last()
			if r.Signature.Status != string(fixtures.Invalid) {
				t.Fatalf("wrong token recorded %s (%s), want invalid", r.Signature.Status, r.Signature.Reason)
			}
			for i := 0; i+8 <= len(route.Token); i++ {
				if strings.Contains(r.Signature.Reason, route.Token[i:i+8]) {
					t.Fatalf("the reason carries part of the configured token: %s", r.Signature.Reason)
				}
			}
		})
	}
}

// dropHeaders returns w without the named headers (matched whatever
// their spelling).
func dropHeaders(w fixtures.Wire, names ...string) fixtures.Wire {
	c := clone(w)
	for _, n := range names {
		c.Header.Del(n)
	}
	return c
}

// message frames the message seed of a vendor with creds: the same seed
// gives the same message id (the payload's, or webhook-id).
func message(t *testing.T, p fixtures.Profile, event string, creds fixtures.Credentials, seed uint64) fixtures.Wire {
	t.Helper()
	now := time.Now()
	payload, err := p.Render(event, rand.New(rand.NewPCG(seed, seed+1)), now)
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Frame([]fixtures.Outgoing{{Type: event, Payload: payload, CreatedAt: now}},
		fixtures.FrameOptions{Credentials: creds, Now: now, MessageID: "msg_" + strconv.FormatUint(seed, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	return w
}

// TestDuplicateNeedsAGenuineOriginal: a duplicate is a repeat of an
// earlier request whose signature was valid. For each signing profile
// with message ids, over loopback HTTP into a real SQLite file:
//   - a forgery (bad or no signature) carrying a message's id, then the
//     genuine message: the genuine one is not a duplicate, and is
//     recorded as a repeat of the forgery, whose signature failed, with no
//     error (in the record and in the API's JSON): nothing went wrong
//     receiving it;
//   - the genuine message twice: the second is a duplicate of the first,
//     not a repeat;
//   - the genuine message, then a forgery with its id: the forgery keeps
//     its invalid (or missing) verdict and is not presented as an
//     at-least-once duplicate, but as a repeat of the genuine one.
func TestDuplicateNeedsAGenuineOriginal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vendor, event, sigHeader string
	}{
		{"policycortex", "scan.completed", fixtures.PolicyCortexSignatureHeader},
		{"standardwebhooks", "alert.created", fixtures.SWSignatureHeader},
	}
	for _, c := range cases {
		// How the forgery is sent: signed with another secret, unsigned,
		// or to a path with no route (so no secret to check it with).
		for _, forgery := range []string{"invalid", "missing", "unverifiable"} {
			t.Run(c.vendor+"/"+forgery, func(t *testing.T) {
				h := newHarness(t, Options{})
				p, err := fixtures.Lookup(c.vendor)
				if err != nil {
					t.Fatal(err)
				}
				creds := testkit.CredsOf(h.Route(c.vendor))
				forgeTo := c.vendor
				if forgery == "unverifiable" {
					forgeTo = "no-such-route"
				}
				forge := func(seed uint64) {
					w := message(t, p, c.event, fixtures.NewCredentials(p, bytes.NewReader(bytes.Repeat([]byte{9}, 64))), seed)
					if forgery == "missing" {
						w = dropHeaders(message(t, p, c.event, creds, seed), c.sigHeader)
					}
					h.Send(forgeTo, w)
				}

				// Forged, then genuine.
				forge(1)
				forged := h.Last()
				if forged.Signature.Status != forgery || forged.DedupKey == "" || forged.Vendor != c.vendor {
					t.Fatalf("forgery recorded %s %s with key %q, want %s %s with a key", forged.Vendor, forged.Signature.Status, forged.DedupKey, c.vendor, forgery)
				}
				h.Send(c.vendor, message(t, p, c.event, creds, 1))
				genuine := h.Last()
				if genuine.Signature.Status != string(fixtures.Valid) || genuine.DedupKey != forged.DedupKey {
					t.Fatalf("genuine request recorded %s with key %q, want valid with %q", genuine.Signature.Status, genuine.DedupKey, forged.DedupKey)
				}
				if genuine.Duplicate {
					t.Errorf("the genuine message is marked a duplicate of #%d, a request whose signature was %s", genuine.DuplicateOf, forgery)
				}
				if genuine.RepeatOf != forged.ID {
					t.Errorf("the genuine message is recorded as a repeat of #%d, want of the forgery #%d", genuine.RepeatOf, forged.ID)
				}
				if want := "#" + strconv.FormatInt(forged.ID, 10); !strings.Contains(genuine.RepeatNote, want) || !strings.Contains(genuine.RepeatNote, forgery) {
					t.Errorf("the genuine message's repeat note does not say its id repeats %s, whose signature was %s: %q", want, forgery, genuine.RepeatNote)
				}
				if genuine.Error != "" {
					t.Errorf("the genuine message is recorded with an error: %q", genuine.Error)
				}
				// How the API shows it: api.TestAPIShowsARepeat.

				// Genuine, then genuine: an at-least-once duplicate of
				// the genuine one, not of the forgery.
				h.Send(c.vendor, message(t, p, c.event, creds, 1))
				again := h.Last()
				wantDuplicate(t, again, genuine.ID)
				if again.RepeatOf != 0 || again.RepeatNote != "" || again.Error != "" {
					t.Errorf("a duplicate is also recorded as a repeat of #%d (%q), error %q", again.RepeatOf, again.RepeatNote, again.Error)
				}

				// A second forgery of that id reuses the genuine
				// message's id, though a forgery carried it first.
				forge(1)
				reuse := h.Last()
				if reuse.Duplicate || reuse.RepeatOf != genuine.ID || !strings.Contains(reuse.RepeatNote, "was valid") || !strings.Contains(reuse.RepeatNote, forgery) || reuse.Error != "" {
					t.Errorf("a forgery reusing #%d's id: duplicate=%v, repeat of #%d (%q), error %q; want a repeat of the genuine #%d saying so",
						genuine.ID, reuse.Duplicate, reuse.RepeatOf, reuse.RepeatNote, reuse.Error, genuine.ID)
				}

				// Forged twice, no genuine copy: the second repeats
				// the first, both signatures failed.
				forge(3)
				forged3 := h.Last()
				forge(3)
				if r := h.Last(); r.Duplicate || r.RepeatOf != forged3.ID || strings.Count(r.RepeatNote, forgery) != 2 || r.Error != "" {
					t.Errorf("a forgery repeating forgery #%d: duplicate=%v, repeat of #%d (%q), error %q", forged3.ID, r.Duplicate, r.RepeatOf, r.RepeatNote, r.Error)
				}

				// Genuine, then forged.
				g := message(t, p, c.event, creds, 2)
				h.Send(c.vendor, g)
				first := h.Last()
				if first.Duplicate || first.RepeatOf != 0 || first.RepeatNote != "" || first.Error != "" {
					t.Fatalf("a fresh genuine message: duplicate=%v, repeat of %d (%q), error %q", first.Duplicate, first.RepeatOf, first.RepeatNote, first.Error)
				}
				forge(2)
				late := h.Last()
				if late.Signature.Status != forgery {
					t.Errorf("the forgery's verdict is %s, want %s", late.Signature.Status, forgery)
				}
				if late.DedupKey != first.DedupKey {
					t.Fatalf("forgery key %q, want %q", late.DedupKey, first.DedupKey)
				}
				if late.Duplicate {
					t.Errorf("a forgery carrying #%d's id is presented as its at-least-once duplicate", first.ID)
				}
				if late.RepeatOf != first.ID {
					t.Errorf("the forgery is recorded as a repeat of #%d, want of #%d", late.RepeatOf, first.ID)
				}
				if want := "#" + strconv.FormatInt(first.ID, 10); !strings.Contains(late.RepeatNote, want) || !strings.Contains(late.RepeatNote, forgery) {
					t.Errorf("the forgery's repeat note does not say it carries the id of %s and its own signature is %s: %q", want, forgery, late.RepeatNote)
				}
				if late.Error != "" {
					t.Errorf("the forgery is recorded with an error: %q", late.Error)
				}
			})
		}
	}
}
