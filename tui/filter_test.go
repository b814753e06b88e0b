package tui

import (
	"maps"
	"testing"
)

func TestParseFilter(t *testing.T) {
	known := map[string]string{"vendor": "vendor", "sig": "sig", "signature": "sig"}
	kv, text := parseFilter([]string{"vendor:holm", "evt_12", "sig:valid", "route:x", "signature:invalid", "boom"}, known)
	want := map[string]string{"vendor": "holm", "sig": "invalid"} // the later alias wins
	if !maps.Equal(kv, want) {
		t.Errorf("pairs %v, want %v", kv, want)
	}
	if text != "evt_12 route:x boom" { // a key this view does not know is searched as text
		t.Errorf("text %q", text)
	}
}
