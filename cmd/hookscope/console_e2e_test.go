package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
)

// tmuxConsole runs the real binary's console in a detached tmux session.
type tmuxConsole struct {
	t       *testing.T
	session string
}

func startConsole(t *testing.T, w, h int, args ...string) *tmuxConsole {
	t.Helper()
	return startConsoleOn(t, "", w, h, args...)
}

// startConsoleOn is startConsole on the database dbPath (empty: a new one
// in a temporary directory).
func startConsoleOn(t *testing.T, dbPath string, w, h int, args ...string) *tmuxConsole {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; .ci/run installs it, so the install step is broken")
		}
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := hookscopeBinary(t)
	session := fmt.Sprintf("hookscope-e2e-%s-%d", t.Name(), time.Now().UnixNano())
	if dbPath == "" {
		dbPath = filepath.Join(dir, "h.db")
	}
	cmdline := append([]string{bin, "--db", dbPath, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0"}, args...)
	// The environment is given to the session itself (-e): a tmux server
	// already running would not pass the client's on.
	// When the previous test's last session ends, the test server exits;
	// a new-session that reaches it as it goes answers "server exited
	// unexpectedly": start it again on a new server.
	for try := 1; ; try++ {
		tm := tmuxCommand(append([]string{"new-session", "-d", "-s", session, "-x", itoa(w), "-y", itoa(h),
			"-e", "XDG_DATA_HOME=" + dir, "-e", "TERM=xterm-256color"}, cmdline...)...)
		out, err := tm.CombinedOutput()
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(string(out), "server exited unexpectedly") {
			t.Fatalf("tmux: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c := &tmuxConsole{t: t, session: session}
	t.Cleanup(func() { _ = tmuxCommand("kill-session", "-t", session).Run() })
	return c
}

func itoa(n int) string { return strconv.Itoa(n) }

// tmuxSocket is this test process's own tmux server (tmux -S), in a
// folder TestMain makes and removes: the tests' sessions and paste buffer
// are apart from the user's tmux and from other test runs, and nothing
// done to those (a kill-server) reaches them.
var tmuxSocket string

// tmuxCommand is tmux args on tmuxSocket.
func tmuxCommand(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-S", tmuxSocket}, args...)...)
}

// startTmuxServer gives this test process its own tmux socket, in a
// folder stopTmuxServer removes (TestMain calls both around the tests).
func startTmuxServer() error {
	dir, err := os.MkdirTemp("", "hookscope-tmux-")
	if err != nil {
		return fmt.Errorf("making the tmux folder: %w", err)
	}
	tmuxSocket = filepath.Join(dir, "tmux.sock")
	return nil
}

// stopTmuxServer ends the tests' tmux server and removes its folder.
func stopTmuxServer() {
	_ = tmuxCommand("kill-server").Run()
	_ = os.RemoveAll(filepath.Dir(tmuxSocket))
}

func (c *tmuxConsole) screen() string {
	out, err := tmuxCommand("capture-pane", "-p", "-t", c.session).Output()
	if err != nil {
		c.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (c *tmuxConsole) keys(keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		if out, err := tmuxCommand("send-keys", "-t", c.session, k).CombinedOutput(); err != nil {
			c.t.Fatalf("send-keys %q: %v %s", k, err, out)
		}
		time.Sleep(150 * time.Millisecond) // keep ESC from merging with the next key
	}
}

// waitFor polls the screen until it contains every want.
func (c *tmuxConsole) waitFor(d time.Duration, want ...string) string {
	c.t.Helper()
	deadline := time.Now().Add(d)
	var s string
	for time.Now().Before(deadline) {
		s = c.screen()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
			}
		}
		if ok {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("screen never showed %q:\n%s", want, s)
	return ""
}

var receiverRe = regexp.MustCompile(`receiver (127\.0\.0\.1:\d+)`)

func (c *tmuxConsole) receiver() string {
	s := c.waitFor(10*time.Second, "receiver 127.0.0.1:")
	m := receiverRe.FindStringSubmatch(s)
	if m == nil {
		c.t.Fatalf("no receiver address:\n%s", s)
	}
	return m[1]
}

// fixtureRow is the position of vendor's first event in the Fixtures view
// (profiles in display order, each with its catalogue) and that event.
func fixtureRow(t *testing.T, vendor string) (int, string, string) {
	t.Helper()
	n := 0
	for _, p := range fixtures.All() {
		if p.Name() == vendor {
			return n, p.Catalogue()[0].Type, p.Title()
		}
		n += len(p.Catalogue())
	}
	t.Fatalf("no profile %s", vendor)
	return 0, "", ""
}

// typeText types text into the console literally.
func (c *tmuxConsole) typeText(text string) {
	c.t.Helper()
	if out, err := tmuxCommand("send-keys", "-t", c.session, "-l", text).CombinedOutput(); err != nil {
		c.t.Fatalf("send-keys -l: %v %s", err, out)
	}
}

// repeat presses one key n times in a single send-keys call.
func (c *tmuxConsole) repeat(key string, n int) {
	c.t.Helper()
	if n == 0 {
		return
	}
	if out, err := tmuxCommand("send-keys", "-t", c.session, "-N", itoa(n), key).CombinedOutput(); err != nil {
		c.t.Fatalf("send-keys -N: %v %s", err, out)
	}
}

// TestConsoleEndToEnd: start, send a fixture, see it arrive in the Inbox and
// as a delivery, make the route fail from the Inbox, watch the sender's own
// retries (failed attempts, the live countdown, then success), disable the
// endpoint. Standard Webhooks retries after 5 s, then 5 min: at ×60 the
// second wait is 5 s, long enough to see the countdown run.
func TestConsoleEndToEnd(t *testing.T) {
	c := startConsole(t, 120, 40, "--time-scale", "60")
	c.receiver()
	row, event, title := fixtureRow(t, "standardwebhooks")
	c.keys("4")
	c.waitFor(5*time.Second, "cyscale")
	c.repeat("j", row)
	c.waitFor(5*time.Second, title, event)
	c.keys("s")
	c.waitFor(5*time.Second, "send standardwebhooks "+event+" to", "local-standardwebhooks")
	c.keys("Enter")
	c.waitFor(5*time.Second, "Send standardwebhooks "+event+" to local-standardwebhooks", "[y/n]")
	c.keys("y")
	c.waitFor(10*time.Second, "✓ sent standardwebhooks "+event+" as delivery #1")
	c.keys("1")
	c.waitFor(5*time.Second, "received 1", "standardwebhooks", "✓ valid")
	c.keys("2")
	c.waitFor(5*time.Second, "succeeded", "local-standardwebhooks")

	// Make the route fail twice, from the Inbox.
	c.keys("1", "s")
	c.waitFor(5*time.Second, "route standardwebhooks answers:")
	c.keys("C-u")
	c.typeText("status=200 fail_first=2 fail_status=503")
	c.keys("Enter")
	c.waitFor(5*time.Second, "[y/n]")
	c.keys("y")
	c.waitFor(5*time.Second, "✓ route standardwebhooks now answers 200, first 2 fail 503")

	// Send again and follow the delivery: the sender retries by itself.
	c.keys("4", "s", "Enter")
	c.waitFor(5*time.Second, "[y/n]")
	c.keys("y")
	c.waitFor(10*time.Second, "as delivery #2")
	c.keys("2", "f")
	// The countdown may take two lines of the detail: its parts are checked.
	c.waitFor(10*time.Second, "Delivery #2", "retrying", "Attempts (2)", "vendor waits", "5m00s, ×60 → 5.0s")
	s := c.waitFor(5*time.Second, "⏱ retry 2 of")
	if strings.Count(s, " 503 ") < 2 {
		t.Fatalf("the two failed attempts are not listed:\n%s", s)
	}
	c.waitFor(30*time.Second, "✓ delivered after 3 attempt(s)", "Attempts (3)", "succeeded")

	// Disable the endpoint (the sixth default: profiles in display order).
	c.keys("3")
	c.waitFor(5*time.Second, "Endpoint #1  local-cyscale")
	c.repeat("j", 5)
	c.waitFor(5*time.Second, "Endpoint #6  local-standardwebhooks")
	c.keys("d")
	c.waitFor(5*time.Second, "Why disable local-standardwebhooks?", "recorded as skipped")
	c.typeText("end-to-end test")
	c.keys("Enter")
	c.waitFor(10*time.Second, "✓ disabled endpoint #6: end-to-end test", "disabled endpoints 1")
}

// TestConsoleHostileBody posts a body full of escape sequences and checks
// the screen is unharmed: header in place, sequences shown as placeholders.
func TestConsoleHostileBody(t *testing.T) {
	c := startConsole(t, 160, 32)
	addr := c.receiver()
	body := "{\"x\":\"\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x1b[5;5HMOVED\x1b[31mRED\u009b2J\x9b2J\"}"
	resp, err := http.Post("http://"+addr+"/hooks/generic", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := c.waitFor(10*time.Second, "received 1", "␛[2J", "␛]52;c;ZXZpbA==␇")
	lines := strings.Split(s, "\n")
	if !strings.HasPrefix(lines[0], " hookscope  receiver ") {
		t.Fatalf("the header moved or was cleared:\n%s", s)
	}
	if strings.Contains(s, "\n    MOVED") || !strings.Contains(s, "␛[5;5HMOVED") {
		t.Fatalf("a cursor move escaped:\n%s", s)
	}
	for _, want := range []string{"⟨U+9B⟩2J", "⟨9B⟩2J"} {
		if !strings.Contains(s, want) {
			t.Fatalf("8-bit CSI not shown as %q:\n%s", want, s)
		}
	}
	if out, _ := tmuxCommand("show-buffer").CombinedOutput(); strings.Contains(string(out), "evil") {
		t.Fatalf("OSC 52 reached the clipboard: %s", out)
	}
}
