package tui

import (
	"strings"
	"testing"
)

// TestRouteFormTakesTheRoutesRanges: the console's route form refuses what
// the API and the CLI refuse, with the range from limits: a 1xx status, a
// delay past the limit or past int64, a failure rate over 100%.
func TestRouteFormTakesTheRoutesRanges(t *testing.T) {
	for _, tc := range []struct {
		set  func(*routeForm)
		want string
	}{
		{func(f *routeForm) { f.status = "100" }, "status: 100 is outside 200..599"},
		{func(f *routeForm) { f.failStatus = "101" }, "fail status: 101 is outside 200..599"},
		{func(f *routeForm) { f.delayMS = "9223372036854775807" }, "delay: 9223372036854775807 is outside 0..600000 ms"},
		{func(f *routeForm) { f.delayMS = "99999999999999999999" }, "delay: 99999999999999999999 is outside 0..600000 ms"},
		{func(f *routeForm) { f.failFirst = "1000001" }, "fail first: 1000001 is outside 0..1000000"},
		{func(f *routeForm) { f.oversize = "1073741825" }, "oversized body: 1073741825 is outside 0..1073741824 bytes"},
		{func(f *routeForm) { f.failRate = "150%" }, "failure rate: 150 is outside 0..100 %"},
	} {
		f := &routeForm{name: "x", profile: "generic"}
		tc.set(f)
		_, err := f.route()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	// Each field's own check says the same as the whole form.
	if err := statusField(formStatus)("100"); err == nil || !strings.Contains(err.Error(), "200..599") {
		t.Errorf("the status field takes 100: %v", err)
	}
	if err := limitField(formDelay)("9223372036854775807"); err == nil {
		t.Error("the delay field takes 2^63-1")
	}
	// The ends of the ranges, and empty fields, are taken.
	f := &routeForm{name: "x", profile: "generic", status: "599", failStatus: "200", delayMS: "600000", failFirst: "1000000", failRate: "100", oversize: "1073741824"}
	if r, err := f.route(); err != nil || r.Response.Status != 599 || r.Response.FailureRate != 1 {
		t.Errorf("the ends of the ranges: %+v, %v", r.Response, err)
	}
	if _, err := (&routeForm{name: "x", profile: "generic", status: "0"}).route(); err != nil {
		t.Errorf("status 0 (the default): %v", err)
	}
}
