package sender

import (
	"time"

	"github.com/hookscope/hookscope/db"
)

// Clock is the sender's source of time, injectable for tests.
type Clock interface {
	// Now is the current real-world time.
	Now() time.Time
	// After fires once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// scaled is the real wait for a vendor wait at the given time scale.
func scaled(d time.Duration, scale float64) time.Duration {
	if scale <= 0 || scale == 1 {
		return d
	}
	return saturated(float64(d) / scale)
}

// deliveryScale is the time scale d is scheduled with: its own, kept with
// it whichever process sends it, or fallback for one that has none (made
// in memory without it).
func deliveryScale(d db.Delivery, fallback float64) float64 {
	if d.TimeScale > 0 {
		return d.TimeScale
	}
	return fallback
}
