// Command hookscope is a terminal console for the webhooks that security and
// compliance products send: a local receiver and a vendor-faithful sender,
// every exchange recorded in SQLite.
package main

import (
	"fmt"
	"os"

	"github.com/hookscope/hookscope/sanitize"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		// An error can quote what the user typed or what was stored.
		fmt.Fprintln(os.Stderr, "hookscope:", sanitize.Terminal(err.Error()))
		os.Exit(exitCode(err))
	}
}
