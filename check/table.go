package check

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as a table a person reads: one row per
// scenario (verdict, scenario, expectation, status, latency, the start of
// the answer), the reason under every row that did not pass, and a
// summary line. Every text from the receiver is already neutralised; the
// caller still writes through a terminal-safe writer.
func WriteTable(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "hookscope check %s → %s (run %s)\n\n", r.Vendor, r.URL, r.Run)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERDICT\tSCENARIO\tEXPECT\tGOT\tLATENCY\tANSWER")
	for _, res := range r.Results {
		var got, lat, ans []string
		for _, x := range res.Sent {
			switch {
			case x.Status > 0:
				got = append(got, fmt.Sprint(x.Status))
			case strings.HasPrefix(x.Error, "timeout"):
				got = append(got, "timeout")
			default:
				got = append(got, "error")
			}
			lat = append(lat, fmt.Sprintf("%.0fms", x.LatencyMS))
			if x.Excerpt != "" {
				ans = append(ans, x.Excerpt)
			}
		}
		if len(got) == 0 {
			got = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(res.Verdict)), res.ID, res.Expect,
			strings.Join(got, ","), strings.Join(lat, ","), clip(strings.Join(ans, " | "), 40))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes strings.Builder
	for _, res := range r.Results {
		if res.Verdict != Pass {
			fmt.Fprintf(&notes, "  %s %s: %s\n", strings.ToUpper(string(res.Verdict)), res.ID, res.Reason)
		}
	}
	if notes.Len() > 0 {
		fmt.Fprintf(w, "\n%s", notes.String())
	}
	_, err := fmt.Fprintf(w, "\n%d passed, %d warned, %d failed of %d scenarios in %.1fs; deliveries tagged \"check %s\"\n",
		r.Passed, r.Warned, r.Failed, len(r.Results), r.DurationMS/1000, r.Run)
	return err
}

// clip cuts s to n runes with an ellipsis.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
