package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/fixtures"
)

// usesFixtures is the annotation of a command that runs or lists fixtures
// (fixtures list and show, send, serve, the console): it reports the user
// fixture files that could not be loaded.
const usesFixtures = "hookscope/uses-fixtures"

// markUsesFixtures annotates cmd as usesFixtures.
func markUsesFixtures(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[usesFixtures] = "yes"
	return cmd
}

// loadUserFixtures loads the user's fixtures folder and puts it in use
// for this run: a file there adds an event to its vendor's catalogue or
// replaces a built-in one. A file that cannot be used is skipped; a
// command that runs or lists fixtures says which, where and why on
// standard error.
func loadUserFixtures(cmd *cobra.Command, dir string) {
	set, problems := fixtures.LoadUserDir(dir)
	fixtures.UseUserFixtures(set)
	if len(set.Fixtures) > 0 {
		slog.Debug("user fixtures loaded", "dir", dir, "count", len(set.Fixtures))
	}
	if len(problems) == 0 || cmd.Annotations[usesFixtures] == "" {
		return
	}
	for _, p := range problems {
		fmt.Fprintf(cmd.ErrOrStderr(), "hookscope: fixture not loaded: %v\n", p)
	}
}
