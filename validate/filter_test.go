package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// A requests filter is spelled as the store reads it (the vendor as its
// profile names itself, the status lowered), and each bad value is
// refused naming its field in the words the API, the CLI and the console
// all show.
func TestRequestFilter(t *testing.T) {
	f := db.RequestFilter{Vendor: "PolicyCortex", Status: "5XX", Signature: "valid"}
	if err := RequestFilter(&f); err != nil || f.Vendor != "policycortex" || f.Status != "5xx" {
		t.Fatalf("got %+v, %v; want policycortex and 5xx", f, err)
	}
	for _, c := range []struct {
		f    db.RequestFilter
		want string
	}{
		{db.RequestFilter{Vendor: "acme"}, `vendor: unknown vendor "acme"`},
		{db.RequestFilter{Status: "6XX"}, `status "6XX": give a code (404) or a class (2xx, 4xx, 5xx)`},
		{db.RequestFilter{Signature: "forged"}, `signature "forged": one of valid, invalid, missing, unverifiable`},
		{db.RequestFilter{Text: strings.Repeat("x", int(limits.SearchText.Max)+1)}, "q: "},
	} {
		if err := RequestFilter(&c.f); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
	var re *limits.RangeError
	if err := SearchText(strings.Repeat("x", int(limits.SearchText.Max)+1)); !errors.As(err, &re) || re.Field != "q" {
		t.Errorf("an over-long search text: %v, want a RangeError naming q", err)
	}
}

// A deliveries filter takes a delivery status or the last attempt's HTTP
// status (a code or a class), and refuses anything else naming both.
func TestDeliveryFilter(t *testing.T) {
	f := db.DeliveryFilter{Vendor: "HOLM", Status: "5XX", Limit: 1}
	if err := DeliveryFilter(&f); err != nil || f.Vendor != "holm" || f.Status != "" || f.LastHTTP != "5xx" {
		t.Fatalf("got %+v, %v; want holm and the last attempt's 5xx", f, err)
	}
	f = db.DeliveryFilter{Status: "lost", Limit: 1}
	if err := DeliveryFilter(&f); err == nil || !strings.HasPrefix(err.Error(), `status "lost": one of `) {
		t.Errorf("status lost: %v", err)
	}
}
