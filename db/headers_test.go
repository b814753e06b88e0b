package db

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestHeadersFromHTTPSortsNamesKeepsValueOrder(t *testing.T) {
	h := http.Header{
		"X-B":                      {"2", "1"},
		"Content-Type":             {"application/json"},
		"X-PolicyCortex-Signature": {"sha256=ab"}, // a vendor's own spelling survives
	}
	got := HeadersFromHTTP(h)
	want := []Header{
		{"Content-Type", "application/json"},
		{"X-B", "2"}, {"X-B", "1"},
		{"X-PolicyCortex-Signature", "sha256=ab"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("HeadersFromHTTP = %v, want %v", got, want)
	}
	masked := MapHeaderValues(got, func(name, v string) string {
		if strings.HasPrefix(name, "X-B") {
			return "*"
		}
		return v
	})
	if masked[1].Value != "*" || got[1].Value != "2" {
		t.Errorf("MapHeaderValues changed the original or missed a value: %v / %v", masked, got)
	}
}
