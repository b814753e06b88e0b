package db

import "testing"

// The header encoding keeps every header byte-exact, a name or value that
// is not valid UTF-8 included.
func TestEncodeHeadersRoundTrips(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	cases := [][]Header{
		nil,
		{},
		{{Name: "Content-Type", Value: "application/json"}},
		{{Name: "X-A", Value: string(all[:128])}, {Name: "X-B", Value: "<&>\u2028\u2029é€😀\x7f"}},
		{{Name: "X-\xff", Value: string(all)}, {Name: "", Value: ""}, {Name: "bad\xc3", Value: "ok"}},
	}
	for c := range 128 {
		cases = append(cases, []Header{{Name: string(rune(c)), Value: "a" + string(rune(c)) + "b"}})
	}
	for _, hs := range cases {
		enc, err := encodeHeaders(hs)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeHeaders(enc)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(hs) {
			t.Fatalf("decoded %d headers, want %d", len(back), len(hs))
		}
		for i := range hs {
			if back[i] != hs[i] {
				t.Errorf("header %d round-tripped as %q, want %q", i, back[i], hs[i])
			}
		}
	}
}
