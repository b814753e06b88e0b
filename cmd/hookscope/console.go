package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/cmd/app"
	"github.com/hookscope/hookscope/sender"
	"github.com/hookscope/hookscope/tui"
)

// consoleOpts are the root command's flags: the console's.
type consoleOpts struct {
	server serverFlags
	attach bool
}

func addConsoleFlags(root *cobra.Command, o *consoleOpts) {
	f := root.Flags()
	o.server.add(f, "also send every request to this URL (your own service)")
	f.BoolVar(&o.attach, "attach", false, "open the database beside the process that runs its outbox (a serve): no receiver, API or sender of its own "+
		"(the default when one runs and neither --listen nor --api is given; --listen and --api are then unused)")
}

// consoleLogName is the console's log file, beside the database.
const consoleLogName = "hookscope.log"

// runConsoleCmd starts the receiver, sender and API, then runs the console
// until the user quits. Nothing is written to stdout or stderr while the
// interface runs: logs go to hookscope.log beside the database. A taken
// port (or any start failure) is reported before anything is drawn.
func runConsoleCmd(cmd *cobra.Command, g *globals, o *consoleOpts) error {
	cfg, err := o.server.config(cmd, app.Config{Kind: "console"})
	if err != nil {
		return err
	}
	path, err := g.dbFile()
	if err != nil {
		return err
	}
	logFile, err := openConsoleLog(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	prevDefault, prevLog := slog.Default(), log.Writer()
	slog.SetDefault(logger)
	log.SetOutput(logFile)
	defer func() {
		slog.SetDefault(prevDefault)
		log.SetOutput(prevLog)
	}()

	base := cmd.Context()
	if base == nil {
		base = context.Background()
	}
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	attach, err := shouldAttach(ctx, path, o.attach, cmd.Flags().Changed("listen") || cmd.Flags().Changed("api"))
	if err != nil {
		return err
	}
	cfg.Attach, cfg.DBPath, cfg.Logger = attach, path, logger
	a, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		if err := a.Shutdown(sctx); err != nil {
			logger.Error("stopping", "err", err)
		}
	}()

	cwd, _ := os.Getwd()
	src := tui.NewDBSource(a.DB)
	src.OutboxNote = sender.OutboxNote
	m := tui.New(tui.Config{
		Context: ctx,
		Source:  src,
		Actions: app.ConsoleActions{Sender: a.Sender, Receiver: a.Receiver, Source: src, History: a.DB},
		Info: tui.Info{
			ReceiverAddr: a.ReceiverAddr(), APIAddr: a.APIAddr(),
			TimeScale: cfg.TimeScale, DBPath: path, Version: buildVersion(),
			Attached: attach,
		},
		ExportDir:      cwd,
		FilterDebounce: tui.DefaultFilterDebounce,
	})
	p := tea.NewProgram(m, tea.WithContext(ctx))
	go tui.Feed(ctx, p, a.Changes.Subscribe(ctx), a.DB.Watch(ctx, 500*time.Millisecond))
	go func() {
		select {
		case err := <-a.Errors():
			logger.Error("a server stopped", "err", err)
			p.Quit()
		case <-ctx.Done():
		}
	}()
	logger.Info("console started", "receiver", a.ReceiverAddr(), "api", a.APIAddr(), "db", path)
	_, runErr := p.Run()
	cancel()
	if runErr != nil && runErr != tea.ErrProgramKilled {
		return fmt.Errorf("running the console: %w", runErr)
	}
	return nil
}

// openConsoleLog opens (appending) the console's log file in dir.
func openConsoleLog(dir string) (io.WriteCloser, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s for the log: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, consoleLogName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the console log: %w", err)
	}
	return f, nil
}

// shouldAttach decides whether the console attaches beside the process
// that runs the outbox of the database at path: when asked (--attach), or
// when such a process runs and no address was given (ownPorts: --listen or
// --api asks for a receiver and API of its own).
func shouldAttach(ctx context.Context, path string, asked, ownPorts bool) (bool, error) {
	if asked {
		return true, nil
	}
	if ownPorts {
		return false, nil
	}
	h, err := app.OtherHolder(ctx, path)
	if err != nil {
		return false, err
	}
	if h != nil {
		slog.Info("attaching beside the process that runs the outbox", "kind", h.Kind, "pid", h.PID)
	}
	return h != nil, nil
}
