package check

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/sender"
)

// Expect is what a scenario wants of every answer.
type Expect struct {
	// Reject: a 4xx (the receiver refuses the request); else a 2xx.
	Reject bool
	// Prefer lists the 4xx statuses that pass; another 4xx only warns.
	// Empty: any 4xx passes.
	Prefer []int
	// Within is the attempt's timeout, shown in the expectation.
	Within time.Duration
	// Limit is the vendor's response size limit, shown (0: none).
	Limit int64
}

// String says the expectation in a few words: "2xx within 5s, answer ≤ 100 KB".
func (e Expect) String() string {
	var b strings.Builder
	if e.Reject {
		b.WriteString("4xx")
		if len(e.Prefer) > 0 {
			codes := make([]string, len(e.Prefer))
			for i, c := range e.Prefer {
				codes[i] = fmt.Sprint(c)
			}
			fmt.Fprintf(&b, " (%s)", strings.Join(codes, "/"))
		}
	} else {
		b.WriteString("2xx")
	}
	fmt.Fprintf(&b, " within %s", e.Within)
	if e.Limit > 0 && !e.Reject {
		fmt.Fprintf(&b, ", answer ≤ %d KB", e.Limit/1024)
	}
	return b.String()
}

// excerptRunes bounds an answer's excerpt.
const excerptRunes = 60

// excerpt is the start of an answer body on one line, every control and
// format character neutralised, at most excerptRunes runes.
func excerpt(body []byte) string {
	if len(body) > 4*excerptRunes {
		body = body[:4*excerptRunes]
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	s = sanitize.Line(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) > excerptRunes {
		s = string([]rune(s)[:excerptRunes-1]) + "…"
	}
	return s
}

// neutral makes a text that may quote the receiver (an error, a Location)
// safe and short.
func neutral(s string) string {
	s = sanitize.Line(s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:199]) + "…"
	}
	return s
}

// judge gives one recorded attempt its verdict; what names the request in
// the reason ("a request whose body changed after signing").
func judge(e Expect, a *db.Attempt, what string) Exchange {
	x := Exchange{DeliveryID: a.DeliveryID, Attempt: a.N, LatencyMS: a.DurationMS}
	if a.Response != nil {
		x.Status = a.Response.Status
		x.Excerpt = excerpt(a.Response.Body)
	}
	if a.Error != "" {
		x.Error = neutral(a.Error)
	}
	fail := func(format string, args ...any) Exchange {
		x.Verdict, x.Reason = Fail, fmt.Sprintf(format, args...)
		return x
	}
	switch {
	case strings.HasPrefix(a.Error, sender.ErrClassFrame):
		return fail("hookscope could not build %s, so nothing was sent: %s", what, x.Error)
	case strings.HasPrefix(a.Error, sender.ErrClassTimeout):
		return fail("no answer to %s within %s: the vendor gives up and counts it a failure", what, e.Within)
	case strings.HasPrefix(a.Error, sender.ErrClassTooLarge):
		return fail("the answer is over the vendor's %d KB limit", e.Limit/1024)
	case a.Response == nil:
		return fail("no answer to %s: %s", what, x.Error)
	case x.Status >= 500:
		return fail("answered %d %s to %s: a server error, which the vendor counts a failure", x.Status, http.StatusText(x.Status), what)
	case strings.HasPrefix(a.Error, sender.ErrClassRedirect):
		return fail("answered %d, a redirect the vendor does not follow", x.Status)
	case a.Error != "" && !strings.HasPrefix(a.Error, sender.ErrClassHTTPStatus):
		return fail("the answer broke off: %s", x.Error)
	}
	ok := x.Status >= 200 && x.Status <= 299
	if !e.Reject {
		if !ok {
			return fail("answered %d to %s; the vendor counts anything but 2xx a failure and sends it again", x.Status, what)
		}
		x.Verdict, x.Reason = Pass, fmt.Sprintf("accepted %s", what)
		return x
	}
	switch {
	case ok:
		return fail("accepted %s (%d): it must be refused with a 4xx", what, x.Status)
	case x.Status < 400:
		return fail("answered %d to %s; want a 4xx", x.Status, what)
	}
	for _, c := range e.Prefer {
		if c == x.Status {
			x.Verdict, x.Reason = Pass, fmt.Sprintf("refused %s", what)
			return x
		}
	}
	if len(e.Prefer) == 0 {
		x.Verdict, x.Reason = Pass, fmt.Sprintf("refused %s", what)
		return x
	}
	x.Verdict, x.Reason = Warn, fmt.Sprintf("refused %s, but with %d; 401 or 403 tells the vendor it is an authentication failure", what, x.Status)
	return x
}
