package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/atomicfile"
	"github.com/hookscope/hookscope/check"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
)

// errCheckFailed is the error of a run in which a scenario failed: exit
// status 1, the table having said which and why.
var errCheckFailed = errors.New("the receiver failed the check")

func newCheckCmd(g *globals) *cobra.Command {
	var (
		to, secret, token, junit string
		events                   []string
		timeoutSeconds           int
		asJSON                   bool
	)
	cmd := &cobra.Command{
		Use:   "check VENDOR --to URL [--secret S | --token T]",
		Short: "Test a receiver against everything the vendor will send it",
		Long: `check plays VENDOR towards the receiver at URL and runs every scenario the
vendor will put it through: each catalogue event (or each --event) framed and
signed as the vendor sends it, expecting a 2xx within the vendor's timeout; and,
per vendor, the forged and repeated requests a receiver must handle:

` + vendorScenarioHelp() + `
A connection error, a timeout or a 5xx fails any scenario. Every request is
recorded as a delivery, its events tagged "check RUN", so the console shows
what was sent and answered. Exit status: 0 when no scenario failed (warnings
allowed), 1 when one failed, 2 on a usage error.`,
		Example: `  hookscope check policycortex --to http://127.0.0.1:9000/webhooks --secret s3cret
  hookscope check codescoring --to http://127.0.0.1:9000/ --token T --junit check.xml
  hookscope check standardwebhooks --to http://127.0.0.1:9000/ --secret whsec_... --event ping --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("check takes one VENDOR (one of %v), got %d arguments", fixtures.Names(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usagef("--to URL is required")
			}
			if secret != "" && token != "" {
				return usagef("give --secret or --token, not both")
			}
			cfg := check.Config{Vendor: args[0], URL: to, Events: events, TimeoutSeconds: timeoutSeconds,
				Credentials: fixtures.Credentials{Secret: secret, Token: token}}
			if _, err := check.Scenarios(cfg); err != nil {
				return usageError{err}
			}
			if junit != "" {
				if _, err := atomicfile.CheckTarget(junit); err != nil {
					return usagef("--junit: %w", err)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			d, err := g.openDB(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			cfg.Sender = sender.New(d, sender.Options{})
			rep, err := check.Run(ctx, cfg)
			if err != nil {
				var ce *check.ConfigError
				if errors.As(err, &ce) {
					return usageError{err}
				}
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := writeJSON(out, rep); err != nil {
					return fmt.Errorf("printing the check report: %w", err)
				}
			} else if err := check.WriteTable(out, rep); err != nil {
				return fmt.Errorf("printing the check report: %w", err)
			}
			if junit != "" {
				if err := check.WriteJUnitFile(junit, rep); err != nil {
					return err
				}
			}
			if !rep.OK() {
				return fmt.Errorf("%w: %d of %d scenarios failed (run %s)", errCheckFailed, rep.Failed, len(rep.Results), rep.Run)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&to, "to", "", "the receiver's URL")
	f.StringVar(&secret, "secret", "", "the receiver's signing secret (PolicyCortex, Standard Webhooks)")
	f.StringVar(&token, "token", "", "the receiver's token (CodeScoring's X-CodeScoring-Authentication)")
	f.StringArrayVar(&events, "event", nil, "check only this event (repeatable; default the whole catalogue)")
	intFlag(f, &timeoutSeconds, "timeout-seconds", 0, limits.EndpointTimeoutSeconds, "PolicyCortex: the endpoint's timeout_seconds (0: 30)")
	f.BoolVar(&asJSON, "json", false, "print the report as one JSON document")
	f.StringVar(&junit, "junit", "", "also write the report as JUnit XML to this file")
	return cmd
}
