// Command hookscope is a terminal console for the webhooks that security and
// compliance products send: a local receiver and a vendor-faithful sender,
// every exchange recorded in SQLite.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "hookscope:", err)
		os.Exit(exitCode(err))
	}
}
