package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

func newPruneCmd(g *globals) *cobra.Command {
	var (
		before, olderThan string
		all, yes, asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete old history: received requests, finished deliveries and unused events",
		Long: `Delete the history recorded before a time: received requests, deliveries that
are over (succeeded, failed, skipped, cancelled) with their attempts, and the
events nothing refers to any more. Deliveries still pending or retrying stay,
and so do endpoints and routes. It cannot be undone, so --yes is required.

  hookscope prune --older-than 7d --yes
  hookscope prune --before 2026-11-01 --yes
  hookscope prune --all --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			given := 0
			for _, b := range []bool{before != "", olderThan != "", all} {
				if b {
					given++
				}
			}
			if given != 1 {
				return usagef("give exactly one of --before TIME, --older-than DURATION or --all")
			}
			var until time.Time
			var err error
			switch {
			case before != "":
				if until, err = db.ParseWhen(before, time.Now()); err != nil {
					return usagef("--before: %w", err)
				}
			case olderThan != "":
				if dayDuration(olderThan) {
					if _, err := limits.PruneDays.Parse(strings.TrimSuffix(olderThan, "d")); err != nil {
						return usageError{err}
					}
				} else if _, err := time.ParseDuration(olderThan); err != nil {
					return usagef("--older-than %q: a duration such as 24h or 7d", olderThan)
				}
				if until, err = db.ParseWhen(olderThan, time.Now()); err != nil {
					return usagef("--older-than: %w", err)
				}
			}
			if !yes {
				return usagef("pruning cannot be undone: add --yes")
			}
			d, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			res, err := d.Prune(cmd.Context(), until)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			what := "everything"
			if !until.IsZero() {
				what = "what was recorded before " + until.Format(time.RFC3339)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "pruned %s: %d requests, %d deliveries, %d events\n", what, res.Requests, res.Deliveries, res.Events)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&before, "before", "", "delete what was recorded before this time: RFC 3339 or a date (2026-11-01)")
	f.StringVar(&olderThan, "older-than", "", "delete what is older than this: 24h, 7d")
	f.BoolVar(&all, "all", false, "delete the whole history")
	f.BoolVar(&yes, "yes", false, "confirm: pruning cannot be undone")
	f.BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}

// dayDuration reports whether s is a whole number of days ("7d").
func dayDuration(s string) bool {
	if len(s) < 2 || s[len(s)-1] != 'd' {
		return false
	}
	for _, c := range s[:len(s)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
