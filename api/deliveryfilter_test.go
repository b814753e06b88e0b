package api

import (
	"net/url"
	"testing"
)

// GET /api/deliveries?source=check%20RUN selects one check run's
// deliveries; the parameter is one the API knows.
func TestParseDeliveryFilterSource(t *testing.T) {
	f, err := ParseDeliveryFilter(url.Values{"source": {"check 1a2b3c4d"}, "status": {"failed"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "check 1a2b3c4d" || f.Status != "failed" {
		t.Errorf("%+v", f)
	}
}
