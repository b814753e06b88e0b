package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/fixtures"
)

// usesFixtures is the annotation of a command whose work takes the user's
// fixtures (fixtures list and show, send, serve, the console, check, and
// the endpoint commands that check --events against the catalogue): only
// such a command reads the fixtures folder, and it reports the files that
// could not be loaded. Every other command (requests list, export, ...)
// never reads the folder.
const usesFixtures = "hookscope/uses-fixtures"

// markUsesFixtures annotates cmd as usesFixtures.
func markUsesFixtures(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[usesFixtures] = "yes"
	return cmd
}

// alsoUsesFixtures are commands built in other files that take the user's
// fixtures: check runs the catalogue's events, endpoints add and update
// check an endpoint's --events against it.
var alsoUsesFixtures = []string{"check", "endpoints add", "endpoints update"}

// markFixtureCommands marks alsoUsesFixtures under root. A name that is
// no command is a mistake here, so it panics (any test run shows it).
func markFixtureCommands(root *cobra.Command) {
	for _, path := range alsoUsesFixtures {
		c, _, err := root.Find(strings.Fields(path))
		if err != nil || c.CommandPath() != root.Name()+" "+path {
			panic(fmt.Sprintf("markFixtureCommands: no command %q", path))
		}
		markUsesFixtures(c)
	}
}

// loadUserFixtures loads the user's fixtures folder and puts it in use
// for this run, for a command marked usesFixtures only: a file there adds
// an event to its vendor's catalogue or replaces a built-in one. A file
// that cannot be used is skipped, and the command says which, where and
// why on standard error.
func loadUserFixtures(cmd *cobra.Command, dir string) {
	if cmd.Annotations[usesFixtures] == "" {
		return
	}
	set, problems := fixtures.LoadUserDir(dir)
	fixtures.UseUserFixtures(set)
	if len(set.Fixtures) > 0 {
		slog.Debug("user fixtures loaded", "dir", dir, "count", len(set.Fixtures))
	}
	for _, p := range problems {
		fmt.Fprintf(cmd.ErrOrStderr(), "hookscope: fixture not loaded: %v\n", p)
	}
}
