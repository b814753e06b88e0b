package main

import (
	"strings"
	"testing"
	"time"
)

// TestConsoleManagesEverything: from the console alone, a person creates
// a route that fails twice, an endpoint pointing at it, sends a fixture
// to that endpoint, steps through the three attempts and opens the
// request the last attempt produced.
func TestConsoleManagesEverything(t *testing.T) {
	c := startConsole(t, 120, 40, "--time-scale", "3600")
	addr := c.receiver()

	// A route that fails its first two requests with 503.
	c.keys("5")
	c.waitFor(5*time.Second, "Routes · ", "policycortex")
	c.keys("n")
	c.waitFor(5*time.Second, "New route", "Name")
	c.typeText("flaky")
	c.keys("Enter", "Enter", "Enter", "Enter", "Enter") // name, profile, secret, token, header
	c.waitFor(5*time.Second, "Fail first")
	c.keys("Enter") // status: 200
	c.typeText("2")
	c.keys("Enter")
	c.typeText("503")
	c.keys("Enter", "Enter", "Enter") // fail status, rate, seed
	for i := 0; i < 8 && !strings.Contains(c.screen(), "saved: it answers"); i++ {
		c.keys("Enter") // delay, hang, oversized, headers, body: as they are
	}
	c.waitFor(5*time.Second, "✓ route flaky (generic) saved: it answers 200, first 2 fail 503")

	// An endpoint pointing at it, playing PolicyCortex.
	c.keys("3", "n")
	c.waitFor(5*time.Second, "New endpoint", "Name")
	c.typeText("flaky-ep")
	c.keys("Enter")
	c.waitFor(5*time.Second, "┃ URL")
	c.typeText("http://" + addr + "/hooks/flaky")
	c.keys("Enter")
	for i := 0; i < 16 && !strings.Contains(c.screen(), "added endpoint"); i++ {
		c.keys("Enter") // profile (PolicyCortex), credentials, events, delivery: as they are
	}
	c.waitFor(5*time.Second, "✓ added endpoint #", "flaky-ep → http://"+addr+"/hooks/flaky")

	// Send a PolicyCortex fixture to it.
	row, event, _ := fixtureRow(t, "policycortex")
	c.keys("4")
	c.repeat("j", row)
	c.waitFor(5*time.Second, event)
	c.keys("s")
	c.waitFor(5*time.Second, "flaky-ep")
	s := c.screen()
	if strings.Index(s, "local-policycortex") < strings.Index(s, "flaky-ep") {
		c.keys("j")
	}
	c.keys("Enter")
	c.waitFor(5*time.Second, "Send policycortex "+event+" to flaky-ep", "[y/n]")
	c.keys("y")
	c.waitFor(10*time.Second, "✓ sent policycortex "+event+" as delivery #")

	// Its three attempts: two 503s, then the 200.
	c.keys("2")
	s = c.waitFor(15*time.Second, "Attempts (3)", "succeeded", "flaky-ep")
	if strings.Count(s, " 503 ") != 2 || !strings.Contains(s, " 200 ") {
		t.Fatalf("the attempts are not two 503s then a 200:\n%s", s)
	}
	c.keys("[")
	c.waitFor(5*time.Second, "attempt 2 of 3", "Attempt 2/3 request")
	c.keys("[")
	c.waitFor(5*time.Second, "attempt 1 of 3", "Attempt 1/3 request")
	c.keys("]", "]")
	c.waitFor(5*time.Second, "attempt 3 of 3", "Attempt 3/3 request")

	// The request that last attempt produced, in the Inbox.
	c.keys("i")
	s = c.waitFor(10*time.Second, "produced by attempt 3 of delivery #", "/hooks/flaky")
	if !strings.Contains(s, "Request #") || !strings.Contains(s, "200") {
		t.Fatalf("the produced request is not shown:\n%s", s)
	}
}
