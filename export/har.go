package export

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// The HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/):
// only what hookscope records; custom fields start with "_". HAR is the
// whole file; the export writes it entry by entry (see harWriter), and
// tests read it back into these types.
type (
	// HAR is a HAR file.
	HAR struct {
		Log Log `json:"log"`
	}
	// Log is the file's log: its creator and entries.
	Log struct {
		Version string  `json:"version"`
		Creator Creator `json:"creator"`
		Entries []Entry `json:"entries"`
	}
	// Creator names the program that wrote the file.
	Creator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	// Entry is one HTTP exchange: a received request, or one attempt of a delivery.
	Entry struct {
		StartedDateTime string   `json:"startedDateTime"`
		Time            float64  `json:"time"`
		Request         Request  `json:"request"`
		Response        Response `json:"response"`
		Cache           struct{} `json:"cache"`
		Timings         Timings  `json:"timings"`
		Comment         string   `json:"comment,omitempty"`
		// ID is the request's or delivery's number in hookscope.
		ID      int64 `json:"_id"`
		Attempt int   `json:"_attempt,omitempty"`
	}
	// Request is an entry's request.
	Request struct {
		Method      string      `json:"method"`
		URL         string      `json:"url"`
		HTTPVersion string      `json:"httpVersion"`
		Cookies     []struct{}  `json:"cookies"`
		Headers     []NameValue `json:"headers"`
		QueryString []NameValue `json:"queryString"`
		PostData    *PostData   `json:"postData,omitempty"`
		HeadersSize int         `json:"headersSize"`
		BodySize    int64       `json:"bodySize"`
	}
	// NameValue is a header or a query parameter.
	NameValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	// PostData is a request's body.
	PostData struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Encoding string `json:"encoding,omitempty"`
	}
	// Response is an entry's response (status 0 when none came).
	Response struct {
		Status      int         `json:"status"`
		StatusText  string      `json:"statusText"`
		HTTPVersion string      `json:"httpVersion"`
		Cookies     []struct{}  `json:"cookies"`
		Headers     []NameValue `json:"headers"`
		Content     Content     `json:"content"`
		RedirectURL string      `json:"redirectURL"`
		HeadersSize int         `json:"headersSize"`
		BodySize    int64       `json:"bodySize"`
		Comment     string      `json:"comment,omitempty"`
	}
	// Content is a response's body.
	Content struct {
		Size     int64  `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Encoding string `json:"encoding,omitempty"`
	}
	// Timings split an entry's time; hookscope knows only the wait.
	Timings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
)

// harBody is a body as HAR text: as it is when UTF-8, else base64 with
// encoding "base64" (the bytes stay exact either way).
func harBody(b []byte) (text, encoding string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

// harHeaders are headers as HAR name/value pairs, credentials masked as
// in every other output (a CodeScoring token, an Authorization bearer).
func harHeaders(hs []db.Header) []NameValue {
	out := make([]NameValue, len(hs))
	for i, h := range hs {
		out[i] = NameValue{h.Name, fixtures.MaskHeaderValue(h.Name, h.Value)}
	}
	return out
}

// mimeOf is the Content-Type header's media type (the HAR mimeType).
func mimeOf(hs []db.Header) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, "Content-Type") {
			if mt, _, err := mime.ParseMediaType(h.Value); err == nil {
				return mt
			}
			return h.Value
		}
	}
	return ""
}

func harQuery(rawURL string) []NameValue {
	out := []NameValue{}
	u, err := url.Parse(rawURL)
	if err != nil {
		return out
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, NameValue{k, v})
	}
	return out
}

func harReq(method, rawURL string, hs []db.Header, body []byte) Request {
	r := Request{Method: method, URL: rawURL, HTTPVersion: "HTTP/1.1", Cookies: []struct{}{},
		Headers: harHeaders(hs), QueryString: harQuery(rawURL), HeadersSize: -1, BodySize: int64(len(body))}
	if len(body) > 0 {
		text, enc := harBody(body)
		r.PostData = &PostData{MimeType: mimeOf(hs), Text: text, Encoding: enc}
	}
	return r
}

func harResp(resp *db.Response) Response {
	r := Response{Cookies: []struct{}{}, Headers: []NameValue{}, HTTPVersion: "HTTP/1.1", HeadersSize: -1, BodySize: -1}
	if resp == nil {
		r.Comment = "no response"
		return r
	}
	text, enc := harBody(resp.Body)
	r.Status, r.StatusText = resp.Status, http.StatusText(resp.Status)
	r.Headers = harHeaders(resp.Headers)
	r.BodySize = int64(len(resp.Body))
	r.Content = Content{Size: int64(len(resp.Body)), MimeType: mimeOf(resp.Headers), Text: text, Encoding: enc}
	if resp.Truncated {
		r.Comment = "body truncated at the size limit when recorded"
	}
	return r
}

// RequestEntry is a received request as a HAR entry (the URL as the
// sender addressed this receiver).
func RequestEntry(q *db.Request, receiver string) Entry {
	if receiver == "" {
		receiver = "127.0.0.1:8088" // the receiver's default address
	}
	u := "http://" + receiver + q.Path + queryPart(q.Query)
	e := Entry{
		StartedDateTime: q.ReceivedAt.UTC().Format(time.RFC3339Nano),
		Time:            q.Response.LatencyMS,
		Request:         harReq(q.Method, u, q.Headers, q.Body),
		Response:        harResp(&q.Response),
		Timings:         Timings{Send: 0, Wait: q.Response.LatencyMS, Receive: 0},
		ID:              q.ID,
	}
	e.Request.BodySize = q.BodySize
	if q.Vendor != "" {
		e.Comment = fmt.Sprintf("%s %s; signature %s", q.Vendor, strings.Join(q.EventTypes, ","), cmp.Or(q.Signature.Status, "-"))
	}
	return e
}

// AttemptEntry is one attempt of a delivery as a HAR entry.
func AttemptEntry(d *db.Delivery, a db.Attempt) Entry {
	e := Entry{
		StartedDateTime: a.StartedAt.UTC().Format(time.RFC3339Nano),
		Time:            a.DurationMS,
		Request:         harReq(a.Request.Method, a.Request.URL, a.Request.Headers, a.Request.Body),
		Response:        harResp(a.Response),
		Timings:         Timings{Wait: a.DurationMS},
		ID:              d.ID,
		Attempt:         a.N,
		Comment:         fmt.Sprintf("delivery #%d attempt %d: %s %s", d.ID, a.N, d.Vendor, strings.Join(d.EventTypes, ",")),
	}
	if a.Error != "" {
		e.Comment += "; error: " + a.Error
	}
	return e
}

// queryPart is "?query", or "" when there is none.
func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}
