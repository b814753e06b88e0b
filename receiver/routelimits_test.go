package receiver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// TestValidateRouteChecksEveryNumberByItsRange: every number of a route's
// simulated response is checked by its declared range, including the
// values that used to pass (a delay of 2^63-1 ms overflowed the check, a
// 1xx status was taken), and each refusal is a *limits.RangeError naming
// response.FIELD and the range.
func TestValidateRouteChecksEveryNumberByItsRange(t *testing.T) {
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
		err := ValidateRoute(r)
		var re *limits.RangeError
		if err == nil || err.Error() != tc.want || !errors.As(err, &re) {
			t.Errorf("got %v, want the range error %q", err, tc.want)
		}
	}
	// Two at once are both named, on one line.
	err := ValidateRoute(&db.Route{Name: "x", Profile: "generic", Response: db.SimResponse{Status: 100, DelayMS: math.MaxInt64}})
	if want := "response.status: 100 is outside 200..599; response.delay_ms: 9223372036854775807 is outside 0..600000 ms"; err == nil || err.Error() != want {
		t.Errorf("status 100 and delay 2^63-1: %v, want %q", err, want)
	}
	// The ends of every range, and the zero values that mean "default".
	for _, sim := range []db.SimResponse{
		{},
		{Status: 200, FailStatus: 599, DelayMS: 600000, FailFirst: 1_000_000, FailureRate: 1, OversizeBytes: 1 << 30, Seed: math.MinInt64},
		{Status: 599, FailStatus: 200, Body: strings.Repeat("x", limits.RouteBody), Seed: math.MaxInt64},
	} {
		if err := ValidateRoute(&db.Route{Name: "x", Profile: "generic", Response: sim}); err != nil {
			t.Errorf("status %d, fail status %d, delay %d ms: %v, want it taken", sim.Status, sim.FailStatus, sim.DelayMS, err)
		}
	}
}

// TestStoredOutOfRangeRouteIsAnsweredAsRecorded: a route stored without
// the check (by an older version) with a 1xx status and a delay past
// int64 is answered 500 saying why, and the row records exactly that
// status and a latency that is not negative; before, the wire carried
// "100 Continue" then "200 OK" while the row said 100, with a negative
// latency.
func TestStoredOutOfRangeRouteIsAnsweredAsRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.Route("holm")
	r.Response = db.SimResponse{Status: 100, DelayMS: math.MaxInt64}
	if err := h.DB.Write(context.Background(), func(tx db.Handle) error { return h.Routes.PutRoute(context.Background(), tx, r) }); err != nil {
		t.Fatal(err)
	}
	h.Srv.routes.invalidate()

	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /hooks/holm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var statuses []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		if strings.HasPrefix(line, "HTTP/1.1 ") {
			statuses = append(statuses, strings.TrimSpace(line))
		}
	}
	if len(statuses) != 1 || statuses[0] != "HTTP/1.1 500 Internal Server Error" {
		t.Fatalf("status lines on the wire: %q, want one 500", statuses)
	}
	rec := h.Last()
	if rec.Response.Status != 500 || rec.Response.LatencyMS < 0 || !strings.Contains(rec.Error, "response.status: 100 is outside 200..599") {
		t.Errorf("recorded status %d, latency %v ms, error %q; want 500, >= 0, naming the status", rec.Response.Status, rec.Response.LatencyMS, rec.Error)
	}
}
