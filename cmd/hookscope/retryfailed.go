package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/sender"
)

// newRetryFailedCmd is `deliveries retry-failed --endpoint NAME`: a manual
// attempt of every failed delivery of one endpoint, oldest first, as the
// API's /api/endpoints/{id}/retry-failed and the console's key do.
func newRetryFailedCmd(g *globals) *cobra.Command {
	var (
		endpoint string
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "retry-failed --endpoint NAME",
		Short: "Retry every failed delivery of an endpoint now (each recorded as a manual attempt)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if endpoint == "" {
				return usagef("--endpoint is required: the endpoint's id or name (see 'hookscope endpoints list')")
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				ep, err := s.ResolveEndpoint(ctx, endpoint)
				if err != nil {
					return err
				}
				n, err := s.RetryFailed(ctx, ep.ID)
				if err != nil {
					return fmt.Errorf("retrying the failed deliveries of %s: %w", ep.Name, err)
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), map[string]any{"endpoint_id": ep.ID, "endpoint": ep.Name, "retried": n})
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "retried %d failed deliveries of endpoint %s (#%d)\n", n, printable(ep.Name), ep.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "the endpoint (id or name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: {endpoint_id, endpoint, retried}")
	return cmd
}
