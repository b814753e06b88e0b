package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
)

func newRequestsReplayCmd(g *globals) *cobra.Command {
	var (
		endpoint, to string
		creds        fixtures.Credentials
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "replay ID (--endpoint NAME|ID | --to URL)",
		Short: "Send a received request again, re-signed, to an endpoint or a URL",
		Long: `replay sends the body of received request ID again: to an endpoint (framed
and signed with the endpoint's credentials, retried on its policy by a running
serve or console), or to a URL (signed with --secret/--token, or else with the
credentials of the route that received it). A CodeScoring batch is replayed
one event per delivery. A request whose body was truncated when recorded is
refused.`,
		Example: `  hookscope requests replay 42 --endpoint mine
  hookscope requests replay 42 --to http://127.0.0.1:9000/hooks --secret s3cret`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := limits.ID.Named("request ID").Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			if (endpoint == "") == (to == "") {
				return usagef("give --endpoint NAME|ID or --to URL (one of them)")
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				target := sender.ReplayTarget{URL: to}
				if endpoint != "" {
					e, err := s.ResolveEndpoint(ctx, endpoint)
					if err != nil {
						return inputErr(err)
					}
					target.EndpointID = e.ID
				}
				if creds != (fixtures.Credentials{}) {
					target.Credentials = &creds
				}
				ds, err := s.ReplayRequest(ctx, id, target)
				if errors.Is(err, db.ErrNotFound) || errors.Is(err, sender.ErrNoCredentials) {
					err = usageError{err}
				}
				out := cmd.OutOrStdout()
				for _, d := range ds {
					v := api.ViewDelivery(d)
					if asJSON {
						writeJSON(out, v)
						continue
					}
					fmt.Fprintf(out, "delivery %d (%s): %s\n", d.ID, d.Vendor, d.Status)
					printAttempts(out, v, 0)
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "the endpoint to replay to (name or id)")
	cmd.Flags().StringVar(&to, "to", "", "the URL to replay to")
	cmd.Flags().StringVar(&creds.Secret, "secret", "", "with --to: signing secret (default: the receiving route's)")
	cmd.Flags().StringVar(&creds.Token, "token", "", "with --to: token (default: the receiving route's)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each delivery as JSON")
	return cmd
}
