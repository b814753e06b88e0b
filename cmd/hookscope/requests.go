package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/api"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

func newRequestsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "requests",
		Short: "List and show the requests the receiver recorded",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRequestsListCmd(g), newRequestsShowCmd(g), newRequestsReplayCmd(g))
	return cmd
}

func newRequestsListCmd(g *globals) *cobra.Command {
	var (
		vendor, route, status, signature, search string
		before                                   int64
		limit                                    int
		asJSON                                   bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List received requests, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := map[string][]string{}
			for k, v := range map[string]string{"vendor": vendor, "route": route, "status": status, "signature": signature, "q": search} {
				if v != "" {
					q[k] = []string{v}
				}
			}
			if before != 0 {
				q["before"] = []string{strconv.FormatInt(before, 10)}
			}
			q["limit"] = []string{strconv.Itoa(limit)}
			f, err := api.ParseRequestFilter(q)
			if err != nil {
				return usageError{asFlags(err, map[string]string{"q": "--search", "limit": "--limit", "before": "--before"})}
			}
			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			rows, err := db.NewRequestStore().ListRequests(cmd.Context(), d.Reader(), f)
			if err != nil {
				return fmt.Errorf("listing requests: %w", err)
			}
			if asJSON {
				out := make([]api.RequestView, len(rows))
				for i := range rows {
					out[i] = api.NewRequestView(&rows[i], false)
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			return writeRequestTable(cmd.OutOrStdout(), rows)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&vendor, "vendor", "", "only this vendor ("+strings.Join(fixtures.Names(), ", ")+", or "+fixtures.Unknown+")")
	fl.StringVar(&route, "route", "", "only this route")
	fl.StringVar(&status, "status", "", "only this answer status: a code (500) or a class (2xx, 4xx)")
	fl.StringVar(&signature, "signature", "", "only this signature verdict (valid, invalid, missing, unverifiable)")
	fl.StringVar(&search, "search", "", "only requests whose path, headers or body contain this text (at most "+strconv.FormatInt(limits.SearchText.Max, 10)+" bytes)")
	intFlag(fl, &before, "before", 0, limits.ID, "only requests older than this id (paging)")
	intFlag(fl, &limit, "limit", 50, limits.PageSize, "at most this many")
	fl.BoolVar(&asJSON, "json", false, "print JSON (an array)")
	return cmd
}

func writeRequestTable(w io.Writer, rows []db.Request) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tROUTE\tMETHOD\tSTATUS\tVENDOR\tEVENT\tSIGNATURE\tFLAGS")
	for _, r := range rows {
		var flags []string
		if r.Duplicate {
			flags = append(flags, "duplicate")
		}
		if r.RepeatOf > 0 || r.RepeatNote != "" {
			flags = append(flags, "repeat")
		}
		if r.Stale {
			flags = append(flags, "stale")
		}
		if len(r.ShapeIssues) > 0 {
			flags = append(flags, fmt.Sprintf("shape(%d)", len(r.ShapeIssues)))
		}
		if !r.JSONValid && r.BodySize > 0 {
			flags = append(flags, "not-json")
		}
		if r.BodyTruncated {
			flags = append(flags, "truncated")
		}
		if r.Error != "" {
			flags = append(flags, "error")
		}
		status := strconv.Itoa(r.Response.Status)
		if r.Response.Status == 0 {
			status = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.ReceivedAt.Local().Format("2006-01-02 15:04:05"),
			printable(orDash(r.Route)), printable(r.Method), status, printable(orDash(r.Vendor)),
			printable(orDash(strings.Join(r.EventTypes, ","))), printable(orDash(r.Signature.Status)), orDash(strings.Join(flags, ",")))
	}
	return tw.Flush()
}

func newRequestsShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one request in full: headers, body, verdicts and the answer",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := limits.ID.Named("request ID").Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			r, err := db.NewRequestStore().GetRequest(cmd.Context(), d.Reader(), id)
			if errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("no request with id %d", id)
			}
			if err != nil {
				return fmt.Errorf("loading request %d: %w", id, err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), api.NewRequestView(r, true))
			}
			writeRequest(cmd.OutOrStdout(), r)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeRequest(w io.Writer, r *db.Request) {
	target := r.Path
	if r.Query != "" {
		target += "?" + r.Query
	}
	fmt.Fprintf(w, "Request %d  %s\n", r.ID, r.ReceivedAt.Local().Format("2006-01-02 15:04:05.000 MST"))
	fmt.Fprintf(w, "%s %s  from %s\n", printable(r.Method), printable(target), printable(r.RemoteAddr))
	fmt.Fprintf(w, "Route:     %s\n", printable(orDash(r.Route)))
	fmt.Fprintf(w, "Vendor:    %s\n", printable(orDash(r.Vendor)))
	fmt.Fprintf(w, "Event:     %s\n", printable(orDash(strings.Join(r.EventTypes, ", "))))
	fmt.Fprintf(w, "Signature: %s: %s\n", printable(orDash(r.Signature.Status)), printable(r.Signature.Reason))
	if r.Duplicate {
		if r.DuplicateOf > 0 {
			fmt.Fprintf(w, "Duplicate: yes, of request %d (id %s)\n", r.DuplicateOf, printable(r.DedupKey))
		} else {
			fmt.Fprintf(w, "Duplicate: yes (id %s)\n", printable(r.DedupKey))
		}
	}
	if r.RepeatOf > 0 || r.RepeatNote != "" {
		// Not a duplicate: the earlier request's signature failed, or
		// this one's did. The note says which.
		var of []string
		if r.RepeatOf > 0 {
			of = append(of, fmt.Sprintf("of request %d", r.RepeatOf))
		}
		if r.DedupKey != "" {
			of = append(of, "id "+printable(r.DedupKey))
		}
		lines := []string{strings.Join(of, ", "), printable(r.RepeatNote)}
		if lines[0] == "" || lines[1] == "" {
			lines = []string{lines[0] + lines[1]}
		}
		fmt.Fprintf(w, "Repeat:    %s\n", strings.Join(lines, "\n           "))
	}
	if r.Stale {
		fmt.Fprintf(w, "Stale:     %s\n", printable(r.StaleReason))
	}
	if why := r.ShapeNotChecked(); why != "" {
		fmt.Fprintf(w, "Shape:     not checked: %s\n", printable(why))
	} else if len(r.ShapeIssues) > 0 {
		fmt.Fprintln(w, "Shape:")
		for _, s := range r.ShapeIssues {
			fmt.Fprintf(w, "  - %s\n", printable(s))
		}
	}
	if r.Error != "" {
		fmt.Fprintf(w, "Error:     %s\n", printable(r.Error))
	}
	fmt.Fprintln(w, "\nHeaders:")
	writeHeaders(w, r.Headers)
	writeBody(w, "Body", r.Body, r.BodySize, r.BodyTruncated, r.JSONValid)

	resp := r.Response
	if resp.Status == 0 {
		// A hang or a dropped connection: the error says how long the
		// connection was held and how it ended.
		fmt.Fprintln(w, "\nResponse: none sent")
	} else {
		fmt.Fprintf(w, "\nResponse: %d (%.1f ms)\n", resp.Status, resp.LatencyMS)
		writeHeaders(w, resp.Headers)
		writeBody(w, "Response body", resp.Body, int64(len(resp.Body)), resp.Truncated, true)
	}
	if f := r.Forward; f != nil {
		fmt.Fprintf(w, "\nForwarded to %s: ", printable(f.URL))
		if f.Error != "" {
			fmt.Fprintf(w, "error: %s (%.1f ms)\n", printable(f.Error), f.LatencyMS)
		} else {
			fmt.Fprintf(w, "%d (%.1f ms)\n", f.Status, f.LatencyMS)
		}
		writeHeaders(w, f.Headers)
		if len(f.Body) > 0 {
			writeBody(w, "Service's body", f.Body, int64(len(f.Body)), false, true)
		}
	}
}

func writeHeaders(w io.Writer, hs []db.Header) {
	for _, h := range hs {
		fmt.Fprintf(w, "  %s: %s\n", printable(h.Name), printable(fixtures.MaskHeaderValue(h.Name, h.Value)))
	}
}

func writeBody(w io.Writer, title string, body []byte, size int64, truncated, jsonValid bool) {
	note := fmt.Sprintf("%d bytes", size)
	if truncated {
		note += fmt.Sprintf(", only the first %d kept", len(body))
	}
	if len(body) > 0 && !jsonValid {
		note += ", not valid JSON"
	}
	if !utf8.Valid(body) {
		note += ", not UTF-8: shown with \\x escapes"
	}
	fmt.Fprintf(w, "\n%s (%s):\n", title, note)
	if len(body) > 0 {
		fmt.Fprintln(w, printableText(string(body)))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printable neutralises a one-line field from an untrusted source: control
// characters (escape sequences included), line breaks and invalid UTF-8
// are shown as Go escapes, never sent to the terminal raw.
func printable(s string) string { return neutralise(s, false) }

// printableText is printable for a body: line breaks and tabs are kept.
func printableText(s string) string { return neutralise(s, true) }

func neutralise(s string, keepLines bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
