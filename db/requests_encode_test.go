package db

import "testing"

// TestRequestJSONColumnsMatchEncoders: the append encoders CreateRequest
// uses write exactly what encodeHeaders and encodeStrings write, so text
// search and decoding see the same column whichever wrote it.
func TestRequestJSONColumnsMatchEncoders(t *testing.T) {
	tricky := []string{"", "plain", `quote " and \ backslash`, "<html>&amp;", "tab\tnew\nline\r\x00\x1f\x7f",
		"\u2028\u2029", "ünïcødé ✓ 🎉", "bad \xff\xfe utf8", "\x1b[31mred\x1b[0m"}
	var hs []Header
	for i, s := range tricky {
		hs = append(hs, Header{Name: s, Value: tricky[len(tricky)-1-i]})
	}
	for _, c := range [][]Header{nil, {}, hs} {
		want, err := encodeHeaders(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendHeaders(nil, c)); got != want {
			t.Errorf("headers %q:\n got %s\nwant %s", c, got, want)
		}
	}
	for _, c := range [][]string{nil, {}, tricky} {
		want, err := encodeStrings(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendStrings(nil, c)); got != want {
			t.Errorf("strings %q:\n got %s\nwant %s", c, got, want)
		}
	}
}
