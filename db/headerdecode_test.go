package db

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// slowHeaders decodes a headers column with encoding/json only.
func slowHeaders(t *testing.T, s string) []Header {
	t.Helper()
	var in []storedHeader
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		t.Fatal(err)
	}
	hs := make([]Header, 0, len(in))
	for _, h := range in {
		hs = append(hs, Header{Name: h.Name, Value: h.Value})
	}
	return hs
}

// The fast header decoder gives what encoding/json gives for every list
// it accepts, and accepts the plain lists the receiver usually stores;
// lists with escapes or invalid UTF-8 still round-trip through
// decodeHeaders exactly.
func TestDecodePlainHeadersAgreesWithJSON(t *testing.T) {
	pieces := []string{"Content-Type", "application/json", "", "a\"b", `back\slash`, "tab\there", "\x1b[2J", "café", "\u2028", "\xff\xfe", "}", `","value":"`, "]", ","}
	rnd := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 5000 {
		hs := make([]Header, rnd.IntN(5))
		for i := range hs {
			hs[i] = Header{Name: pieces[rnd.IntN(len(pieces))] + pieces[rnd.IntN(len(pieces))], Value: pieces[rnd.IntN(len(pieces))]}
		}
		s, err := encodeHeaders(hs)
		if err != nil {
			t.Fatalf("encodeHeaders %q: %v", hs, err)
		}
		got, err := decodeHeaders(s)
		if err != nil || !reflect.DeepEqual(got, hs) {
			t.Fatalf("%q decodes to %q (%v), want %q", s, got, err, hs)
		}
		if fast, ok := decodePlainHeaders(s); ok {
			accepted++
			if want := slowHeaders(t, s); !reflect.DeepEqual(fast, want) {
				t.Fatalf("%q: fast %q, encoding/json %q", s, fast, want)
			}
		}
	}
	if accepted < 500 {
		t.Fatalf("the fast path took only %d of 5000 lists", accepted)
	}
	for _, bad := range []string{`[`, `[{"name":"a","value":"b"}`, `[{"name":"a","value":"b"},]`, `[{"name":"a"}]`, `{}`, `[{"name":"a","value":"b"}]x`} {
		if hs, ok := decodePlainHeaders(bad); ok {
			t.Errorf("%q accepted as %q", bad, hs)
		}
	}
}

// The fast string-list decoder agrees with encoding/json on every list
// appendStrings writes that it accepts, and refuses malformed ones.
func TestDecodePlainStringsAgreesWithJSON(t *testing.T) {
	pieces := []string{"policy.violation.created", "", "a\"b", `back\slash`, "tab\there", "café", "\u2028", "\xff", ",", `","`, "]"}
	rnd := rand.New(rand.NewPCG(3, 4))
	accepted := 0
	for range 5000 {
		ss := make([]string, rnd.IntN(4))
		for i := range ss {
			ss[i] = pieces[rnd.IntN(len(pieces))] + pieces[rnd.IntN(len(pieces))]
		}
		s, err := encodeStrings(ss)
		if err != nil {
			t.Fatalf("encodeStrings %q: %v", ss, err)
		}
		var want []string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = []string{}
		}
		if got, err := decodeStrings(s); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q decodes to %q (%v), want %q", s, got, err, want)
		}
		if fast, ok := decodePlainStrings(s); ok {
			accepted++
			if !reflect.DeepEqual(fast, want) {
				t.Fatalf("%q: fast %q, encoding/json %q", s, fast, want)
			}
		}
	}
	if accepted < 500 {
		t.Fatalf("the fast path took only %d of 5000 lists", accepted)
	}
	for _, bad := range []string{`[`, `["a"`, `["a",]`, `["a" ]`, `[1]`, `["a"]x`, `{}`} {
		if ss, ok := decodePlainStrings(bad); ok {
			t.Errorf("%q accepted as %q", bad, ss)
		}
	}
}
