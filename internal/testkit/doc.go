// Package testkit is the one harness the project's tests share: a temp
// SQLite database, a quiet logger, a polling Eventually, a real HTTP
// server that records every hook it receives, a receiver served on
// loopback over a real database, a started service (the sender) over one,
// and the vendor-framed bodies the tests send.
//
// Only test files import it. It depends on db and fixtures and never on
// receiver or sender, so that those packages' own (internal) tests can use
// it too: what it runs is handed to it as a constructor, and what it asks
// of a sender is the small interfaces in sender.go.
package testkit
