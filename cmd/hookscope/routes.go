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
	"github.com/hookscope/hookscope/receiver"
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", printable(r.Name), printable(receiver.HookPrefix+r.Name), printable(r.Profile), printable(cred), db.DescribeSim(r.Response), r.Counters.Received)
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
		delay       time.Duration
		hang        bool
		body        string
		headers     []string
		oversize    int64
		reset       bool
		asJSON      bool
	)
	cmd := &cobra.Command{
		Use:   "set NAME",
		Short: "Create or change a route; only the flags given change",
		Long: `set creates the route /hooks/NAME or changes the flags given, leaving the
rest as it was (--reset first returns the simulated response to a plain 200).
A running serve picks the change up within a second. Every change restarts
the route's fail-first count.`,
		Example: `  hookscope routes set policycortex --fail-first 3 --status 200
  hookscope routes set myhooks --profile generic --secret s3cr3t
  hookscope routes set holm --hang
  hookscope routes set cyscale --reset`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := receiver.ValidateRouteName(name); err != nil {
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
			if fl.Changed("status") {
				sim.Status = status
			}
			if fl.Changed("fail-status") {
				sim.FailStatus = failStatus
			}
			if fl.Changed("fail-first") {
				sim.FailFirst = failFirst
			}
			if fl.Changed("failure-rate") {
				sim.FailureRate = failureRate
			}
			if fl.Changed("seed") {
				sim.Seed = seed
			}
			if fl.Changed("delay") {
				sim.DelayMS = int(delay.Milliseconds())
			}
			if fl.Changed("hang") {
				sim.Hang = hang
			}
			if fl.Changed("body") {
				sim.Body = body
			}
			if fl.Changed("oversize") {
				sim.OversizeBytes = oversize
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
			if err := receiver.ValidateRoute(route); err != nil {
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
			fmt.Fprintf(cmd.OutOrStdout(), "route %s (%s, profile %s): %s\n", printable(name), receiver.HookPrefix+printable(name), printable(route.Profile), db.DescribeSim(route.Response))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&profile, "profile", "", "vendor profile: "+strings.Join(fixtures.Names(), ", "))
	f.StringVar(&secret, "secret", "", "HMAC secret signatures are verified with")
	f.StringVar(&token, "token", "", "token expected in the vendor's header")
	f.StringVar(&header, "header", "", "generic profile: header carrying the token or signature")
	f.IntVar(&status, "status", 200, "answer status")
	f.IntVar(&failStatus, "fail-status", 500, "status of simulated failures")
	f.IntVar(&failFirst, "fail-first", 0, "fail the first N requests, then answer --status")
	f.Float64Var(&failureRate, "failure-rate", 0, "fail this fraction of requests (0..1)")
	f.Int64Var(&seed, "seed", 0, "seed for --failure-rate (0: random); the same seed fails the same requests")
	f.DurationVar(&delay, "delay", 0, "wait this long before answering (e.g. 2s)")
	f.BoolVar(&hang, "hang", false, "hold the connection open without answering (--hang=false to stop)")
	f.StringVar(&body, "body", "", "answer body")
	f.StringArrayVar(&headers, "response-header", nil, "answer header, Name: value (repeatable; replaces the list)")
	f.Int64Var(&oversize, "oversize", 0, "answer a body of this many bytes")
	f.BoolVar(&reset, "reset", false, "return the simulated response to a plain 200 first")
	f.BoolVar(&asJSON, "json", false, "print the route as JSON")
	return cmd
}
