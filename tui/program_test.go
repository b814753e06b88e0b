package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/hookscope/hookscope/db"
)

// has matches output that, styles stripped, contains s.
func has(s string) func([]byte) bool {
	return func(b []byte) bool { return strings.Contains(ansi.Strip(string(b)), s) }
}

// fakeProgram collects what Feed sends.
type fakeProgram struct{ got chan tea.Msg }

func (f fakeProgram) Send(m tea.Msg) { f.got <- m }

// TestProgramRunsInTeatest runs the console in a real tea.Program (fixed
// 80×24, ASCII colour profile): it draws the Inbox, reacts to keys and to a
// change fed the way the running app feeds them.
func TestProgramRunsInTeatest(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedInbox(t, d, 3)
	m := New(Config{
		Source:   NewDBSource(d),
		Info:     Info{ReceiverAddr: "127.0.0.1:8088", APIAddr: "127.0.0.1:8089", TimeScale: 1},
		Now:      func() time.Time { return t0 },
		Location: time.UTC,
		NoTick:   true,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	// The newest request is selected and its detail loaded before the next
	// one arrives; with follow off, the selection then stays on it. (One
	// WaitFor: each call consumes the output it has read.)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return has("received")(b) && has("Request #3")(b)
	}, teatest.WithDuration(5*time.Second))

	// A request arrives; the feed tells the program.
	seedRequest(t, d, 4, `{"late":true}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan db.Change, 1)
	go Feed(ctx, tm.GetProgram(), changes, nil)
	changes <- db.Change{Kind: db.ChangeRequest, ID: 4}
	teatest.WaitFor(t, tm.Output(), has("09:26:57"),
		teatest.WithDuration(5*time.Second))

	tm.Type("3")
	teatest.WaitFor(t, tm.Output(), has("no endpoints"),
		teatest.WithDuration(5*time.Second))
	tm.Type("1")
	teatest.WaitFor(t, tm.Output(), has("route response"), teatest.WithDuration(5*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	golden.RequireEqual(t, screen(final))
}

func TestFeedCoalesces(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := fakeProgram{got: make(chan tea.Msg, 10)}
	changes := make(chan db.Change, 10)
	watch := make(chan struct{}, 1)
	go Feed(ctx, p, changes, watch)
	for i := range 5 {
		changes <- db.Change{Kind: db.ChangeRequest, ID: int64(i)}
	}
	changes <- db.Change{Kind: db.ChangeDelivery, ID: 1}
	msg := (<-p.got).(ChangedMsg)
	if !msg.Kinds[db.ChangeRequest] || !msg.Kinds[db.ChangeDelivery] || len(msg.Kinds) != 2 {
		t.Fatalf("kinds %v", msg.Kinds)
	}
	watch <- struct{}{}
	if msg := (<-p.got).(ChangedMsg); msg.Kinds != nil {
		t.Fatalf("a commit by another process should reload everything, got %v", msg.Kinds)
	}
	select {
	case extra := <-p.got:
		t.Fatalf("unexpected %#v", extra)
	case <-time.After(3 * FeedInterval):
	}
}

// TestFormInTeatest runs a form in a real tea.Program: the Routes view's
// new-route form shows a bad name's error under its field, esc writes
// nothing, and a completed form saves the route through the receiver.
func TestFormInTeatest(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	m := routesModel(t, d, 100, 30)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	tm.Type("5")
	teatest.WaitFor(t, tm.Output(), has("Routes · "), teatest.WithDuration(5*time.Second))
	tm.Type("n")
	teatest.WaitFor(t, tm.Output(), has("New route"), teatest.WithDuration(5*time.Second))
	tm.Type("no good")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), has("use 1 to 64 letters"), teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	teatest.WaitFor(t, tm.Output(), has("nothing was saved"), teatest.WithDuration(5*time.Second))
	if _, err := storedRoute(t, d, "no good"); err == nil {
		t.Fatal("a cancelled form saved a route")
	}
	tm.Type("n")
	teatest.WaitFor(t, tm.Output(), has("New route"), teatest.WithDuration(5*time.Second))
	tm.Type("teatest-route")
	for range 16 { // every other field as it is
		tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		time.Sleep(20 * time.Millisecond)
	}
	teatest.WaitFor(t, tm.Output(), has("route teatest-route (generic) saved"), teatest.WithDuration(5*time.Second))
	if _, err := storedRoute(t, d, "teatest-route"); err != nil {
		t.Fatalf("the route was not saved: %v", err)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}
