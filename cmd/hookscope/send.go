package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
)

func newSendCmd(g *globals) *cobra.Command {
	var (
		to, secret, token, authHeader, payloadFile string
		noRetry, asJSON                            bool
		scale, rate                                float64
		count, concurrency, timeout                int
	)
	cmd := &cobra.Command{
		Use:   "send VENDOR EVENT --to URL",
		Short: "Deliver one event (or a load run) with a vendor's framing, signature and retries",
		Long: `send delivers one event to URL exactly as VENDOR would: its envelope, headers,
signature or token, timeout and response limit. The delivery is recorded; a
failure is retried on the vendor's schedule (divided by --time-scale) while
this command waits, unless --no-retry. The delivery keeps its time scale
whichever process sends it, and while this command runs its retries are its
own: a serve or console on the same database leaves them alone (and carries
them on, at the same time scale, if this command is stopped or killed).

With --count, send runs a load: COUNT fresh events (or --payload each time) at --rate per second
(0: as fast as possible) with --concurrency requests at once, then prints the
throughput, latency percentiles and errors. Load requests are never retried.`,
		Example: `  hookscope send policycortex policy.violation.created --to http://127.0.0.1:9000/hooks --secret s3cret
  hookscope send codescoring project_sca_analysis_finished --to http://127.0.0.1:9000/ --token T --time-scale 3600
  hookscope send holm finished_scan --to http://127.0.0.1:9000/ --count 10000 --concurrency 16`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			vendor, event := args[0], args[1]
			if _, _, err := fixtures.Find(vendor, event); err != nil {
				return usageError{err}
			}
			if to == "" {
				return usagef("--to URL is required")
			}
			var payload json.RawMessage
			if payloadFile != "" {
				b, err := readPayload(cmd, payloadFile)
				if err != nil {
					return err
				}
				if !json.Valid(b) {
					return usagef("--payload %s: not valid JSON", payloadFile)
				}
				payload = b
			}
			creds := fixtures.Credentials{Secret: secret, Token: token, Header: authHeader}
			if prof, _ := fixtures.Lookup(vendor); prof.Auth() == fixtures.AuthSecret && creds.Secret == "" {
				// The vendor signs every request: sign with a fresh secret
				// and say which, so the receiving side can verify.
				creds.Secret = fixtures.NewCredentials(prof, rand.Reader).Secret
				fmt.Fprintf(cmd.ErrOrStderr(), "no --secret given: signing with the generated secret %s\n", creds.Secret)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			d, err := g.openDB(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			s := sender.New(d, sender.Options{TimeScale: scale, Poll: 200 * time.Millisecond, Kind: "send", OwnOnly: true})
			out := cmd.OutOrStdout()
			if count > 0 {
				rep, err := s.Load(ctx, sender.LoadOptions{Vendor: vendor, Event: event, URL: to, Credentials: creds,
					Count: count, Rate: rate, Concurrency: concurrency, Payload: payload})
				if rep != nil {
					if asJSON {
						writeJSON(out, rep)
					} else {
						fmt.Fprint(out, rep.String())
					}
				}
				return err
			}
			del, err := s.SendTo(ctx, vendor, event, to, creds, sender.SendOptions{Payload: payload, NoRetry: noRetry, TimeoutSeconds: timeout})
			if err != nil {
				return inputErr(err)
			}
			// --json prints one document once the delivery settles (or the
			// wait is given up): the delivery with every attempt.
			if !asJSON {
				printAttempts(out, api.ViewDelivery(*del), 0)
			}
			seen := len(del.Attempts)
			if del.Status == db.DeliveryRetrying {
				if err := s.Start(ctx); err != nil {
					return err
				}
				defer s.Stop()
				for del.Status == db.DeliveryRetrying || del.Status == db.DeliveryPending {
					select {
					case <-ctx.Done():
						fmt.Fprintf(cmd.ErrOrStderr(), "stopped waiting; delivery %d stays scheduled (a running serve or console carries it on)\n", del.ID)
						if asJSON {
							return writeJSON(out, api.ViewDelivery(*del))
						}
						return nil
					case <-time.After(100 * time.Millisecond):
					}
					if del, err = s.Delivery(ctx, del.ID); err != nil {
						return err
					}
					if !asJSON {
						printAttempts(out, api.ViewDelivery(*del), seen)
					}
					seen = len(del.Attempts)
				}
			}
			if asJSON {
				if err := writeJSON(out, api.ViewDelivery(*del)); err != nil {
					return fmt.Errorf("printing delivery %d: %w", del.ID, err)
				}
			} else {
				fmt.Fprintf(out, "delivery %d: %s\n", del.ID, del.Status)
				if e := del.Escalation; e != nil {
					fmt.Fprintf(out, "%s: %s\n%s\n", e.Kind, e.Subject, e.Body)
				}
			}
			if del.Status != db.DeliverySucceeded {
				return fmt.Errorf("delivery %d %s: %s", del.ID, del.Status, del.LastError)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&to, "to", "", "the URL to deliver to")
	f.StringVar(&secret, "secret", "", "signing secret (PolicyCortex, Standard Webhooks, generic HMAC)")
	f.StringVar(&token, "token", "", "token (CodeScoring's X-CodeScoring-Authentication, generic bearer)")
	f.StringVar(&authHeader, "auth-header", "", "the generic profile's header for its token or signature")
	f.StringVar(&payloadFile, "payload", "", "a JSON file to send instead of the fixture ('-': stdin)")
	f.BoolVar(&noRetry, "no-retry", false, "send once; a failure is final")
	floatFlag(f, &scale, "time-scale", 1, limits.TimeScale, "run the vendor's retry schedule N times faster")
	intFlag(f, &timeout, "timeout", 0, limits.EndpointTimeoutSeconds, "attempt timeout in seconds (0: the vendor's)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	intFlag(f, &count, "count", 0, limits.LoadCount, "load mode: send this many events")
	floatFlag(f, &rate, "rate", 0, limits.LoadRate, "load mode: events per second (0: unlimited)")
	intFlag(f, &concurrency, "concurrency", 1, limits.LoadConcurrency, "load mode: requests at once")
	return cmd
}

func readPayload(cmd *cobra.Command, path string) ([]byte, error) {
	var r io.Reader = cmd.InOrStdin()
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading --payload: %w", err)
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, 10<<20))
}

// printAttempts prints the attempts after the first `from`, one line each,
// and when the next one runs.
func printAttempts(w io.Writer, d api.DeliveryView, from int) {
	if from >= len(d.Attempts) {
		return
	}
	for _, a := range d.Attempts[from:] {
		res := a.Error
		if res == "" && a.Response != nil {
			res = fmt.Sprintf("%d", a.Response.Status)
		}
		fmt.Fprintf(w, "attempt %d at %s%s: %s (%.1f ms)\n", a.N, a.StartedAt.Local().Format(time.TimeOnly), waitNote(a), res, a.DurationMS)
	}
	if n := nextLine(d); n != "" {
		fmt.Fprintf(w, "next attempt %s\n", n)
	}
}

// waitNote says which vendor wait led to a retry: ", after the vendor's
// 30m wait (schedule)". Empty for a first or manual attempt.
func waitNote(a api.AttemptView) string {
	if a.VendorWaitMS <= 0 {
		return ""
	}
	note := ", after the vendor's " + sender.ShortDuration(time.Duration(a.VendorWaitMS)*time.Millisecond) + " wait"
	if a.WaitReason != "" {
		note += " (" + a.WaitReason + ")"
	}
	return note
}
