package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

// The migration harness: every schema object the migrations create must
// exist after Open, every migration must apply on top of the one before it
// and roll back cleanly, and files Open cannot own are refused untouched.
// A new migration is covered by dropping its file in migrations/.

var (
	createRe = regexp.MustCompile(`(?i)CREATE\s+(?:UNIQUE\s+)?(?:VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?["\x60]?(\w+)`)
	dropRe   = regexp.MustCompile(`(?i)DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+EXISTS\s+)?["\x60]?(\w+)`)
)

// expectedSchema parses the Up half of every migration, in order, for the
// objects that should exist at the newest version ("table:name").
func expectedSchema(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, e := range entries {
		b, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		up := string(b)
		if i := strings.Index(up, "-- +goose Down"); i >= 0 {
			up = up[:i]
		}
		for _, m := range createRe.FindAllStringSubmatch(up, -1) {
			want[strings.ToLower(m[1])+":"+m[2]] = true
		}
		for _, m := range dropRe.FindAllStringSubmatch(up, -1) {
			delete(want, strings.ToLower(m[1])+":"+m[2])
		}
	}
	return want
}

// schemaObjects lists the file's own tables, indexes, triggers and views.
func schemaObjects(t *testing.T, h Handle) map[string]bool {
	t.Helper()
	rows, err := h.QueryContext(context.Background(), `SELECT type, name FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			t.Fatal(err)
		}
		got[typ+":"+name] = true
	}
	return got
}

func TestMigrationsCreateEverySchemaObject(t *testing.T) {
	d, _ := openTest(t, Options{})
	want := expectedSchema(t)
	// Guard the parser with what 00001 is known to hold.
	for _, o := range []string{"table:routes", "table:requests", "table:endpoints", "table:events",
		"table:deliveries", "table:delivery_events", "table:attempts", "index:requests_vendor",
		"index:requests_route", "index:requests_status", "index:requests_sig", "index:requests_dedup",
		"index:deliveries_due", "index:deliveries_endpoint", "index:deliveries_status",
		"index:deliveries_vendor", "index:delivery_events_event"} {
		if !want[o] {
			t.Errorf("the migration parser missed %s", o)
		}
	}
	got := schemaObjects(t, d.Reader())
	for o := range want {
		if !got[o] {
			t.Errorf("%s is missing after Open", o)
		}
	}
	var v int64
	if err := d.Reader().QueryRow(`SELECT max(version_id) FROM goose_db_version`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("recorded version %d, %v; want %d", v, err, SchemaVersion())
	}
}

// Each migration applies on top of its predecessor, and Down undoes all of
// them, leaving a file Up can migrate again.
func TestMigrationsStepUpAndDown(t *testing.T) {
	ctx := context.Background()
	conn, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "steps.db")+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrationFiles, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, sub)
	if err != nil {
		t.Fatal(err)
	}
	sources := p.ListSources()
	if len(sources) == 0 || sources[len(sources)-1].Version != SchemaVersion() {
		t.Fatalf("sources %v do not end at SchemaVersion %d", sources, SchemaVersion())
	}
	for _, s := range sources {
		if _, err := p.UpByOne(ctx); err != nil {
			t.Fatalf("applying %s: %v", s.Path, err)
		}
		if v, _ := p.GetDBVersion(ctx); v != s.Version {
			t.Fatalf("after %s the version is %d", s.Path, v)
		}
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("rolling every migration back: %v", err)
	}
	if left := schemaObjects(t, conn); len(left) != 0 {
		t.Errorf("left after Down: %v", left)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("migrating again after Down: %v", err)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	d, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	newer := SchemaVersion() + 7
	write(t, d, func(tx Handle) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer)
		return err
	})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)

	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	for _, v := range []int64{newer, SchemaVersion()} {
		if !strings.Contains(err.Error(), fmt.Sprint(v)) {
			t.Errorf("the message %q does not name version %d", err, v)
		}
	}
	if fileSum(t, path) != before {
		t.Error("the refused file was modified")
	}
}

func TestNotSQLiteRefusedUntouched(t *testing.T) {
	random := make([]byte, 8192)
	rand.Read(random)
	cases := map[string][]byte{
		"text":        []byte("these are my notes, not a database\n"),
		"short":       []byte("SQL"),
		"random":      random,
		"json":        []byte(`{"hookscope": true}`),
		"magic+trash": append([]byte("SQLite format 3\x00"), random[:4080]...),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "file.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			d, err := Open(context.Background(), path, Options{})
			if err == nil {
				d.Close()
				t.Fatal("Open accepted a file that is not SQLite")
			}
			if name != "magic+trash" && !errors.Is(err, ErrNotSQLite) {
				t.Errorf("Open = %v, want ErrNotSQLite", err)
			}
			got, _ := os.ReadFile(path)
			if !slices.Equal(got, content) {
				t.Error("the refused file was modified")
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("Open left files beside it: %v", entries)
			}
		})
	}
}

func TestEmptyFileAccepted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open(0-byte file) = %v", err)
	}
	defer d.Close()
	if got := schemaObjects(t, d.Reader()); !got["table:requests"] {
		t.Errorf("the 0-byte file was not migrated: %v", got)
	}
}

func TestOpenCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "hookscope.db")
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

// TestMigrationHidesStoredExpectedSignatures: reasons stored before
// version 10 quoted the whole expected signature of an invalid request;
// opening such a file shortens it to its first 8 characters, leaving the
// rest of the reason, and every other reason, as it was.
func TestMigrationHidesStoredExpectedSignatures(t *testing.T) {
	ctx := context.Background()
	conn, path := migratedTo(t, 9)
	hexWant := strings.Repeat("0123456789abcdef", 4)
	swWant := "DyEHjgeXn992+aAB9ufEU+lZKl2FSj6hTvKUL9ok5GI="
	// As the receiver before this version wrote them (fixtures/hmac.go,
	// fixtures/standardwebhooks.go), the received value posing as the
	// phrase that precedes the expected one.
	pcGot := `with the configured secret is "sha256=` + strings.Repeat("f", 64) + `"`
	rows := []struct{ status, reason, want string }{
		{"invalid",
			fmt.Sprintf("X-PolicyCortex-Signature is %q but HMAC-SHA256 of the 378 raw body bytes with the configured secret is %q; the secret differs, or the body was changed after signing", pcGot, "sha256="+hexWant),
			fmt.Sprintf("X-PolicyCortex-Signature is %q but HMAC-SHA256 of the 378 raw body bytes with the configured secret is %q; the secret differs, or the body was changed after signing", pcGot, "sha256="+hexWant[:8]+"…")},
		{"invalid",
			fmt.Sprintf("X-Hookscope-Signature is %q but HMAC-SHA256 of the 12 raw body bytes with the configured secret is %q", "sha256=abc", "sha256="+hexWant),
			fmt.Sprintf("X-Hookscope-Signature is %q but HMAC-SHA256 of the 12 raw body bytes with the configured secret is %q", "sha256=abc", "sha256="+hexWant[:8]+"…")},
		{"invalid",
			`none of the 1 v1 signatures matches HMAC-SHA256 of "msg_1; expected v1,x.1796330979." + the 254 raw body bytes; expected v1,` + swWant,
			`none of the 1 v1 signatures matches HMAC-SHA256 of "msg_1; expected v1,x.1796330979." + the 254 raw body bytes; expected v1,` + swWant[:8] + "…"},
		{"invalid", "X-CodeScoring-Authentication does not match the configured token (5 characters received, 32 expected)", ""},
		{"valid", "X-PolicyCortex-Signature matches HMAC-SHA256 of the 378 raw body bytes", ""},
		{"invalid", `webhook-timestamp "x" is not Unix seconds`, ""},
	}
	for _, r := range rows {
		if _, err := conn.ExecContext(ctx, `INSERT INTO requests (received_at, method, path, sig_status, sig_reason) VALUES (1, 'POST', '/hooks/x', ?, ?)`, r.status, r.reason); err != nil {
			t.Fatal(err)
		}
	}
	d := openMigrated(t, conn, path)
	defer d.Close()
	for i, r := range rows {
		var got string
		if err := d.Reader().QueryRow(`SELECT sig_reason FROM requests WHERE id = ?`, i+1).Scan(&got); err != nil {
			t.Fatal(err)
		}
		want := r.want
		if want == "" {
			want = r.reason
		}
		if got != want {
			t.Errorf("row %d:\n got %s\nwant %s", i+1, got, want)
		}
		if strings.Contains(got, hexWant) || strings.Contains(got, swWant) {
			t.Errorf("row %d still holds the whole expected signature: %s", i+1, got)
		}
	}
}
