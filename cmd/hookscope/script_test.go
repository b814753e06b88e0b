package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain runs the tests around this process's own tmux server and the
// binary built once for them; run as "hookscope" (testscript's exec of
// the command it installs), it is the real command instead.
func TestMain(m *testing.M) {
	testscript.Main(testsAround{m}, map[string]func(){"hookscope": main})
}

// testParallel is how many parallel tests run at once by default.
const testParallel = 8

// testsAround runs the package's tests with what they share made before
// and removed after.
type testsAround struct{ m *testing.M }

func (a testsAround) Run() int {
	flag.Parse()
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		// The parallel tests here wait on subprocesses and the clock far
		// more than on the CPU: run up to testParallel of them at once, not
		// GOMAXPROCS (2 on a small machine), unless -parallel says otherwise.
		if err := flag.Set("test.parallel", strconv.Itoa(testParallel)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if err := startTmuxServer(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := a.m.Run()
	stopTmuxServer()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	return code
}

// updateScripts rewrites the scripts' want files with what the commands
// print now: go test ./cmd/hookscope -run TestScripts -update-scripts.
var updateScripts = flag.Bool("update-scripts", false, "rewrite testdata/script/*.txtar's cmp files with the output of now")

// TestScripts runs testdata/script/*.txtar: each pins what one part of the
// CLI prints (tables, lines, help, errors and exit codes) by running the
// real command on a database in the script's $WORK.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			// Times print in UTC; the database and the fixtures folder
			// default under $HOME (testscript's /no-home), never the user's.
			env.Setenv("TZ", "UTC")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreeport,
			"waitport": cmdWaitport,
			"post":     cmdPost,
			"exits":    cmdExits,
		},
	})
}

// cmdFreeport sets each named variable to a loopback port free now, so
// that scripts running in parallel (and on CI) never share a fixed one.
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: freeport VAR...")
	}
	for _, name := range args {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv(name, fmt.Sprint(l.Addr().(*net.TCPAddr).Port))
		ts.Check(l.Close())
	}
}

// cmdWaitport waits up to 20 seconds until each loopback port takes a
// connection (a server started in the background is ready).
func cmdWaitport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: waitport PORT...")
	}
	for _, port := range args {
		deadline := time.Now().Add(20 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
			if err == nil {
				_ = c.Close()
				break
			}
			if time.Now().After(deadline) {
				ts.Fatalf("port %s: nothing listens: %v", port, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// cmdPost POSTs BODY (or, as curl's -d @FILE, the bytes of FILE) to URL
// as application/json, with each -H 'Name: value' header, and prints the
// answer's status code and body.
// ! post expects a status that is not 2xx.
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	var headers [][2]string
	for len(args) >= 2 && args[0] == "-H" {
		name, value, ok := strings.Cut(args[1], ":")
		if !ok {
			ts.Fatalf("post: header %q is not Name: value", args[1])
		}
		headers = append(headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
		args = args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: post [-H 'Name: value']... URL BODY|@FILE")
	}
	body := args[1]
	if file, ok := strings.CutPrefix(body, "@"); ok {
		body = ts.ReadFile(file)
	}
	req, err := http.NewRequest(http.MethodPost, args[0], strings.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		req.Header.Set(h[0], h[1])
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%d\n%s\n", resp.StatusCode, answer)
	if ok := resp.StatusCode/100 == 2; ok == neg {
		ts.Fatalf("post %s: status %d", args[0], resp.StatusCode)
	}
}

// cmdExits runs a command as exec does and checks its exit status is N
// (exec itself only tells success from failure): the CLI's 1 and 2 are
// part of its contract.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N COMMAND [ARG...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			ts.Fatalf("running %s: %v", args[1], err)
		}
		got = exitErr.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
