package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/validate"
)

func newDeliveriesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List, show and retry the sender's deliveries",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var (
		asJSON   bool
		f        db.DeliveryFilter
		endpoint string
	)
	list := &cobra.Command{
		Use: "list", Short: "List deliveries, newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validate.DeliveryFilter(&f); err != nil {
				return usageError{asFlags(err, map[string]string{"q": "--search", "limit": "--limit", "before": "--before"})}
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				if endpoint != "" {
					ep, err := s.ResolveEndpoint(ctx, endpoint)
					if err != nil {
						return err
					}
					f.EndpointID = ep.ID
				}
				ds, err := s.Deliveries(ctx, f)
				if err != nil {
					return err
				}
				views := make([]api.DeliveryView, 0, len(ds))
				for _, d := range ds {
					views = append(views, api.ViewDelivery(d))
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), views)
				}
				return writeDeliveries(cmd.OutOrStdout(), views)
			})
		},
	}
	fl := list.Flags()
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	fl.StringVar(&f.Vendor, "vendor", "", "only this vendor")
	fl.StringVar(&endpoint, "endpoint", "", "only this endpoint (id or name)")
	fl.StringVar(&f.Status, "status", "", "only this status ("+strings.Join(db.DeliveryStatuses, ", ")+"), or this HTTP status of the last attempt (503, 5xx)")
	fl.StringVar(&f.Source, "source", "", `only deliveries of events from this source ("send", "replay", "check RUN" for one run of hookscope check)`)
	fl.StringVar(&f.Text, "search", "", "only deliveries whose event types, ids or last error, or an attempt's URL, bodies or error, contain this text (at most "+strconv.FormatInt(limits.SearchText.Max, 10)+" bytes)")
	intFlag(fl, &f.Before, "before", 0, limits.ID, "page: ids below this one")
	intFlag(fl, &f.Limit, "limit", 50, limits.PageSize, "page size")

	var showJSON bool
	show := &cobra.Command{
		Use: "show ID", Short: "Show a delivery with every attempt in full", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := limits.ID.Named("delivery ID").Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				d, err := s.Delivery(ctx, id)
				if err != nil {
					return err
				}
				if showJSON {
					return writeJSON(cmd.OutOrStdout(), api.ViewDelivery(*d))
				}
				return writeDelivery(cmd.OutOrStdout(), api.ViewDelivery(*d), retryNote(ctx, s, d))
			})
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, "print JSON")

	var retryJSON bool
	retry := &cobra.Command{
		Use: "retry ID", Short: "Run one attempt of a delivery now (recorded as manual)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := limits.ID.Named("delivery ID").Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			return withSender(cmd, g, func(ctx context.Context, s *sender.Sender) error {
				if err := s.RetryNow(ctx, id); err != nil {
					return err
				}
				d, err := s.Delivery(ctx, id)
				if err != nil {
					return err
				}
				if retryJSON {
					return writeJSON(cmd.OutOrStdout(), api.ViewDelivery(*d))
				}
				return writeDelivery(cmd.OutOrStdout(), api.ViewDelivery(*d), retryNote(ctx, s, d))
			})
		},
	}
	retry.Flags().BoolVar(&retryJSON, "json", false, "print JSON")
	cmd.AddCommand(list, show, retry, newRetryFailedCmd(g))
	return cmd
}

// nextLine describes when the next attempt runs: the real instant and the
// vendor's own wait.
func nextLine(d api.DeliveryView) string {
	if d.NextAttemptAt == nil {
		return ""
	}
	s := d.NextAttemptAt.Local().Format(time.DateTime)
	if w := d.Wait; w != nil {
		if w.Retry > 0 {
			s += fmt.Sprintf(" (retry %d of %d, vendor wait %s)", w.Retry, w.Of, sender.ShortDuration(w.VendorWait()))
		} else if w.Reason != "" {
			s += fmt.Sprintf(" (%s %s)", w.Reason, sender.ShortDuration(w.VendorWait()))
		}
	}
	if d.TimeScale > 0 && d.TimeScale != 1 {
		// The delivery's own time scale, whichever process sends it.
		s += fmt.Sprintf(" ×%g", d.TimeScale)
	}
	return s
}

func writeDeliveries(w io.Writer, ds []api.DeliveryView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENDPOINT\tVENDOR\tEVENTS\tSTATUS\tATTEMPTS\tNEXT")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.EndpointID, d.Vendor, strings.Join(d.EventTypes, ","), d.Status, d.AttemptCount, nextLine(d))
	}
	return tw.Flush()
}

// retryNote says, for a delivery whose endpoint asks for more attempts
// than its profile's retry window holds, why it stops early ("" else, and
// when the endpoint is gone).
func retryNote(ctx context.Context, s *sender.Sender, d *db.Delivery) string {
	ep, err := s.Endpoint(ctx, d.EndpointID)
	if err != nil {
		return ""
	}
	return sender.RetryWindowNote(*ep)
}

func writeDelivery(w io.Writer, d api.DeliveryView, note string) error {
	fmt.Fprintf(w, "delivery %d to endpoint %d (%s): %s\n", d.ID, d.EndpointID, d.Vendor, d.Status)
	if d.Status == db.DeliveryCancelled {
		fmt.Fprintf(w, "%s\n", printableText(d.LastError))
	}
	fmt.Fprintf(w, "events: %s\n", strings.Join(d.EventTypes, ", "))
	if d.ExecutionID != "" {
		fmt.Fprintf(w, "execution_id: %s\n", d.ExecutionID)
	}
	if n := nextLine(d); n != "" {
		fmt.Fprintf(w, "next attempt: %s\n", n)
	}
	if note != "" {
		fmt.Fprintf(w, "retries: %s\n", note)
	}
	if e := d.Escalation; e != nil {
		fmt.Fprintf(w, "\n%s: %s\n%s\n", e.Kind, e.Subject, e.Body)
	}
	for _, a := range d.Attempts {
		manual := ""
		if a.Manual {
			manual = " (manual)"
		}
		fmt.Fprintf(w, "\nattempt %d%s at %s%s, %.1f ms\n", a.N, manual, a.StartedAt.Local().Format(time.DateTime), waitNote(a), a.DurationMS)
		fmt.Fprintf(w, "> %s %s\n", a.Request.Method, a.Request.URL)
		for _, h := range a.Request.Headers {
			fmt.Fprintf(w, "> %s: %s\n", h.Name, h.Value)
		}
		fmt.Fprintf(w, ">\n%s\n", deliveryBody(a.Request.Body, a.Request.BodyBase64))
		if r := a.Response; r != nil {
			fmt.Fprintf(w, "< %d\n", r.Status)
			for _, h := range r.Headers {
				fmt.Fprintf(w, "< %s: %s\n", h.Name, printable(h.Value))
			}
			trunc := ""
			if r.Truncated {
				trunc = "\n(truncated at the vendor's limit)"
			}
			fmt.Fprintf(w, "<\n%s%s\n", deliveryBody(r.Body, r.BodyBase64), trunc)
		}
		if a.Error != "" {
			fmt.Fprintf(w, "error: %s\n", a.Error)
		}
	}
	return nil
}

// deliveryBody shows a body through printable, base64 bodies as such.
func deliveryBody(s, b64 string) string {
	if b64 != "" {
		return "(binary, base64) " + b64
	}
	return printableText(s)
}
