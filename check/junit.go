package check

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/hookscope/hookscope/atomicfile"
)

// JUnitSuites is the JUnit XML document CI systems display: one
// testsuite per run, one testcase per scenario, a failure element for a
// failed scenario. A warning passes, with its reason in system-out.
type JUnitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one run.
type JUnitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []JUnitCase `xml:"testcase"`
}

// JUnitCase is one scenario.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitFailure says why a scenario failed.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit turns a report into the JUnit document.
func JUnit(r *Report) JUnitSuites {
	s := JUnitSuite{
		Name:      fmt.Sprintf("hookscope check %s %s", r.Vendor, r.URL),
		Tests:     len(r.Results),
		Failures:  r.Failed,
		Time:      seconds(r.DurationMS),
		Timestamp: r.StartedAt.Format("2006-01-02T15:04:05"),
	}
	for _, res := range r.Results {
		var ms float64
		var detail strings.Builder
		fmt.Fprintf(&detail, "expect: %s\n", res.Expect)
		for _, x := range res.Sent {
			ms += x.LatencyMS
			fmt.Fprintf(&detail, "delivery %d attempt %d: status %d, %.0f ms", x.DeliveryID, x.Attempt, x.Status, x.LatencyMS)
			if x.Error != "" {
				fmt.Fprintf(&detail, ", %s", x.Error)
			}
			if x.Excerpt != "" {
				fmt.Fprintf(&detail, ", answer %q", x.Excerpt)
			}
			detail.WriteString("\n")
		}
		c := JUnitCase{Name: res.ID + ": " + res.Scenario, ClassName: "hookscope.check." + r.Vendor, Time: seconds(ms)}
		switch res.Verdict {
		case Fail:
			c.Failure = &JUnitFailure{Message: res.Reason, Type: "fail", Text: detail.String()}
		case Warn:
			c.SystemOut = "warning: " + res.Reason + "\n" + detail.String()
		default:
			c.SystemOut = detail.String()
		}
		s.Cases = append(s.Cases, c)
	}
	return JUnitSuites{Suites: []JUnitSuite{s}}
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(JUnit(r)); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the report as JUnit XML to path, whole or not at
// all (atomicfile): a failed write leaves what was at path, and a path
// that is not a regular file (a symlink, a named pipe, a device) is
// refused. A new file is readable by all (0644), as CI tools expect.
func WriteJUnitFile(path string, r *Report) error {
	if err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return WriteJUnit(w, r) }); err != nil {
		return fmt.Errorf("writing --junit: %w", err)
	}
	return nil
}
