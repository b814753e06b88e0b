package sender

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// A Retry-After answer header (honoured by the profiles whose policy says
// so: Standard Webhooks) sets the wait before the next retry, bounded by
// the vendor's retry window: never "now" for a wait it cannot express.
//
//   - delta-seconds or an HTTP date within what is left of the window: the
//     wait it asks for (a date already past: 0, a retry at once).
//   - beyond what is left of the window (a date in year 9999, 8000000000
//     seconds, a number overflowing int64): clamped to the window's end,
//     the reason saying so; when the window has no time left, the
//     delivery ends, its last error saying why.
//   - unparsable ("soon", "-5", "1.5"): ignored, the ladder's wait kept,
//     the reason saying so.
//
// The window is the vendor's own (PolicyCortex 24 h, SecurityScorecard
// 36 h) or, for a vendor that documents none, the span its own ladder
// covers (Standard Webhooks: 27h35m5s), measured in vendor time from the
// delivery's creation. docs/sender.md says the same.

// retryAfterResult is what a Retry-After value does to the next retry:
// its wait and reason, or end (non-empty) when the delivery ends instead.
type retryAfterResult struct {
	wait   time.Duration
	reason string
	end    string
}

// honourRetryAfter applies a Retry-After value v to the next retry, whose
// ladder wait and reason are wait and reason, with left the time the
// vendor's retry window still has.
func honourRetryAfter(v string, now time.Time, wait time.Duration, reason string, left time.Duration) retryAfterResult {
	shown := clipValue(v)
	ra, ok := parseRetryAfter(v, now)
	switch {
	case !ok:
		return retryAfterResult{wait: wait, reason: fmt.Sprintf("%s; Retry-After %s unparsable, ignored", reason, shown)}
	case ra <= left:
		return retryAfterResult{wait: ra, reason: "Retry-After"}
	case left > 0:
		return retryAfterResult{wait: left, reason: fmt.Sprintf("Retry-After %s is past the retry window: clamped to its end, %s from now", shown, ShortDuration(left))}
	}
	return retryAfterResult{end: fmt.Sprintf("Retry-After %s asks for a retry past the vendor's retry window, which has no time left: the delivery ends", shown)}
}

// parseRetryAfter reads a Retry-After value: delta-seconds (digits only;
// one too large for a Duration saturates at the longest) or an HTTP date
// (one already past is 0). ok is false for anything else.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		if err != nil || n > uint64(math.MaxInt64/int64(time.Second)) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true // Sub saturates
	}
	return 0, false
}

// windowLeft is how much of pol's retry window is left at now for a
// delivery created at created, in vendor time (real time × scale).
func windowLeft(pol fixtures.DeliveryPolicy, created, now time.Time, scale float64) time.Duration {
	window := pol.Window
	if window <= 0 {
		window = sum(pol.RetryDelays())
	}
	if scale <= 0 {
		scale = 1
	}
	elapsed := saturated(float64(max(now.Sub(created), 0)) * scale)
	return max(window-elapsed, 0)
}

// clipValue quotes a header value for a reason, cut to 64 bytes.
func clipValue(v string) string {
	if len(v) > 64 {
		return strconv.Quote(v[:64]) + "…"
	}
	return strconv.Quote(v)
}

// joinNote adds note to an error text.
func joinNote(err, note string) string {
	if err == "" {
		return note
	}
	return err + "; " + note
}
