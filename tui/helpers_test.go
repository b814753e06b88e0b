package tui

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/tui/styles"
)

// t0 is the fixed "now" of every test.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// openDB and write are testkit's: a temp database closed at cleanup, and a
// write transaction that fails the test on an error.
var (
	openDB = testkit.OpenDB
	write  = testkit.Write
)

// hostileBody carries every attack the sanitiser must stop.
const hostileBody = "{\"note\":\"\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x1b[10;10Hmoved\u009b31m\u202egnp.exe\"}"

// seedRequest stores one received request.
func seedRequest(t testing.TB, d *db.DB, i int, body string) *db.Request {
	t.Helper()
	r := &db.Request{
		ReceivedAt: t0.Add(time.Duration(i) * time.Second), Route: "policycortex", Method: "POST",
		Path: "/hooks/policycortex", RemoteAddr: "127.0.0.1:5000",
		Headers:  []db.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-PolicyCortex-Signature", Value: "sha256=ab12"}},
		Body:     []byte(body),
		BodySize: int64(len(body)), JSONValid: true, Vendor: "policycortex",
		EventTypes:  []string{"policy.violation.created"},
		Signature:   db.Signature{Status: "valid", Reason: "HMAC-SHA256 of the raw body matches"},
		ShapeIssues: []string{},
		Response:    db.Response{Status: 200, Headers: []db.Header{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"ok":true}`), LatencyMS: 1.25},
	}
	write(t, d, func(tx db.Handle) error { return db.NewRequestStore().CreateRequest(context.Background(), tx, r) })
	return r
}

// seedEndpoint stores an endpoint.
func seedEndpoint(t testing.TB, d *db.DB, name, profile string, enabled bool) *db.Endpoint {
	t.Helper()
	e := &db.Endpoint{Name: name, URL: "http://127.0.0.1:9/" + name, Profile: profile, Secret: "whsec_abcdefghijkl",
		Events: []string{}, Headers: []db.Header{}, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	write(t, d, func(tx db.Handle) error { return db.NewEndpointStore().CreateEndpoint(context.Background(), tx, e) })
	if !enabled {
		write(t, d, func(tx db.Handle) error {
			return db.NewEndpointStore().SetEndpointEnabled(context.Background(), tx, e.ID, false, "auto-disabled after 48h of failures", t0)
		})
	}
	return e
}

// seedDelivery stores a delivery with failed attempts, left retrying
// (next in 30s, the vendor's 5m wait at ×10) or, with batch, a CodeScoring
// batch of three events.
func seedDelivery(t testing.TB, d *db.DB, ep *db.Endpoint, attempts int, esc *db.Escalation) *db.Delivery {
	t.Helper()
	ctx := context.Background()
	ob := db.NewOutboxStore()
	body := `{"events":[{"created_at":"2026-03-14T09:26:00Z","trigger":"new_vulnerability","payload":{"id":1}},` +
		`{"created_at":"2026-03-14T09:26:02Z","trigger":"project_analyzed","payload":{"id":2}},` +
		`{"created_at":"2026-03-14T09:26:04Z","trigger":"policy_violation","payload":{"id":3}}]}`
	var del *db.Delivery
	lease := t0.Add(time.Minute)
	write(t, d, func(tx db.Handle) error {
		var evs []db.Event
		for _, typ := range []string{"new_vulnerability", "project_analyzed", "policy_violation"} {
			ev := db.Event{Vendor: ep.Profile, Type: typ, Payload: []byte(`{"id":1}`), CreatedAt: t0, Source: "test"}
			if err := ob.CreateEvent(ctx, tx, &ev); err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		var err error
		del, err = ob.CreateDelivery(ctx, tx, db.NewDelivery{EndpointID: ep.ID, Vendor: ep.Profile, Events: evs,
			Status: db.DeliveryPending, MessageID: "msg_1", DueAt: &t0, ClaimUntil: lease, TimeScale: 10}, t0)
		if err != nil {
			return err
		}
		for n := 1; n <= attempts; n++ {
			a := &db.Attempt{DeliveryID: del.ID, N: n, StartedAt: t0.Add(time.Duration(n) * time.Second), DurationMS: 12.5,
				Request:  db.OutgoingRequest{Method: "POST", URL: ep.URL, Headers: []db.Header{{Name: "X-CodeScoring-Authentication", Value: "tok"}}, Body: []byte(body)},
				Response: &db.Response{Status: 503, Body: []byte("upstream down\x1b[2J")}, Error: "HTTP 503"}
			if n > 1 { // a scheduled retry: the vendor's wait before it
				a.VendorWaitMS, a.WaitReason = 60000, "schedule"
			}
			if err := ob.RecordAttempt(ctx, tx, a); err != nil {
				return err
			}
		}
		next := t0.Add(30 * time.Second)
		return ob.Finish(ctx, tx, del.ID, lease, db.Outcome{Status: db.DeliveryRetrying, Next: &next, LastError: "HTTP 503",
			Wait: &db.RetryWait{Retry: attempts, Of: 7, VendorWaitMS: 300000, ScaledWaitMS: 30000, Reason: "schedule"}, Escalation: esc}, t0)
	})
	return del
}

// newTestModel is a model over d at a fixed size, clock and zone.
func newTestModel(t testing.TB, d *db.DB, w, h int) *Model {
	t.Helper()
	m := New(Config{
		Source:   NewDBSource(d),
		Info:     Info{ReceiverAddr: "127.0.0.1:8088", APIAddr: "127.0.0.1:8089", TimeScale: 10},
		Now:      func() time.Time { return t0 },
		Location: time.UTC,
		NoTick:   true,
	})
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// run executes cmd and feeds what it returns back into m, as the program
// would, until nothing is left.
func run(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("commands do not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		if isBlink(c) {
			// A text cursor's blink: a timer that sleeps, then blinks
			// again, forever. Tests do not blink.
			continue
		}
		msg := c()
		if cmds, ok := sequence(msg); ok {
			queue = append(queue, cmds...)
			continue
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// send delivers msg and runs what follows.
func send(t testing.TB, m *Model, msg tea.Msg) {
	t.Helper()
	_, cmd := m.Update(msg)
	run(t, m, cmd)
}

// press types keys ("j", "enter", "tab", ...).
func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		send(t, m, keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// screen is the frame without colour.
func screen(m *Model) string { return plain(m.View().Content) }

// isBlink reports whether cmd is a text cursor's blink timer.
func isBlink(cmd tea.Cmd) bool {
	f := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer())
	return f != nil && strings.HasPrefix(f.Name(), "charm.land/bubbles/v2/cursor.")
}

// sequence unpacks tea.Sequence's message (its type is unexported): the
// commands to run in order.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	if _, batch := msg.(tea.BatchMsg); batch {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// defaultStyles is a renderer's styles: styles.Default.
func defaultStyles() *styles.Styles {
	st := styles.Default()
	return &st
}
