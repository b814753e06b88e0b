package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/cmd/app"
)

// shutdownGrace bounds how long serve waits for requests in flight.
const shutdownGrace = 30 * time.Second

func newServeCmd(g *globals) *cobra.Command {
	var (
		server  serverFlags
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the receiver, the sender and the REST API without the console",
		Long: `serve runs hookscope headless: the receiver (webhooks at POST /hooks/{route}),
the sender and the REST API. Its first two lines give the real addresses
(so --listen 127.0.0.1:0 works). SIGINT or SIGTERM stops taking requests,
lets those in flight finish and flushes every write.

Several processes may share one database. One of them (serve or a console)
runs the outbox: it holds a lease the others see, and one of them takes it
over within seconds when its holder stops or dies. The default endpoints
(local-...) point at that process's receiver. Every delivery keeps the
--time-scale it was scheduled with, whichever process sends it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			cfg, err := server.config(cmd, app.Config{Kind: "serve"})
			if err != nil {
				return err
			}
			cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			if cfg.DBPath, err = g.dbFile(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			a, err := app.Start(ctx, cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "receiver: http://%s  (webhooks: POST /hooks/{route})%s\n", a.ReceiverAddr(), listeningOn(a.ReceiverAddr(), a.ReceiverListenAddr()))
			fmt.Fprintf(out, "api: http://%s%s\n", a.APIAddr(), listeningOn(a.APIAddr(), a.APIListenAddr()))
			fmt.Fprintf(out, "database: %s\n", cfg.DBPath)
			fmt.Fprintf(out, "outbox: %s\n", outboxLine(ctx, a))
			if cfg.ForwardTo != "" {
				fmt.Fprintf(out, "forwarding to: %s\n", cfg.ForwardTo)
			}
			var runErr error
			select {
			case <-ctx.Done():
			case runErr = <-a.Errors():
			}
			stop()
			cfg.Logger.Info("stopping: finishing requests in flight")
			sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if err := a.Shutdown(sctx); err != nil {
				return fmt.Errorf("stopping: %w", err)
			}
			cfg.Logger.Info("stopped; every write flushed")
			return runErr
		},
	}
	f := cmd.Flags()
	server.add(f, "also send every request to this URL (your own service) and answer with its answer")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every request")
	return cmd
}

// listeningOn notes the bound address when it is not the one printed (a
// wildcard host: every interface).
func listeningOn(reach, bound string) string {
	if reach == bound {
		return ""
	}
	return "  (listening on " + bound + ", every interface)"
}

// outboxLine says which process sends the database's deliveries: this
// one, or another that this one stands in for if it stops.
func outboxLine(ctx context.Context, a *app.App) string {
	v, err := a.Sender.Outbox(ctx)
	switch {
	case err != nil:
		return "unknown (" + err.Error() + ")"
	case v.Here:
		return "sent from here"
	case v.Holder != nil:
		return fmt.Sprintf("sent by %s, pid %d (this process takes it over if that one stops)", v.Holder.Kind, v.Holder.PID)
	}
	return "no process sends it yet"
}
