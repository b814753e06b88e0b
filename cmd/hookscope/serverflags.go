package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/limits"
)

// serverFlags are the flags of a process that runs the receiver, the
// sender and the REST API: serve and the console take the same ones,
// checked the same way.
type serverFlags struct {
	listen, api, apiToken, forwardTo string
	timeScale                        float64
	minFree                          int64 // MiB
}

// add defines the flags on f; forwardHelp says what --forward-to does there.
func (s *serverFlags) add(f *pflag.FlagSet, forwardHelp string) {
	f.StringVar(&s.listen, "listen", app.DefaultListen, "receiver address (:0 picks a free port)")
	f.StringVar(&s.api, "api", app.DefaultAPI, "REST API address, loopback only without --api-token (:0 picks a free port)")
	addAPITokenFlag(f, &s.apiToken)
	f.StringVar(&s.forwardTo, "forward-to", "", forwardHelp)
	floatFlag(f, &s.timeScale, "time-scale", 1, limits.TimeScale, "run vendor retry schedules N times faster")
	intFlag(f, &s.minFree, "min-free", limits.MinFreeMiB, limits.MinFree, "free-space floor in MiB: with less room left for the database, webhooks and API writes are answered 503 until a prune or freed disk space makes room (0: no floor)")
}

// config fills an app.Config with the flags (each checked as it was
// parsed).
func (s *serverFlags) config(cmd *cobra.Command, cfg app.Config) (app.Config, error) {
	cfg.Listen, cfg.API, cfg.ForwardTo, cfg.TimeScale = s.listen, s.api, s.forwardTo, s.timeScale
	cfg.MinFree = s.minFree << 20
	cfg.APIToken = apiToken(cmd.Flags(), s.apiToken)
	return cfg, nil
}
