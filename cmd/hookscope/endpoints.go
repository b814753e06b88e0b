package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/validate"
)

// withSender opens the database and a sender (not started: commands act
// once and leave scheduled work to `serve` or the console).
func withSender(cmd *cobra.Command, g *globals, fn func(ctx context.Context, s *sender.Sender) error) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	d, err := g.openDB(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(ctx, sender.New(d, sender.Options{}))
}

// inputErr turns a field or range error (bad input) into a usage error
// (exit status 2).
func inputErr(err error) error {
	var fe *validate.FieldError
	var re *limits.RangeError
	if errors.As(err, &fe) || errors.As(err, &re) {
		return usageError{err}
	}
	return err
}

func newEndpointsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "endpoints",
		Short: "Manage the endpoints the sender delivers to",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var asJSON bool
	list := &cobra.Command{
		Use: "list", Short: "List endpoints", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				eps, err := s.Endpoints(ctx)
				if err != nil {
					return err
				}
				views := make([]api.EndpointView, 0, len(eps))
				for _, e := range eps {
					views = append(views, api.ViewEndpoint(e))
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), views)
				}
				return writeEndpoints(cmd.OutOrStdout(), views)
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	show := &cobra.Command{
		Use: "show ID|NAME", Short: "Show one endpoint (secrets masked)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, args[0])
				if err != nil {
					return err
				}
				return writeJSON(cmd.OutOrStdout(), api.ViewEndpoint(*ep))
			})
		},
	}
	show.Flags().Bool("json", true, "print JSON (the only format)")

	var addIn endpointFlags
	add := &cobra.Command{
		Use:   "add",
		Short: "Add an endpoint",
		Example: `  hookscope endpoints add --name mine --profile policycortex --url https://127.0.0.1:9000/hooks \
      --secret s3cret --event policy.violation.created --custom-header X-Team=platform --severity HIGH`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := addIn.input(cmd)
			if err != nil {
				return err
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				e := sender.NewEndpointFrom(in)
				if err := s.CreateEndpoint(ctx, e); err != nil {
					return inputErr(err)
				}
				return writeJSON(cmd.OutOrStdout(), api.ViewEndpoint(*e))
			})
		},
	}
	addIn.bind(add)

	var updIn endpointFlags
	update := &cobra.Command{
		Use: "update ID|NAME", Short: "Change an endpoint (only the flags given)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := updIn.input(cmd)
			if err != nil {
				return err
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, args[0])
				if err != nil {
					return err
				}
				in.Apply(ep)
				if err := s.UpdateEndpoint(ctx, ep); err != nil {
					return inputErr(err)
				}
				return writeJSON(cmd.OutOrStdout(), api.ViewEndpoint(*ep))
			})
		},
	}
	updIn.bind(update)

	var reason string
	disable := &cobra.Command{
		Use: "disable ID|NAME", Short: "Disable an endpoint (its events are recorded as skipped)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, args[0])
				if err != nil {
					return err
				}
				if err := s.Disable(ctx, ep.ID, reason); err != nil {
					return inputErr(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "disabled %s\n", ep.Name)
				return nil
			})
		},
	}
	disable.Flags().StringVar(&reason, "reason", "", "why (shown with the endpoint)")

	var sendSkipped bool
	enable := &cobra.Command{
		Use: "enable ID|NAME", Short: "Enable an endpoint", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, args[0])
				if err != nil {
					return err
				}
				if err := s.Enable(ctx, ep.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "enabled %s\n", ep.Name)
				if sendSkipped {
					n, err := s.SendSkipped(ctx, ep.ID)
					if err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%d skipped deliveries queued (sent by a running serve or console)\n", n)
				}
				return nil
			})
		},
	}
	enable.Flags().BoolVar(&sendSkipped, "send-skipped", false, "also queue the deliveries skipped while it was disabled")

	rm := &cobra.Command{
		Use: "rm ID|NAME", Short: "Delete an endpoint and its deliveries", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, args[0])
				if err != nil {
					return err
				}
				if err := s.DeleteEndpoint(ctx, ep.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", ep.Name)
				return nil
			})
		},
	}
	cmd.AddCommand(list, add, show, update, disable, enable, rm)
	return cmd
}

// endpointFlags are the flags of add and update.
type endpointFlags struct {
	name, url, profile, secret, token, header string
	events, customHeaders                     []string
	severity, environments, clouds            []string
	maxAttempts, timeout                      int
	multiplier                                string // 0 or a number in its range: parseMultiplier
}

