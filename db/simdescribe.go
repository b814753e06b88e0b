package db

import (
	"fmt"
	"strings"
	"time"
)

// DescribeSim says in a line how a route answers: its status, then each
// simulated failure, delay or oddity ("200, first 3 fail 500, delay 1s").
func DescribeSim(s SimResponse) string {
	status := s.Status
	if status == 0 {
		status = 200
	}
	parts := []string{fmt.Sprint(status)}
	failStatus := s.FailStatus
	if failStatus == 0 {
		failStatus = 500
	}
	if s.FailFirst > 0 {
		parts = append(parts, fmt.Sprintf("first %d fail %d", s.FailFirst, failStatus))
	}
	if s.FailureRate > 0 {
		p := fmt.Sprintf("%g%% fail %d", s.FailureRate*100, failStatus)
		if s.Seed != 0 {
			p += fmt.Sprintf(" (seed %d)", s.Seed)
		}
		parts = append(parts, p)
	}
	if s.DelayMS > 0 {
		parts = append(parts, "delay "+(time.Duration(s.DelayMS)*time.Millisecond).String())
	}
	if s.Hang {
		parts = append(parts, "hang")
	}
	if s.OversizeBytes > 0 {
		parts = append(parts, fmt.Sprintf("oversized %d B", s.OversizeBytes))
	}
	if s.Body != "" {
		parts = append(parts, fmt.Sprintf("body %d B", len(s.Body)))
	}
	return strings.Join(parts, ", ")
}
