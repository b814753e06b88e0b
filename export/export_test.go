package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
)

// run exports with s and returns what was written.
func run(t *testing.T, d *db.DB, s export.Spec) ([]byte, export.Summary) {
	t.Helper()
	var b bytes.Buffer
	sum, err := export.Write(context.Background(), d.Reader(), &b, s)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), sum
}

// lines decodes JSON lines into generic objects.
func lines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", len(out)+1, err, sc.Bytes())
		}
		out = append(out, v)
	}
	return out
}

// generic is v as encoding/json's generic value, for comparing with a
// decoded line.
func generic(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ids(t *testing.T, ls []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, len(ls))
	for i, l := range ls {
		out[i] = int64(l["id"].(float64))
	}
	return out
}

func span(from, to int64) []int64 {
	var out []int64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// Every request is exported, oldest first, across several read batches,
// each line the very object `requests show --json` prints (the view of the
// request with its bodies): binary bodies in body_base64, credentials
// masked, terminal controls escaped.
func TestJSONLRequestsRoundTrip(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	const n = 600 // more than two read batches
	seedRequests(t, d, n)
	out, sum := run(t, d, export.Spec{Format: export.JSONL, What: export.Requests})
	if sum.Rows != n {
		t.Fatalf("summary %+v, want %d rows", sum, n)
	}
	if bytes.ContainsRune(out, '\u202e') || bytes.Contains(out, []byte("supersecrettoken123")) {
		t.Fatal("the export carries a raw bidi override or an unmasked token")
	}
	ls := lines(t, out)
	if got := ids(t, ls); !reflect.DeepEqual(got, span(1, n)) {
		t.Fatalf("ids %v..., want 1..%d in order", got[:min(5, len(got))], n)
	}
	store := db.NewRequestStore()
	for _, id := range []int64{1, 2, 10, 257, 600} {
		r, err := store.GetRequest(context.Background(), d.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		if want := generic(t, api.NewRequestView(r, true)); !reflect.DeepEqual(ls[id-1], want) {
			t.Fatalf("line %d differs from the request's view:\n got %v\nwant %v", id, ls[id-1], want)
		}
	}
	bin := ls[9] // request 10: newRequest(9), not UTF-8
	if got, _ := base64.StdEncoding.DecodeString(bin["body_base64"].(string)); string(got) != "\xff\xfe\x00raw 9" || bin["body"] != nil {
		t.Fatalf("binary body: %v", bin)
	}
	if body, _ := ls[0]["body"].(string); !strings.Contains(body, "café \u202e") {
		t.Fatalf("text body changed: %q", body)
	}
}

func TestJSONLRequestsFilters(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 400)
	evens := func(from, to int64) []int64 {
		var out []int64
		for id := from; id <= to; id += 2 {
			out = append(out, id)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    db.RequestFilter
		s    db.Span
		want []int64
	}{
		{"vendor", db.RequestFilter{Vendor: "holm"}, db.Span{}, evens(2, 400)},
		{"status class", db.RequestFilter{Status: "5xx"}, db.Span{}, evens(2, 400)},
		{"status code", db.RequestFilter{Status: "200", Route: "policycortex"}, db.Span{}, evens(1, 399)},
		{"search", db.RequestFilter{Text: "evt_000123"}, db.Span{}, []int64{124}},
		{"span", db.RequestFilter{}, db.Span{Since: t0.Add(100 * time.Second), Until: t0.Add(300 * time.Second)}, span(101, 300)},
		{"span and vendor", db.RequestFilter{Vendor: "holm"}, db.Span{Since: t0.Add(390 * time.Second)}, evens(392, 400)},
		{"nothing", db.RequestFilter{Vendor: "cyscale"}, db.Span{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, sum := run(t, d, export.Spec{Format: export.JSONL, What: export.Requests, Requests: c.f, Span: c.s})
			got := ids(t, lines(t, out))
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) || sum.Rows != int64(len(c.want)) {
				t.Fatalf("ids %v (summary %+v), want %v", got, sum, c.want)
			}
		})
	}
}

// harChecker is a python3 that has the jsonschema package (the one on
// the PATH, else the system's, where .ci/run installs Debian's
// python3-jsonschema). Without one the test is skipped, except in CI,
// where that is a broken install step.
func harChecker(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		py, err := exec.LookPath(name)
		if err == nil && exec.Command(py, "-c", "import jsonschema").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no python3 with jsonschema: .ci/run installs python3-jsonschema, so the install step is broken")
	}
	t.Skip("no python3 with the jsonschema package: the HAR is not checked by an independent reader")
	return ""
}

