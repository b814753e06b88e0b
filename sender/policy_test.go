package sender

import (
	"testing"
	"time"
)

// ShortDuration writes waits as the vendors' documents do.
func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Second:               "5s",
		time.Minute:                   "1m",
		30 * time.Minute:              "30m",
		90 * time.Minute:              "1h30m",
		3 * time.Hour:                 "3h",
		48 * time.Hour:                "48h",
		time.Hour + 30*time.Second:    "1h0m30s",
		1500 * time.Millisecond:       "1.5s",
		2*time.Minute + 5*time.Second: "2m5s",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
