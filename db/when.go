package db

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWhen reads an instant as a person gives one: RFC 3339
// (2026-01-02T15:04:05Z), a date (2026-01-02, local midnight), or a
// duration ago (24h, 90m, 7d). Empty is the zero time.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n < 100_000 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: give RFC 3339 (2026-01-02T15:04:05Z), a date (2026-01-02) or a duration ago (24h, 7d)", s)
}
