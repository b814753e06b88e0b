package tui

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
)

// The HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/):
// only what hookscope records; custom fields start with "_".
type (
	harFile struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		Comment         string      `json:"comment,omitempty"`
		// ID is the request's or delivery's number in hookscope.
		ID      int64 `json:"_id"`
		Attempt int   `json:"_attempt,omitempty"`
	}
	harRequest struct {
		Method      string     `json:"method"`
		URL         string     `json:"url"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harNV    `json:"headers"`
		QueryString []harNV    `json:"queryString"`
		PostData    *harPost   `json:"postData,omitempty"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int64      `json:"bodySize"`
	}
	harNV struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harPost struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Encoding string `json:"encoding,omitempty"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harNV    `json:"headers"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int64      `json:"bodySize"`
		Comment     string     `json:"comment,omitempty"`
	}
	harContent struct {
		Size     int64  `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Encoding string `json:"encoding,omitempty"`
	}
	harTimings struct {
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

func harHeaders(hs []db.Header) []harNV {
	out := make([]harNV, len(hs))
	for i, h := range hs {
		out[i] = harNV{h.Name, h.Value}
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

func harQuery(rawURL string) []harNV {
	out := []harNV{}
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
		out = append(out, harNV{k, v})
	}
	return out
}

func harReq(method, rawURL string, hs []db.Header, body []byte) harRequest {
	r := harRequest{Method: method, URL: rawURL, HTTPVersion: "HTTP/1.1", Cookies: []struct{}{},
		Headers: harHeaders(hs), QueryString: harQuery(rawURL), HeadersSize: -1, BodySize: int64(len(body))}
	if len(body) > 0 {
		text, enc := harBody(body)
		r.PostData = &harPost{MimeType: mimeOf(hs), Text: text, Encoding: enc}
	}
	return r
}

func harResp(resp *db.Response) harResponse {
	r := harResponse{Cookies: []struct{}{}, Headers: []harNV{}, HTTPVersion: "HTTP/1.1", HeadersSize: -1, BodySize: -1}
	if resp == nil {
		r.Comment = "no response"
		return r
	}
	text, enc := harBody(resp.Body)
	r.Status, r.StatusText = resp.Status, http.StatusText(resp.Status)
	r.Headers = harHeaders(resp.Headers)
	r.BodySize = int64(len(resp.Body))
	r.Content = harContent{Size: int64(len(resp.Body)), MimeType: mimeOf(resp.Headers), Text: text, Encoding: enc}
	if resp.Truncated {
		r.Comment = "body truncated at the size limit when recorded"
	}
	return r
}

// requestEntry is a received request as a HAR entry (the URL as the
// sender addressed this receiver).
func requestEntry(q *db.Request, receiver string) harEntry {
	if receiver == "" {
		receiver = "127.0.0.1:8080"
	}
	u := "http://" + receiver + q.Path + queryPart(q.Query)
	e := harEntry{
		StartedDateTime: q.ReceivedAt.UTC().Format(time.RFC3339Nano),
		Time:            q.Response.LatencyMS,
		Request:         harReq(q.Method, u, q.Headers, q.Body),
		Response:        harResp(&q.Response),
		Timings:         harTimings{Send: 0, Wait: q.Response.LatencyMS, Receive: 0},
		ID:              q.ID,
	}
	e.Request.BodySize = q.BodySize
	if q.Vendor != "" {
		e.Comment = fmt.Sprintf("%s %s; signature %s", q.Vendor, strings.Join(q.EventTypes, ","), orDash(q.Signature.Status))
	}
	return e
}

// attemptEntry is one attempt of a delivery as a HAR entry.
func attemptEntry(d *db.Delivery, a db.Attempt) harEntry {
	e := harEntry{
		StartedDateTime: a.StartedAt.UTC().Format(time.RFC3339Nano),
		Time:            a.DurationMS,
		Request:         harReq(a.Request.Method, a.Request.URL, a.Request.Headers, a.Request.Body),
		Response:        harResp(a.Response),
		Timings:         harTimings{Wait: a.DurationMS},
		ID:              d.ID,
		Attempt:         a.N,
		Comment:         fmt.Sprintf("delivery #%d attempt %d: %s %s", d.ID, a.N, d.Vendor, strings.Join(d.EventTypes, ",")),
	}
	if a.Error != "" {
		e.Comment += "; error: " + a.Error
	}
	return e
}

// writeHAR writes entries as a HAR 1.2 file in dir.
func writeHAR(dir, kind, version string, entries []harEntry) (string, error) {
	if version == "" {
		version = "dev"
	}
	if entries == nil {
		entries = []harEntry{}
	}
	b, err := json.MarshalIndent(harFile{Log: harLog{Version: "1.2", Creator: harCreator{Name: "hookscope", Version: version}, Entries: entries}}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding the HAR file: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("hookscope-%s-%s.har", kind, time.Now().Format("20060102-150405")))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}

// exportInboxHAR writes the visible page of requests as a HAR file.
func (m *Model) exportInboxHAR() tea.Cmd {
	ids := make([]int64, len(m.inbox.pg.rows))
	for i, r := range m.inbox.pg.rows {
		ids[i] = r.ID
	}
	ctx, src, dir, recv, version := m.ctx, m.src, m.expDir, m.info.ReceiverAddr, m.info.Version
	return func() tea.Msg {
		entries := make([]harEntry, 0, len(ids))
		for _, id := range ids {
			q, err := src.GetRequest(ctx, id)
			if err != nil {
				return exportedMsg{err: fmt.Errorf("exporting request %d: %w", id, err)}
			}
			entries = append(entries, requestEntry(q, recv))
		}
		path, err := writeHAR(dir, "requests", version, entries)
		if err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{text: fmt.Sprintf("exported %d requests as HAR to %s", len(ids), path)}
	}
}

// exportDeliveriesHAR writes the visible page of deliveries as a HAR
// file: one entry per attempt.
func (m *Model) exportDeliveriesHAR() tea.Cmd {
	ids := make([]int64, len(m.deliv.pg.rows))
	for i, r := range m.deliv.pg.rows {
		ids[i] = r.ID
	}
	ctx, src, dir, version := m.ctx, m.src, m.expDir, m.info.Version
	return func() tea.Msg {
		return exportDeliveriesHAR(ctx, src, dir, version, ids)
	}
}

func exportDeliveriesHAR(ctx context.Context, src Source, dir, version string, ids []int64) tea.Msg {
	var entries []harEntry
	for _, id := range ids {
		d, err := src.GetDelivery(ctx, id)
		if err != nil {
			return exportedMsg{err: fmt.Errorf("exporting delivery %d: %w", id, err)}
		}
		for _, a := range d.Delivery.Attempts {
			entries = append(entries, attemptEntry(&d.Delivery, a))
		}
	}
	path, err := writeHAR(dir, "deliveries", version, entries)
	if err != nil {
		return exportedMsg{err: err}
	}
	return exportedMsg{text: fmt.Sprintf("exported %d deliveries (%d attempts) as HAR to %s", len(ids), len(entries), path)}
}
