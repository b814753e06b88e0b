package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/validate"
)

func newRoutesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "List and change the receiver's routes (/hooks/{name})",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRoutesListCmd(g), newRoutesSetCmd(g))
	return cmd
}

func newRoutesListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the routes with their profile and simulated response",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			store := db.NewRouteStore()
			if _, err := receiver.EnsureDefaultRoutes(cmd.Context(), d, store); err != nil {
				return err
			}
			routes, err := store.ListRoutes(cmd.Context(), d.Reader())
			if err != nil {
				return fmt.Errorf("listing routes: %w", err)
			}
			if asJSON {
				out := make([]api.RouteView, len(routes))
				for i := range routes {
					out[i] = api.NewRouteView(&routes[i])
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			return writeRouteTable(cmd.OutOrStdout(), routes)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (an array)")
	return cmd
}

func writeRouteTable(w io.Writer, routes []db.Route) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPATH\tPROFILE\tCREDENTIAL\tRESPONSE\tCOUNTED")
	for _, r := range routes {
		cred := "-"
		switch {
		case r.Secret != "":
			cred = "secret " + fixtures.MaskSecret(r.Secret)
		case r.Token != "":
			cred = "token " + fixtures.MaskSecret(r.Token)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", printable(r.Name), printable(validate.HookPrefix+r.Name), printable(r.Profile), printable(cred), db.DescribeSim(r.Response), r.Counters.Received)
	}
	return tw.Flush()
}

func newRoutesSetCmd(g *globals) *cobra.Command {
	var (
		in          api.RouteInput
		profile     string
		secret      string
		token       string
		header      string
		status      int
		failStatus  int
		failFirst   int
		failureRate float64
		seed        int64
		delay       string
		hang        bool
		body        string
		headers     []string
		oversize    int64
		reset       bool
		asJSON      bool
	)
	cmd := &cobra.Command{
		Use:   "set NAME [WORDS...]",
		Short: "Create or change a route; only the flags given change",
		Long: `set creates the route /hooks/NAME or changes the flags given, leaving the
rest as it was (--reset first returns the simulated response to a plain 200).
The answer may also be given as the words the console's prompt takes, after
the flags are applied: ` + db.SimWordsHelp + `.
A running serve picks the change up within a second. Every change restarts
the route's fail-first count.`,
		Example: `  hookscope routes set policycortex --fail-first 3 --status 200
  hookscope routes set myhooks --profile generic --secret s3cr3t
  hookscope routes set holm --hang
  hookscope routes set cyscale --reset
  hookscope routes set policycortex status=503 'header="Retry-After: 5"'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := validate.RouteName(name); err != nil {
				return usageError{err}
			}
			fl := cmd.Flags()
			set := func(flag string, v *string, dst **string) {
				if fl.Changed(flag) {
					*dst = v
				}
			}
			set("profile", &profile, &in.Profile)
			set("secret", &secret, &in.Secret)
			set("token", &token, &in.Token)
			set("header", &header, &in.Header)

			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			store := db.NewRouteStore()
			if _, err := receiver.EnsureDefaultRoutes(cmd.Context(), d, store); err != nil {
				return err
			}
			route, err := store.GetRoute(cmd.Context(), d.Reader(), name)
			switch {
			case errors.Is(err, db.ErrNotFound):
				route = &db.Route{Name: name}
				if p, err := fixtures.Lookup(name); err == nil {
					route.Profile = p.Name()
				} else if in.Profile == nil {
					return usagef("route %q is new: give --profile (one of %s)", name, strings.Join(fixtures.Names(), ", "))
				}
			case err != nil:
				return fmt.Errorf("loading route %s: %w", name, err)
			}
			in.Apply(route)
			sim := &route.Response
			if reset {
				*sim = db.SimResponse{}
			}
			// The numbers were read by their ranges in limits as the
			// flags were parsed (intFlag, floatFlag): one out of range or
			// past int64 has already exited 2 naming the flag.
			if fl.Changed("status") {
				sim.Status = status
			}
			if fl.Changed("fail-status") {
				sim.FailStatus = failStatus
			}
			if fl.Changed("fail-first") {
				sim.FailFirst = failFirst
			}
			if fl.Changed("seed") {
				sim.Seed = seed
			}
			if fl.Changed("oversize") {
				sim.OversizeBytes = oversize
			}
			if fl.Changed("failure-rate") {
				sim.FailureRate = failureRate
			}
			if fl.Changed("delay") {
				ms, err := delayMS(delay)
				if err != nil {
					return usageError{err}
				}
				sim.DelayMS = int(ms)
			}
			if fl.Changed("hang") {
				sim.Hang = hang
			}
			if fl.Changed("body") {
				sim.Body = body
			}
			if fl.Changed("response-header") {
				sim.Headers = nil
				for _, h := range headers {
					n, v, ok := strings.Cut(h, ":")
					if !ok {
						return usagef("--response-header %q: write it as Name: value", h)
					}
					sim.Headers = append(sim.Headers, db.Header{Name: strings.TrimSpace(n), Value: strings.TrimSpace(v)})
				}
			}
			if len(args) > 1 {
				if *sim, err = db.ParseSimWords(*sim, strings.Join(args[1:], " ")); err != nil {
					return usageError{err}
				}
			}
			if err := validate.Route(route); err != nil {
				return usageError{err}
			}
			now := time.Now()
			if route.CreatedAt.IsZero() {
				route.CreatedAt = now
			}
			route.UpdatedAt = now
			route.Counters = db.RouteCounters{}
			if err := d.Write(cmd.Context(), func(tx db.Handle) error { return store.PutRoute(cmd.Context(), tx, route) }); err != nil {
				return fmt.Errorf("saving route %s: %w", name, err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), api.NewRouteView(route))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "route %s (%s, profile %s): %s\n", printable(name), validate.HookPrefix+printable(name), printable(route.Profile), db.DescribeSim(route.Response))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&profile, "profile", "", "vendor profile: "+strings.Join(fixtures.Names(), ", "))
	f.StringVar(&secret, "secret", "", "HMAC secret signatures are verified with")
	f.StringVar(&token, "token", "", "token expected in the vendor's header")
	f.StringVar(&header, "header", "", "generic profile: header carrying the token or signature")
	intFlag(f, &status, "status", 200, limits.RouteStatus, "answer status")
	intFlag(f, &failStatus, "fail-status", 500, limits.RouteFailStatus, "status of simulated failures")
	intFlag(f, &failFirst, "fail-first", 0, limits.RouteFailFirst, "fail the first N requests, then answer --status")
	floatFlag(f, &failureRate, "failure-rate", 0, limits.RouteFailRate, "fail this fraction of requests")
	intFlag(f, &seed, "seed", 0, limits.RouteSeed, "seed for --failure-rate (0: random); the same seed fails the same requests")
	f.StringVar(&delay, "delay", "0s", "wait this long before answering (e.g. 2s; at most "+maxDelay().String()+")")
	f.BoolVar(&hang, "hang", false, "hold the connection open without answering (--hang=false to stop)")
	f.StringVar(&body, "body", "", "answer body")
	f.StringArrayVar(&headers, "response-header", nil, "answer header, Name: value (repeatable; replaces the list)")
	intFlag(f, &oversize, "oversize", 0, limits.RouteOversize, "answer a body of this many bytes")
	f.BoolVar(&reset, "reset", false, "return the simulated response to a plain 200 first")
	f.BoolVar(&asJSON, "json", false, "print the route as JSON")
	return cmd
}

// maxDelay is the longest --delay, from limits.RouteDelayMS.
func maxDelay() time.Duration { return time.Duration(limits.RouteDelayMS.Max) * time.Millisecond }

// delayMS reads --delay, a duration ("2s", "1500ms"), as whole
// milliseconds within limits.RouteDelayMS; the error quotes the flag as
// typed, with the range.
func delayMS(text string) (int64, error) {
	r := limits.RouteDelayMS.Named("--delay")
	d, err := time.ParseDuration(strings.TrimSpace(text))
	if err != nil {
		// Not a duration, or one past int64 nanoseconds.
		return 0, &limits.RangeError{Field: r.Field, Got: text, Range: r.Range(), NaN: true}
	}
	ms := d.Milliseconds()
	if d < 0 {
		ms = -1 // a negative delay under 1ms still is one
	}
	if err := r.Check(ms); err != nil {
		return 0, &limits.RangeError{Field: r.Field, Got: text, Range: r.Range()}
	}
	return ms, nil
}