// checkHAR validates a HAR file with Python's jsonschema against the
// har-schema package's HAR 1.2 schemas and returns its entry count.
// Skipped when python3 or its jsonschema package is missing.
func checkHAR(t *testing.T, har []byte) int {
	t.Helper()
	py := harChecker(t)
	path := filepath.Join(t.TempDir(), "export.har")
	if err := os.WriteFile(path, har, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(py, filepath.Join("testdata", "checkhar.py"), filepath.Join("testdata", "har-schema"), path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the HAR does not validate against HAR 1.2: %v\n%s", err, stderr.String())
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("checkhar printed %q", out)
	}
	return n
}

// The checker itself rejects a HAR that lacks what HAR 1.2 requires.
func TestCheckHARRejectsABrokenFile(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedRequests(t, d, 2)
	out, _ := run(t, d, export.Spec{Format: export.HARFormat, What: export.Requests})
	checkHAR(t, out) // skips when no checker
	broken := bytes.Replace(out, []byte(`"timings":`), []byte(`"timingz":`), 1)
	path := filepath.Join(t.TempDir(), "broken.har")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(harChecker(t), filepath.Join("testdata", "checkhar.py"), filepath.Join("testdata", "har-schema"), path).Run(); err == nil {
		t.Fatal("checkhar accepted an entry without timings")
	}
}

// A HAR of requests is valid HAR 1.2 for an independent reader, one
// entry per request in id order, bodies exact (base64 where not UTF-8),
// credentials masked.
func TestHARRequests(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	const n = 300
	seedRequests(t, d, n)
	out, sum := run(t, d, export.Spec{Format: export.HARFormat, What: export.Requests, ReceiverAddr: "127.0.0.1:7501", Version: "v9"})
	var h export.HAR
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("the HAR does not parse: %v", err)
	}
	if h.Log.Version != "1.2" || h.Log.Creator.Name != "hookscope" || h.Log.Creator.Version != "v9" || len(h.Log.Entries) != n || sum.Entries != n {
		t.Fatalf("log %+v with %d entries (summary %+v)", h.Log.Creator, len(h.Log.Entries), sum)
	}
	for i, e := range h.Log.Entries {
		if e.ID != int64(i+1) {
			t.Fatalf("entry %d is request %d", i, e.ID)
		}
	}
	e := h.Log.Entries[9]
	if got, _ := base64.StdEncoding.DecodeString(e.Request.PostData.Text); e.Request.PostData.Encoding != "base64" || string(got) != "\xff\xfe\x00raw 9" {
		t.Fatalf("binary body: %+v", e.Request.PostData)
	}
	e = h.Log.Entries[0]
	if e.Request.URL != "http://127.0.0.1:7501/hooks/policycortex?a=1&b=two%20words" || e.Response.Status != 200 || e.Response.Content.Text != `{"ok":true}` {
		t.Fatalf("entry 0: %+v", e)
	}
	if q := e.Request.QueryString; len(q) != 2 || q[1].Value != "two words" {
		t.Fatalf("query string %+v", q)
	}
	if bytes.Contains(out, []byte("supersecrettoken123")) {
		t.Fatal("the HAR carries the bearer token in full")
	}
	if got := checkHAR(t, out); got != n {
		t.Fatalf("the independent reader sees %d entries, want %d", got, n)
	}
}

