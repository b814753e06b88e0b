package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// globals are the flags every command shares.
type globals struct {
	dbPath string
	// fixturesDir is the user's fixtures folder (--fixtures).
	fixturesDir string
}

// dbFile resolves --db or the default location.
func (g *globals) dbFile() (string, error) {
	if g.dbPath != "" {
		return g.dbPath, nil
	}
	return db.DefaultPath()
}

// openDB opens the database the command works on.
func (g *globals) openDB(ctx context.Context) (*db.DB, error) {
	path, err := g.dbFile()
	if err != nil {
		return nil, err
	}
	return db.Open(ctx, path, db.Options{})
}

// commands are hookscope's commands, in the order help lists them: adding
// one is adding it here.
func commands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		markUsesFixtures(newServeCmd(g)),
		markUsesFixtures(newSendCmd(g)),
		newCheckCmd(g),
		newRequestsCmd(g),
		newDeliveriesCmd(g),
		newEndpointsCmd(g),
		newRoutesCmd(g),
		newFixturesCmd(g),
		newExportCmd(g),
		newPruneCmd(g),
		newVersionCmd(g),
	}
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	console := &consoleOpts{}
	root := &cobra.Command{
		Use:   "hookscope",
		Short: "A terminal console for security and compliance webhooks",
		Long: `hookscope runs a local webhook receiver and a vendor-faithful sender side by
side, records every request and response in SQLite, and shows it all in a
terminal console.

` + wrapHelp("Vendors: ", "", vendorTitles()+".") + `
The console may share its database with a running serve (or another
console): one of them runs the outbox and the others say so in their header
("sender: in serve, pid N"); the default endpoints (local-...) keep pointing
at the receiver of the process that runs it. Opened beside such a process
with no --listen or --api (or with --attach), the console attaches: no
receiver, API or sender of its own, every view and action working through
the shared database.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every command prints through terminalSafe: nothing stored or
		// given by a user reaches the terminal raw.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			cmd.SetOut(terminalSafe{cmd.OutOrStdout()})
			cmd.SetErr(terminalSafe{cmd.ErrOrStderr()})
			loadUserFixtures(cmd, g.fixturesDir)
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runConsoleCmd(cmd, g, console) },
	}
	root.PersistentFlags().StringVar(&g.dbPath, "db", "", "database file (default $XDG_DATA_HOME/hookscope/hookscope.db)")
	root.PersistentFlags().StringVar(&g.fixturesDir, "fixtures", fixtures.DefaultUserDir(), "your own fixtures: a folder of VENDOR/EVENT.json files (see 'hookscope fixtures placeholders')")
	root.Annotations = map[string]string{usesFixtures: "yes"} // the console
	addConsoleFlags(root, console)
	root.AddCommand(commands(g)...)
	markFixtureCommands(root)
	refuseUnknownSubcommands(root)
	root.SetFlagErrorFunc(flagError) // every command's: exit 2
	return root
}

// refuseUnknownSubcommands makes every command that groups others (the
// root, routes, requests, ...) refuse a word that is none of them as an
// unknown command (exit status 2); a group without a Run of its own prints
// its help when run bare. Cobra itself prints the help and exits 0 for an
// unknown word after such a group.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if !c.HasSubCommands() {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %q (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath())
		}
		return nil
	}
	if c.Run == nil && c.RunE == nil {
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// usageError marks an error caused by bad input, for exit status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// usagef makes a usageError.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode is 2 for bad input, 1 for anything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}
