package testkit

import (
	"io"
	"log/slog"
)

// QuietLogger is a logger that writes nowhere.
func QuietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
