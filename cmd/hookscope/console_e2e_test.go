package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tmuxConsole runs the real binary's console in a detached tmux session.
type tmuxConsole struct {
	t       *testing.T
	session string
}

func startConsole(t *testing.T, w, h int, args ...string) *tmuxConsole {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hookscope")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	session := "hookscope-e2e-" + filepath.Base(dir)
	cmdline := append([]string{bin, "--db", filepath.Join(dir, "h.db"), "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0"}, args...)
	tm := exec.Command("tmux", append([]string{"new-session", "-d", "-s", session, "-x", itoa(w), "-y", itoa(h)}, cmdline...)...)
	tm.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "TERM=xterm-256color")
	if out, err := tm.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	c := &tmuxConsole{t: t, session: session}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", session).Run() })
	return c
}

func itoa(n int) string { return strconv.Itoa(n) }

func (c *tmuxConsole) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", c.session).Output()
	if err != nil {
		c.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (c *tmuxConsole) keys(keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		if out, err := exec.Command("tmux", "send-keys", "-t", c.session, k).CombinedOutput(); err != nil {
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
		time.Sleep(200 * time.Millisecond)
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

// TestConsoleEndToEnd: start, send a fixture, see it arrive in the Inbox and
// as a delivery, make a route fail, watch the retry, disable the endpoint.
func TestConsoleEndToEnd(t *testing.T) {
	c := startConsole(t, 100, 32, "--time-scale", "3600")
	c.receiver()
	c.keys("4")
	c.waitFor(5*time.Second, "cyscale", "new_alerts")
	c.keys("s")
	c.waitFor(5*time.Second, "send cyscale new_alerts to", "local-cyscale")
	c.keys("Enter")
	c.waitFor(10*time.Second, "✓ sent cyscale new_alerts as delivery #1")
	c.keys("1")
	c.waitFor(5*time.Second, "received 1", "cyscale")
	c.keys("2")
	c.waitFor(5*time.Second, "succeeded", "local-cyscale")

	// Make the cyscale route fail twice, from the Inbox.
	c.keys("1", "s")
	c.waitFor(5*time.Second, "route cyscale answers:")
	c.keys("C-u")
	for _, ch := range "status=200 fail_first=1 fail_status=503" {
		_ = exec.Command("tmux", "send-keys", "-t", c.session, "-l", string(ch)).Run()
	}
	c.keys("Enter")
	c.waitFor(5*time.Second, "[y/n]")
	c.keys("y")
	c.waitFor(5*time.Second, "✓ route cyscale now answers status=200 fail_first=1 fail_status=503")

	// Send again: the first attempt fails; retry it from the console.
	c.keys("4", "s", "Enter")
	c.waitFor(10*time.Second, "delivery #2")
	c.keys("2", "g")
	c.waitFor(5*time.Second, "Delivery #2", "503")
	c.keys("r")
	c.waitFor(5*time.Second, "Retry delivery #2 now?")
	c.keys("y")
	c.waitFor(10*time.Second, "✓ retried delivery #2", "delivered after 2 attempt(s)")

	// Disable the endpoint.
	c.keys("3")
	c.waitFor(5*time.Second, "local-cyscale")
	c.keys("d")
	c.waitFor(5*time.Second, "Disable endpoint local-cyscale?")
	c.keys("y")
	c.waitFor(10*time.Second, "✓ disabled endpoint #1", "disabled endpoints 1")
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
	if out, _ := exec.Command("tmux", "show-buffer").CombinedOutput(); strings.Contains(string(out), "evil") {
		t.Fatalf("OSC 52 reached the clipboard: %s", out)
	}
}
