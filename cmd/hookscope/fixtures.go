package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/fixtures"
)

func newFixturesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fixtures",
		Short: "Browse every vendor's event catalogue and render payloads",
		Long: `fixtures lists each vendor profile's event catalogue and renders a fresh,
valid payload for any event, framed exactly as the vendor sends it.

Your own fixtures live in a folder (--fixtures, default
$XDG_CONFIG_HOME/hookscope/fixtures): the file VENDOR/EVENT.json is the
payload of event EVENT of profile VENDOR. It adds the event to the catalogue
or replaces the built-in one, and the profile frames and signs it like its
own. See 'hookscope fixtures placeholders' for the values rendered fresh on
each use. Only regular files inside the folder are read, each up to 1 MiB
(a symlink leading out of it, a named pipe or a device is reported and
skipped); commands that take no fixtures never read it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(markUsesFixtures(newFixturesListCmd()), markUsesFixtures(newFixturesShowCmd()), newFixturesPlaceholdersCmd())
	return cmd
}

func newFixturesListCmd() *cobra.Command {
	var vendor string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the event catalogue (every vendor, or one)",
		Example: `  hookscope fixtures list
  hookscope fixtures list --vendor policycortex
  hookscope fixtures list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			profiles := fixtures.All()
			if vendor != "" {
				p, err := fixtures.Lookup(vendor)
				if err != nil {
					return usageError{err}
				}
				profiles = []fixtures.Profile{p}
			}
			events := []fixtures.EventInfo{}
			for _, p := range profiles {
				events = append(events, p.Catalogue()...)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), events)
			}
			return writeCatalogue(cmd.OutOrStdout(), events)
		},
	}
	cmd.Flags().StringVar(&vendor, "vendor", "", "only this vendor's events ("+strings.Join(fixtures.Names(), ", ")+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func writeCatalogue(w io.Writer, events []fixtures.EventInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tEVENT\tNAME\tPAYLOAD")
	yours := 0
	for _, e := range events {
		shape := "documented"
		switch {
		case e.User:
			shape = "yours: " + e.Path
			yours++
		case e.Inferred:
			shape = "inferred"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Vendor, e.Type, e.Name, shape)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if yours > 0 {
		_, err := fmt.Fprintf(w, "\n%d events, %d of them yours\n", len(events), yours)
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d events\n", len(events))
	return err
}

func newFixturesShowCmd() *cobra.Command {
	var (
		seed    int64
		at      string
		headers bool
		asJSON  bool
		creds   fixtures.Credentials
	)
	cmd := &cobra.Command{
		Use:   "show VENDOR EVENT",
		Short: "Print the request body for an event exactly as the vendor would send it",
		Long: `show renders a fresh payload for one catalogue event and prints the request
body byte for byte as it would be sent. With --headers the request line and
headers come first (signed with --secret/--token, or a demo credential).

The same --seed gives the same ids and values; add --at to pin the clock too.`,
		Example: `  hookscope fixtures show policycortex policy.violation.created
  hookscope fixtures show codescoring test --headers --token s3cret
  hookscope fixtures show cyscale new_alerts --seed 7 --at 2026-01-02T03:04:05Z`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("show takes VENDOR and EVENT (vendors: %s); see 'hookscope fixtures list'", strings.Join(fixtures.Names(), ", "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now().UTC()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return usagef("--at %q is not an RFC 3339 time (like 2026-01-02T03:04:05Z)", at)
				}
				now = t.UTC()
			}
			if !cmd.Flags().Changed("seed") {
				seed = rand.Int64()
			}
			p, payload, err := fixtures.RenderEvent(args[0], args[1], seed, now)
			if err != nil {
				return usageError{err}
			}
			if creds.Secret == "" && creds.Token == "" {
				creds = demoCredentials(p)
			}
			wire, err := p.Frame([]fixtures.Outgoing{{Type: args[1], Payload: payload, CreatedAt: now}}, fixtures.FrameOptions{
				Credentials: creds,
				Now:         now,
				MessageID:   fmt.Sprintf("msg_%016x", uint64(seed)),
			})
			if err != nil {
				return fmt.Errorf("framing %s %s: %w", args[0], args[1], err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, newFixtureView(p, args[1], seed, now, wire))
			}
			if headers {
				method := wire.Method
				if method == "" {
					method = "POST"
				}
				fmt.Fprintf(out, "%s /hooks/%s\n", method, p.Name())
				for _, h := range wire.Header.Fields() {
					fmt.Fprintf(out, "%s: %s\n", h.Name, h.Value)
				}
				fmt.Fprintln(out)
			}
			_, err = out.Write(wire.Body)
			return err
		},
	}
	cmd.Flags().Int64Var(&seed, "seed", 0, "seed for ids and values (default: random)")
	cmd.Flags().StringVar(&at, "at", "", "the clock to render at, RFC 3339 (default: now)")
	cmd.Flags().BoolVar(&headers, "headers", false, "print the request line and headers before the body")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the fixture's description, headers and body as one JSON document")
	cmd.Flags().StringVar(&creds.Secret, "secret", "", "signing secret (profiles that sign)")
	cmd.Flags().StringVar(&creds.Token, "token", "", "token (profiles that send one)")
	return cmd
}

// demoCredentials are shown when none are given, so --headers can show
// what a signature or token header looks like.
func demoCredentials(p fixtures.Profile) fixtures.Credentials {
	switch p.Auth() {
	case fixtures.AuthSecret:
		if p.Name() == "standardwebhooks" {
			return fixtures.Credentials{Secret: "whsec_aG9va3Njb3BlLWRlbW8tc2VjcmV0LWtleQ=="}
		}
		return fixtures.Credentials{Secret: "hookscope-demo-secret"}
	case fixtures.AuthToken:
		return fixtures.Credentials{Token: "hookscope-demo-token"}
	}
	return fixtures.Credentials{}
}

// newFixturesPlaceholdersCmd lists the placeholders a user fixture can use.
func newFixturesPlaceholdersCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "placeholders",
		Short: "List the placeholders your own fixtures can use in their strings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintln(w, "In a string of VENDOR/EVENT.json, each is rendered fresh on every use (the same --seed gives the same values):")
			for _, line := range fixtures.PlaceholderHelp() {
				fmt.Fprintf(w, "  %s\n", line)
			}
			_, err := fmt.Fprintln(w, `A string that is one number placeholder alone ("{{int:1:10}}", "{{now:unix}}") becomes a JSON number; "{{{{" writes a literal "{{".`)
			return err
		},
	}
}
