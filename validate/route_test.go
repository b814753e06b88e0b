package validate

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// TestRouteChecksEveryNumberByItsRange: every number of a route's
// simulated response is checked by its declared range, including the
// values that used to pass (a delay of 2^63-1 ms overflowed the check, a
// 1xx status was taken), and each refusal is a *limits.RangeError naming
// response.FIELD and the range.
func TestRouteChecksEveryNumberByItsRange(t *testing.T) {
	for _, tc := range []struct {
		sim  db.SimResponse
		want string
	}{
		{db.SimResponse{DelayMS: math.MaxInt64}, "response.delay_ms: 9223372036854775807 is outside 0..600000 ms"},
		{db.SimResponse{DelayMS: -1}, "response.delay_ms: -1 is outside 0..600000 ms"},
		{db.SimResponse{DelayMS: 600001}, "response.delay_ms: 600001 is outside 0..600000 ms"},
		{db.SimResponse{Status: 100}, "response.status: 100 is outside 200..599"},
		{db.SimResponse{Status: 199}, "response.status: 199 is outside 200..599"},
		{db.SimResponse{Status: -200}, "response.status: -200 is outside 200..599"},
		{db.SimResponse{FailStatus: 101}, "response.fail_status: 101 is outside 200..599"},
		{db.SimResponse{FailFirst: 1_000_001}, "response.fail_first: 1000001 is outside 0..1000000"},
		{db.SimResponse{FailFirst: -1}, "response.fail_first: -1 is outside 0..1000000"},
		{db.SimResponse{FailureRate: math.NaN()}, "response.failure_rate: NaN is outside 0..1"},
		{db.SimResponse{FailureRate: 1.01}, "response.failure_rate: 1.01 is outside 0..1"},
		{db.SimResponse{OversizeBytes: 1<<30 + 1}, "response.oversize_bytes: 1073741825 is outside 0..1073741824 bytes"},
		{db.SimResponse{Body: strings.Repeat("x", limits.RouteBody+1)}, "response.body: 1048577 is outside 0..1048576 bytes"},
	} {
		r := &db.Route{Name: "x", Profile: "generic", Response: tc.sim}
		err := Route(r)
		var re *limits.RangeError
		if err == nil || err.Error() != tc.want || !errors.As(err, &re) {
			t.Errorf("got %v, want the range error %q", err, tc.want)
		}
	}
	// Two at once are both named, on one line.
	err := Route(&db.Route{Name: "x", Profile: "generic", Response: db.SimResponse{Status: 100, DelayMS: math.MaxInt64}})
	if want := "response.status: 100 is outside 200..599; response.delay_ms: 9223372036854775807 is outside 0..600000 ms"; err == nil || err.Error() != want {
		t.Errorf("status 100 and delay 2^63-1: %v, want %q", err, want)
	}
	// The ends of every range, and the zero values that mean "default".
	for _, sim := range []db.SimResponse{
		{},
		{Status: 200, FailStatus: 599, DelayMS: 600000, FailFirst: 1_000_000, FailureRate: 1, OversizeBytes: 1 << 30, Seed: math.MinInt64},
		{Status: 599, FailStatus: 200, Body: strings.Repeat("x", limits.RouteBody), Seed: math.MaxInt64},
	} {
		if err := Route(&db.Route{Name: "x", Profile: "generic", Response: sim}); err != nil {
			t.Errorf("status %d, fail status %d, delay %d ms: %v, want it taken", sim.Status, sim.FailStatus, sim.DelayMS, err)
		}
	}
}