// Deliveries export with every attempt: a JSON line per delivery (as
// `deliveries show --json`), a HAR entry per attempt.
func TestDeliveries(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	const n = 300 // more than one read batch
	ep := seedDeliveries(t, d, n)
	out, sum := run(t, d, export.Spec{Format: export.JSONL, What: export.Deliveries})
	ls := lines(t, out)
	if got := ids(t, ls); sum.Rows != n || !reflect.DeepEqual(got, span(1, n)) {
		t.Fatalf("ids %v (summary %+v), want 1..%d", got, sum, n)
	}
	attempts := 0
	for i, l := range ls {
		if as := l["attempts"].([]any); len(as) != i%3+1 {
			t.Fatalf("delivery %d has %d attempts exported, want %d", i+1, len(as), i%3+1)
		}
		attempts += i%3 + 1
	}
	for _, id := range []int64{1, 256, 257, 300} {
		del, err := db.NewDeliveryStore().GetDelivery(context.Background(), d.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		if want := generic(t, api.ViewDelivery(*del)); !reflect.DeepEqual(ls[id-1], want) {
			t.Fatalf("delivery %d differs from its view:\n got %v\nwant %v", id, ls[id-1], want)
		}
	}
	if bytes.Contains(out, []byte("tok_abcdefghijkl")) || bytes.Contains(out, []byte("\x1b")) {
		t.Fatal("the token is exported in full, or a raw escape")
	}

	out, sum = run(t, d, export.Spec{Format: export.HARFormat, What: export.Deliveries})
	var h export.HAR
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Log.Entries) != attempts || sum.Entries != int64(attempts) || sum.Rows != n {
		t.Fatalf("%d entries (summary %+v), want one per attempt: %d", len(h.Log.Entries), sum, attempts)
	}
	if e := h.Log.Entries[1]; e.ID != 2 || e.Attempt != 1 || e.Response.Status != 503 || e.Request.URL != ep.URL || e.Time != 12.5 {
		t.Fatalf("entry 1: %+v", e)
	}
	if got := checkHAR(t, out); got != attempts {
		t.Fatalf("the independent reader sees %d entries, want %d", got, attempts)
	}

	out, _ = run(t, d, export.Spec{Format: export.JSONL, What: export.Deliveries,
		Deliveries: db.DeliveryFilter{Text: "msg_299"}, Span: db.Span{Since: t0.Add(200 * time.Second)}})
	if got := ids(t, lines(t, out)); !reflect.DeepEqual(got, []int64{300}) {
		t.Fatalf("filtered deliveries %v, want [300]", got)
	}
}

// An empty export is still a valid HAR (no entries) or empty JSON lines.
func TestEmpty(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	out, _ := run(t, d, export.Spec{Format: export.JSONL, What: export.Requests})
	if len(out) != 0 {
		t.Fatalf("empty JSONL: %q", out)
	}
	out, _ = run(t, d, export.Spec{Format: export.HARFormat, What: export.Deliveries})
	var h export.HAR
	if err := json.Unmarshal(out, &h); err != nil || h.Log.Entries == nil || len(h.Log.Entries) != 0 {
		t.Fatalf("empty HAR %q: %v", out, err)
	}
	checkHAR(t, out)
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > 100<<10 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// A writer's error stops the export and is returned; so is a bad spec.
func TestErrors(t *testing.T) {
	d := openDB(t)
	seedRequests(t, d, 500)
	_, err := export.Write(context.Background(), d.Reader(), &failingWriter{}, export.Spec{Format: export.JSONL, What: export.Requests})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error %v, want the writer's", err)
	}
	if _, err := export.Write(context.Background(), d.Reader(), &bytes.Buffer{}, export.Spec{Format: "csv", What: export.Requests}); err == nil {
		t.Fatal("csv accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := export.Write(ctx, d.Reader(), &bytes.Buffer{}, export.Spec{Format: export.JSONL, What: export.Requests}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: %v", err)
	}
}