func (f *endpointFlags) bind(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.name, "name", "", "endpoint name")
	fl.StringVar(&f.url, "url", "", "where to deliver (http:// or https://)")
	fl.StringVar(&f.profile, "profile", "", "vendor profile ("+strings.Join(fixtures.Names(), ", ")+")")
	fl.StringVar(&f.secret, "secret", "", "signing secret (generated when the profile signs and none is given)")
	fl.StringVar(&f.token, "token", "", "token (CodeScoring's X-CodeScoring-Authentication; generated when needed)")
	fl.StringVar(&f.header, "auth-header", "", "the generic profile's header for its token or signature")
	fl.StringSliceVar(&f.events, "event", nil, "subscribed event type (repeat; none: all)")
	fl.StringArrayVar(&f.customHeaders, "custom-header", nil, "extra header NAME=VALUE (repeat)")
	fl.StringSliceVar(&f.severity, "severity", nil, "filter: severities (PolicyCortex)")
	fl.StringSliceVar(&f.environments, "environment", nil, "filter: environments (PolicyCortex)")
	fl.StringSliceVar(&f.clouds, "cloud-provider", nil, "filter: cloud providers (PolicyCortex)")
	intFlag(fl, &f.maxAttempts, "max-attempts", 0, limits.EndpointMaxAttempts, "retry_config.max_attempts, attempts in all, 0: the profile's")
	fl.StringVar(&f.multiplier, "backoff-multiplier", "0", "retry_config.backoff_multiplier: "+limits.EndpointBackoffMultiplier.Range()+" (0: the profile's)")
	intFlag(fl, &f.timeout, "timeout", 0, limits.EndpointTimeoutSeconds, "timeout in seconds, 0: the profile's")
}

// input turns the flags that were set into an EndpointInput.
func (f *endpointFlags) input(c *cobra.Command) (sender.EndpointInput, error) {
	var in sender.EndpointInput
	ch := c.Flags().Changed
	str := func(flag string, v string) *string {
		if ch(flag) {
			return &v
		}
		return nil
	}
	in.Name, in.URL, in.Profile = str("name", f.name), str("url", f.url), str("profile", f.profile)
	in.Secret, in.Token, in.Header = str("secret", f.secret), str("token", f.token), str("auth-header", f.header)
	if ch("event") {
		in.Events = &f.events
	}
	if ch("custom-header") {
		hs := sender.Headers{}
		for _, kv := range f.customHeaders {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return in, usagef("--custom-header %q: write NAME=VALUE", kv)
			}
			hs = append(hs, db.Header{Name: k, Value: v})
		}
		in.Headers = &hs
	}
	if ch("severity") || ch("environment") || ch("cloud-provider") {
		in.Filters = &db.Filters{Severity: f.severity, Environments: f.environments, CloudProviders: f.clouds}
	}
	// --max-attempts and --timeout were read by their ranges as the flags
	// were parsed (intFlag).
	mult, err := parseMultiplier(f.multiplier)
	if err != nil {
		return in, usageError{err}
	}
	if ch("max-attempts") || ch("backoff-multiplier") {
		in.Retry = &db.RetryConfig{MaxAttempts: f.maxAttempts, BackoffMultiplier: mult}
	}
	if ch("timeout") {
		t := f.timeout
		in.TimeoutSeconds = &t
	}
	return in, nil
}

// parseMultiplier reads --backoff-multiplier: 0 (the profile's) or a
// number in limits.EndpointBackoffMultiplier.
func parseMultiplier(text string) (float64, error) {
	if v, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && v == 0 {
		return 0, nil
	}
	return limits.EndpointBackoffMultiplier.Named("--backoff-multiplier").Parse(text)
}

func writeEndpoints(w io.Writer, eps []api.EndpointView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPROFILE\tSTATE\tURL")
	for _, e := range eps {
		state := "enabled"
		if !e.Enabled {
			state = "disabled: " + e.DisabledReason
		}
		if len(e.Invalid) > 0 {
			state += "; invalid: " + strings.Join(e.Invalid, "; ")
		}
		// One row each, whatever an older database holds: Line shows a tab
		// or line feed as a placeholder instead of breaking the table.
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", e.ID, sanitize.Line(e.Name), e.Profile, sanitize.Line(state), sanitize.Line(e.URL))
	}
	return tw.Flush()
}
