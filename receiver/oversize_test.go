package receiver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// sendOversized sends an 11 MB body the way curl --data-binary does: the
// header (with or without Expect: 100-continue, then waiting up to a second
// for the go-ahead), then the body, and only then reads the answer. It
// returns the status line read, or the error that prevented reading one.
func sendOversized(addr string, body []byte, expect bool) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST /hooks/holm HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: " + itoa(int64(len(body))) + "\r\n"
	if expect {
		head += "Expect: 100-continue\r\n"
	}
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		return "", err
	}
	br := bufio.NewReader(c)
	if expect {
		c.SetReadDeadline(time.Now().Add(time.Second))
		line, err := br.ReadString('\n')
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		switch {
		case err == nil && strings.HasPrefix(line, "HTTP/1.1 100"):
			if _, err := br.ReadString('\n'); err != nil { // the empty line after it
				return "", err
			}
		case err == nil:
			return strings.TrimSpace(line), nil // answered without the body
		default:
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return "", err
			}
		}
	}
	// Like curl, and many HTTP libraries, the client sends all of the body
	// before it reads the answer: a reset while sending fails the try.
	if _, err := c.Write(body); err != nil {
		return "", fmt.Errorf("sending the body: %w", err)
	}
	line, err := br.ReadString('\n')
	return strings.TrimSpace(line), err
}

// TestOversizedBodyAlways413: a body over the limit gets its 413 every
// time, with and without Expect: 100-continue, however much of it the
// client is still sending, and the request is recorded with its first
// bytes.
func TestOversizedBodyAlways413(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	addr := strings.TrimPrefix(h.URL, "http://")
	body := bytes.Repeat([]byte("0123456789abcdef"), (11<<20)/16)
	for _, expect := range []bool{true, false} {
		fails := 0
		for i := range 20 {
			line, err := sendOversized(addr, body, expect)
			if err != nil || !strings.HasPrefix(line, "HTTP/1.1 413 ") {
				fails++
				t.Logf("Expect %v, try %d: read %q, %v", expect, i+1, line, err)
			}
		}
		if fails > 0 {
			t.Errorf("Expect %v: %d of 20 tries did not read the 413", expect, fails)
		}
	}
	testkit.Eventually(t, 10*time.Second, "the request recorded", func() bool { return h.Count() == 40 })
	for _, r := range h.all() {
		if r.Response.Status != 413 || !r.BodyTruncated || r.BodySize != int64(len(body)) || !bytes.Equal(r.Body, body[:KeptOnOverflow]) {
			t.Fatalf("recorded status %d, truncated %v, size %d, %d bytes kept; want 413 with the first %d bytes", r.Response.Status, r.BodyTruncated, r.BodySize, len(r.Body), KeptOnOverflow)
		}
	}
}

// TestDrainEndsAtShutdown: a client that stops sending in the middle of an
// oversized body does not hold up Shutdown while the rest is awaited.
func TestDrainEndsAtShutdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{BodyLimit: 1 << 20, ReadTimeout: time.Minute})
	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "POST /hooks/holm HTTP/1.1\r\nHost: t\r\nContent-Length: 4000000\r\n\r\n")
	c.Write(bytes.Repeat([]byte("x"), 1<<20+1))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 413 ") {
		t.Fatalf("read %q, %v; want the 413 while the body is still due", line, err)
	}
	// The receiver now waits for the rest of the body; the client sends
	// nothing more.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := h.Srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown during a drain: %v (after %v)", err, time.Since(start))
	}
}

// A body past the preview the database keeps in a request's row is
// recorded whole: the request read back holds every byte received.
func TestLongBodyRecordedWhole(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	body := make([]byte, 3<<20+17)
	for i := range body {
		body[i] = byte(i*7 + i/251) // no run repeats at the preview's length
	}
	resp, got := h.Send("generic", fixtures.Wire{Method: "POST", Body: body})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}
	r := h.Get(h.Last().ID)
	if !bytes.Equal(r.Body, body) || r.BodySize != int64(len(body)) || r.BodyTruncated {
		t.Fatalf("recorded %d bytes (size %d, truncated %v) of %d, not byte for byte", len(r.Body), r.BodySize, r.BodyTruncated, len(body))
	}
}
