package httpx

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"
)

// Recover turns a handler's panic into a logged 500 with a JSON error (when
// nothing was written yet). http.ErrAbortHandler passes through untouched:
// it is how a handler drops a connection on purpose.
func Recover(logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &StatusRecorder{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				logger.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.Status == 0 {
					WriteError(rec, http.StatusInternalServerError, "internal error: the handler panicked (%v)", v)
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// Logging logs each request at debug level, and answers of 500 and above
// at warn level, with method, path, status, bytes and duration.
func Logging(logger *slog.Logger) func(http.Handler) http.Handler {
	return logging(logger, true)
}

// QuietLogging logs every request at debug level whatever its status: for
// the receiver, whose 5xx answers are usually simulated on purpose.
func QuietLogging(logger *slog.Logger) func(http.Handler) http.Handler {
	return logging(logger, false)
}

func logging(logger *slog.Logger, warn5xx bool) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec, ok := w.(*StatusRecorder)
			if !ok {
				rec = &StatusRecorder{ResponseWriter: w}
			}
			next.ServeHTTP(rec, r)
			level := slog.LevelDebug
			if warn5xx && rec.Status >= 500 {
				level = slog.LevelWarn
			}
			if !logger.Enabled(r.Context(), level) {
				return
			}
			logger.Log(r.Context(), level, "http",
				"method", r.Method, "path", r.URL.Path, "status", rec.StatusOr200(),
				"bytes", rec.Bytes, "duration", time.Since(start), "remote", r.RemoteAddr)
		})
	}
}

// StatusRecorder remembers the status and size of an answer. It keeps the
// wrapped writer's Flush and Hijack reachable (through Unwrap for
// http.ResponseController, and directly).
type StatusRecorder struct {
	http.ResponseWriter
	Status int
	Bytes  int64
}

// WriteHeader records the status.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records the bytes written (and an implicit 200).
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.Bytes += int64(n)
	return n, err
}

// StatusOr200 is the recorded status, or 200 when the handler wrote nothing.
func (s *StatusRecorder) StatusOr200() int {
	if s.Status == 0 {
		return http.StatusOK
	}
	return s.Status
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush flushes the underlying writer when it can.
func (s *StatusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands over the connection when the underlying writer allows it.
func (s *StatusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := s.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("the response writer cannot be hijacked")
}
