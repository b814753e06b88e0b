package db

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookscope/hookscope/limits"
)

// A simulated response has three textual forms, all here beside the type:
// DescribeSim, a line for people ("200, first 3 fail 500, delay 1s"); Words,
// the key=value words the console's prompt, its command line and
// `routes set` take; and ParseSimWords, which reads them back. Words covers
// every field, so ParseSimWords(x, x.Words()) is x whatever x holds (the
// round-trip test checks it over random responses).

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
	if len(s.Headers) > 0 {
		parts = append(parts, fmt.Sprintf("%d header(s)", len(s.Headers)))
	}
	if s.Body != "" {
		parts = append(parts, fmt.Sprintf("body %d B", len(s.Body)))
	}
	return strings.Join(parts, ", ")
}

// SimWordsHelp lists the words ParseSimWords takes.
const SimWordsHelp = `status=N fail_first=N fail_status=N delay_ms=N failure_rate=0..1 seed=N hang=true|false oversize_bytes=N header="Name: value" (repeat it; header="" for none) body="text" (Go quoting); "reset" first starts from a plain 200`

// Words writes s as the key=value words ParseSimWords reads: the status
// always, every other field that is set, strings Go-quoted in ASCII (so
// the words hold no control or format character, whatever the body).
func (s SimResponse) Words() string {
	status := s.Status
	if status == 0 {
		status = 200
	}
	w := []string{"status=" + strconv.Itoa(status)}
	if s.FailFirst != 0 {
		w = append(w, "fail_first="+strconv.Itoa(s.FailFirst))
	}
	if s.FailStatus != 0 {
		w = append(w, "fail_status="+strconv.Itoa(s.FailStatus))
	}
	if s.DelayMS != 0 {
		w = append(w, "delay_ms="+strconv.Itoa(s.DelayMS))
	}
	if s.FailureRate != 0 {
		w = append(w, "failure_rate="+strconv.FormatFloat(s.FailureRate, 'g', -1, 64))
	}
	if s.Seed != 0 {
		w = append(w, "seed="+strconv.FormatInt(s.Seed, 10))
	}
	if s.Hang {
		w = append(w, "hang=true")
	}
	if s.OversizeBytes != 0 {
		w = append(w, "oversize_bytes="+strconv.FormatInt(s.OversizeBytes, 10))
	}
	for _, h := range s.Headers {
		w = append(w, "header="+strconv.QuoteToASCII(h.Name+": "+h.Value))
	}
	if s.Body != "" {
		w = append(w, "body="+strconv.QuoteToASCII(s.Body))
	}
	return strings.Join(w, " ")
}

// ParseSimWords reads key=value words on top of base: a field the words do
// not name keeps base's value (so a prompt prefilled with base.Words() and
// confirmed untouched changes nothing); the word "reset", first, starts
// from a plain 200 instead. header words, when any is given, replace the
// headers (header="" alone clears them). Every number is checked by its
// range in limits; the error names the word.
func ParseSimWords(base SimResponse, text string) (SimResponse, error) {
	words, err := splitSimWords(text)
	if err != nil {
		return base, err
	}
	r := base
	if len(words) > 0 && words[0] == "reset" {
		r, words = SimResponse{}, words[1:]
	}
	var headers []Header
	headersGiven := false
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return base, fmt.Errorf("%q: write key=value (%s)", w, SimWordsHelp)
		}
		if strings.HasPrefix(v, `"`) {
			if v, err = strconv.Unquote(v); err != nil {
				return base, fmt.Errorf("%s: %s is not a Go-quoted string", k, w[len(k)+1:])
			}
		}
		whole := func(rg limits.Int, set func(int64)) error {
			n, err := rg.Parse(v)
			if err == nil {
				set(n)
			}
			return err
		}
		switch k {
		case "status":
			err = whole(limits.RouteStatus, func(n int64) { r.Status = int(n) })
		case "fail_first":
			err = whole(limits.RouteFailFirst, func(n int64) { r.FailFirst = int(n) })
		case "fail_status":
			err = whole(limits.RouteFailStatus, func(n int64) { r.FailStatus = int(n) })
		case "delay_ms":
			err = whole(limits.RouteDelayMS, func(n int64) { r.DelayMS = int(n) })
		case "seed":
			err = whole(limits.RouteSeed, func(n int64) { r.Seed = n })
		case "oversize_bytes":
			err = whole(limits.RouteOversize, func(n int64) { r.OversizeBytes = n })
		case "failure_rate":
			r.FailureRate, err = limits.RouteFailRate.Parse(v)
		case "hang":
			if r.Hang, err = strconv.ParseBool(v); err != nil {
				err = fmt.Errorf("hang: %q is not true or false", v)
			}
		case "header":
			headersGiven = true
			if v == "" {
				continue
			}
			name, value, ok := strings.Cut(v, ":")
			if !ok || strings.TrimSpace(name) == "" {
				return base, fmt.Errorf("header: %q is not Name: value", v)
			}
			headers = append(headers, Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
		case "body":
			if len(v) > limits.RouteBody {
				return base, fmt.Errorf("body: %d bytes; at most %d", len(v), limits.RouteBody)
			}
			r.Body = v
		default:
			return base, fmt.Errorf("unknown setting %q (%s)", k, SimWordsHelp)
		}
		if err != nil {
			return base, err
		}
	}
	if headersGiven {
		r.Headers = headers
	}
	return r, nil
}

// splitSimWords splits text at spaces, keeping a Go-quoted value (which
// may hold spaces) whole: header="X-Team: platform".
func splitSimWords(text string) ([]string, error) {
	var words []string
	for {
		text = strings.TrimLeft(text, " \t")
		if text == "" {
			return words, nil
		}
		end := strings.IndexAny(text, " \t")
		if eq := strings.IndexByte(text, '='); eq >= 0 && (end < 0 || eq < end) && strings.HasPrefix(text[eq+1:], `"`) {
			q, err := strconv.QuotedPrefix(text[eq+1:])
			if err != nil {
				return nil, fmt.Errorf("%s: the quoted value is not closed", text[:eq])
			}
			end = eq + 1 + len(q)
		}
		if end < 0 {
			end = len(text)
		}
		words = append(words, text[:end])
		text = text[end:]
	}
}
