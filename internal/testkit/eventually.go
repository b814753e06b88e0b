package testkit

import (
	"testing"
	"time"
)

// Eventually polls cond every 10 ms until it holds, failing the test
// (naming what was awaited) if it still does not after within.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(within)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
