package db

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Every response survives its words: Words covers every field, and
// ParseSimWords reads them back over any base (fields it names replace
// the base's, and it names every field that is set).
func TestSimWordsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	text := func() string {
		const alphabet = "ab \"\\:=\x1b\n\t\u202eé✓"
		r := []rune(alphabet)
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		return b.String()
	}
	for i := range 2000 {
		s := SimResponse{Status: 200 + rng.IntN(400)}
		if rng.IntN(2) == 0 {
			s.FailFirst, s.FailStatus = rng.IntN(1000), 200+rng.IntN(400)
		}
		if rng.IntN(2) == 0 {
			s.DelayMS = rng.IntN(600001)
		}
		if rng.IntN(2) == 0 {
			s.FailureRate, s.Seed = rng.Float64(), rng.Int64()-rng.Int64()
		}
		s.Hang = rng.IntN(4) == 0
		if rng.IntN(2) == 0 {
			s.OversizeBytes = rng.Int64N(1 << 30)
		}
		for range rng.IntN(3) {
			s.Headers = append(s.Headers, Header{Name: "X-" + strings.Map(func(r rune) rune {
				if r == ':' || r == ' ' || r == '\t' || r == '\n' {
					return 'x'
				}
				return r
			}, text()), Value: strings.TrimSpace(strings.ReplaceAll(text(), "\n", " "))})
		}
		if rng.IntN(2) == 0 {
			s.Body = text()
		}
		words := s.Words()
		if strings.ContainsAny(words, "\x1b\n\u202e") {
			t.Fatalf("words hold a control or format character: %q", words)
		}
		// Over an empty base and over a base with every field set.
		for _, base := range []SimResponse{{}, {Status: 503, FailFirst: 9, FailStatus: 429, DelayMS: 5, FailureRate: 0.5, Seed: 3, Hang: true, OversizeBytes: 7, Headers: []Header{{Name: "Old", Value: "v"}}, Body: "old"}} {
			if base.Hang || len(base.Headers) > 0 {
				words := "reset " + words
				got, err := ParseSimWords(base, words)
				if err != nil {
					t.Fatalf("#%d: %q: %v", i, words, err)
				}
				if !reflect.DeepEqual(got, s) {
					t.Fatalf("#%d: %q read back over a full base as\n%+v, want\n%+v", i, words, got, s)
				}
				continue
			}
			got, err := ParseSimWords(base, words)
			if err != nil {
				t.Fatalf("#%d: %q: %v", i, words, err)
			}
			if !reflect.DeepEqual(got, s) {
				t.Fatalf("#%d: %q read back as\n%+v, want\n%+v", i, words, got, s)
			}
		}
	}
}

// The prompt's bug: a route with a seed, a body, headers and an oversize,
// its words confirmed untouched, keeps every field; words that name one
// field change that field alone.
func TestSimWordsKeepWhatIsNotWritten(t *testing.T) {
	cur := SimResponse{Status: 200, Seed: 7, Body: "custom", OversizeBytes: 5000, Headers: []Header{{Name: "X", Value: "y"}}, FailureRate: 0.2}
	got, err := ParseSimWords(cur, cur.Words())
	if err != nil || !reflect.DeepEqual(got, cur) {
		t.Fatalf("untouched words: %+v, %v", got, err)
	}
	got, err = ParseSimWords(cur, "status=503")
	want := cur
	want.Status = 503
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("status=503: %+v, %v", got, err)
	}
	got, err = ParseSimWords(cur, `header="" body=""`)
	want = cur
	want.Headers, want.Body = nil, ""
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("clearing: %+v, %v", got, err)
	}
}

func TestSimWordsRefuseWhatIsOutOfRange(t *testing.T) {
	for words, want := range map[string]string{
		"status=100":                   "status: 100 is outside 200..599",
		"delay_ms=9223372036854775807": "delay_ms: 9223372036854775807 is outside",
		"failure_rate=2":               "failure_rate: 2 is outside 0..1",
		"seed=9223372036854775808":     "seed:",
		"colour=red":                   `unknown setting "colour"`,
		"status":                       `"status": write key=value`,
		`body="open`:                   "body: the quoted value is not closed",
		"hang=maybe":                   "hang:",
		`header="nocolon"`:             "header:",
	} {
		_, err := ParseSimWords(SimResponse{}, words)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", words, err, want)
		}
	}
}
