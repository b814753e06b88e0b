package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/atomicfile"
	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/validate"
)

// exportFlags are export's flags.
type exportFlags struct {
	format, what, out                        string
	vendor, route, status, signature, search string
	endpoint, source, since, until, receiver string
}

func newExportCmd(g *globals) *cobra.Command {
	var fl exportFlags
	cmd := &cobra.Command{
		Use:   "export --format jsonl|har",
		Short: "Write every matching request or delivery as JSON lines or HAR, oldest first",
		Long: `Export writes every request (or, with --what deliveries, every delivery) the
filters match, in id order, as JSON lines (one object a line, the fields of
"requests show --json" / "deliveries show --json", bodies included) or as a
HAR 1.2 file (one entry per request, or per attempt of a delivery).
Credentials are masked. The rows are streamed: memory stays constant
however many match.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := fl.spec(time.Now())
			if err != nil {
				return usageError{err}
			}
			if fl.out != "" {
				// A target that is not a regular file is refused before anything
				// is read.
				if _, err := atomicfile.CheckTarget(fl.out); err != nil {
					return usagef("--out: %w", err)
				}
			}
			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			if fl.endpoint != "" {
				ep, err := sender.New(d, sender.Options{}).ResolveEndpoint(cmd.Context(), fl.endpoint)
				if err != nil {
					return err
				}
				spec.Deliveries.EndpointID = ep.ID
			}
			return runExport(cmd, d, spec, fl.out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "", "jsonl or har (required)")
	f.StringVar(&fl.what, "what", export.Requests, "requests or deliveries")
	f.StringVar(&fl.out, "out", "", "write to this file, whole or not at all: a failed export leaves it as it was; not a symlink, pipe or device (default: standard output)")
	f.StringVar(&fl.vendor, "vendor", "", "only this vendor")
	f.StringVar(&fl.route, "route", "", "only requests to this route (requests)")
	f.StringVar(&fl.status, "status", "", "requests: the answer's status, a code (500) or a class (5xx); deliveries: "+strings.Join(db.DeliveryStatuses, ", ")+", or the last attempt's HTTP status")
	f.StringVar(&fl.signature, "signature", "", "only this signature verdict (requests: valid, invalid, missing, unverifiable)")
	f.StringVar(&fl.search, "search", "", "only rows whose text (path, headers, bodies, errors) contains this")
	f.StringVar(&fl.endpoint, "endpoint", "", "only deliveries to this endpoint (id or name)")
	f.StringVar(&fl.source, "source", "", `only deliveries of events from this source ("send", "replay", "check RUN")`)
	f.StringVar(&fl.since, "since", "", "only rows from this time on: RFC 3339, a date (2006-01-02), or a duration ago (24h)")
	f.StringVar(&fl.until, "until", "", "only rows before this time (same forms as --since)")
	f.StringVar(&fl.receiver, "receiver", app.DefaultListen, "the receiver's host:port, for the URLs of a HAR of requests")
	return cmd
}

// spec checks the flags and turns them into an export.Spec.
func (fl exportFlags) spec(now time.Time) (export.Spec, error) {
	s := export.Spec{Format: strings.ToLower(fl.format), What: strings.ToLower(fl.what), ReceiverAddr: fl.receiver, Version: buildVersion()}
	if fl.format == "" {
		return s, errors.New("--format is required: jsonl or har")
	}
	if err := s.Check(); err != nil {
		return s, err
	}
	var err error
	if s.Span.Since, err = parseWhen(fl.since, now); err != nil {
		return s, fmt.Errorf("--since: %w", err)
	}
	if s.Span.Until, err = parseWhen(fl.until, now); err != nil {
		return s, fmt.Errorf("--until: %w", err)
	}
	if !s.Span.Since.IsZero() && !s.Span.Until.IsZero() && !s.Span.Since.Before(s.Span.Until) {
		return s, errors.New("--since must be before --until")
	}
	if s.What == export.Requests {
		if fl.endpoint != "" || fl.source != "" {
			return s, errors.New("--endpoint and --source filter deliveries: add --what deliveries")
		}
		s.Requests = db.RequestFilter{Vendor: fl.vendor, Route: fl.route, Status: fl.status, Signature: fl.signature, Text: fl.search}
		if err := validate.RequestFilter(&s.Requests); err != nil {
			return s, asFlags(err, searchFlag)
		}
		return s, nil
	}
	if fl.route != "" || fl.signature != "" {
		return s, errors.New("--route and --signature filter requests; deliveries take --vendor, --endpoint, --status, --source, --search")
	}
	s.Deliveries = db.DeliveryFilter{Vendor: fl.vendor, Status: fl.status, Source: fl.source, Text: fl.search, Limit: 1}
	if err := validate.DeliveryFilter(&s.Deliveries); err != nil {
		return s, asFlags(err, searchFlag)
	}
	s.Deliveries.Limit = 0
	return s, nil
}

// searchFlag names the filters' search text (q) as export's flag.
var searchFlag = map[string]string{"q": "--search"}

// parseWhen reads a time bound: RFC 3339, a local date, or a duration
// before now ("90m", "24h"); "" is no bound.
func parseWhen(s string, now time.Time) (time.Time, error) { return db.ParseWhen(s, now) }

// runExport writes the export to out, or to standard output. The export
// is JSON with every character a terminal could act on escaped, so it goes
// to standard output as it is, not through terminalSafe (whose per-write
// replacement would also cut a character split across two writes).
func runExport(cmd *cobra.Command, d *db.DB, spec export.Spec, out string) error {
	ctx := cmd.Context()
	if os.Getenv("GOGC") == "" {
		// The process only exports: its live heap is one batch of rows, so
		// collecting at 4× it instead of 2× saves a quarter of the CPU
		// (measured over a million rows) for ~15 MB; the soft limit keeps a
		// batch of very large bodies from letting the heap run away.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
	}
	if out == "" {
		w := cmd.OutOrStdout()
		if ts, ok := w.(terminalSafe); ok {
			w = ts.w
		}
		_, err := export.Write(ctx, d.Reader(), w, spec)
		return err
	}
	// The export goes to a temporary file beside out, renamed over it only
	// once whole: a failed or interrupted export leaves out as it was. An
	// interrupt (Ctrl-C, SIGTERM) cancels the export, so the temporary file
	// is removed too.
	f, err := atomicfile.Create(out, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer f.Abort()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := export.Write(ctx, d.Reader(), f, spec)
	if err != nil {
		return fmt.Errorf("exporting to %s (left as it was): %w", out, err)
	}
	if err := f.Commit(); err != nil {
		return err
	}
	slog.Debug("exported", "what", spec.What, "format", spec.Format, "rows", sum.Rows, "file", out)
	noun := spec.What
	if spec.Format == export.HARFormat && spec.What == export.Deliveries {
		noun += fmt.Sprintf(" (%d attempts)", sum.Entries)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "exported %d %s to %s\n", sum.Rows, noun, out)
	return nil
}
