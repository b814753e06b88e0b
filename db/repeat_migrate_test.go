package db

import (
	"context"
	"testing"
)

// A database from before repeats had their own columns kept the note on a
// repeat of a forged request's id in error, joined to any other error
// text with "; ". Opening it moves each note, in the three forms the
// receiver wrote, to repeat_note (and the id it names to repeat_of), and
// keeps the rest of the error as it was. Text that only looks like a note
// stays.
func TestMigrationMovesRepeatNotesOutOfError(t *testing.T) {
	ctx := context.Background()
	conn, path := migratedTo(t, 12)
	const (
		validFirst = "repeats the id of #2, whose signature was valid, but its own signature is invalid: not an at-least-once duplicate"
		forgedOwn  = "repeats the id of an earlier request whose signature was invalid (#3); its own is missing"
		genuine    = "repeats the id of an earlier request whose signature was unverifiable (#14), so it is not a duplicate of it"
		hang       = "simulated hang: the connection was held open 1.2s without an answer, until the client closed the connection"
		overLimit  = "body of 300000 bytes is over the 262144-byte limit; the first 65536 bytes were kept"
	)
	rows := []struct {
		key, error       string
		wantError        string
		wantOf           int64
		wantNote         string
		wantUntouchedErr bool
	}{
		{key: "evt_1", error: validFirst, wantOf: 2, wantNote: validFirst},
		{key: "evt_1", error: forgedOwn, wantOf: 3, wantNote: forgedOwn},
		{key: "evt_1", error: genuine, wantOf: 14, wantNote: genuine},
		// Joined to other error text, before and after it.
		{key: "evt_2", error: overLimit + "; " + forgedOwn, wantError: overLimit, wantOf: 3, wantNote: forgedOwn},
		{key: "evt_2", error: genuine + "; " + hang, wantError: hang, wantOf: 14, wantNote: genuine},
		{key: "evt_2", error: "reading the body: unexpected EOF; " + validFirst + "; " + hang,
			wantError: "reading the body: unexpected EOF; " + hang, wantOf: 2, wantNote: validFirst},
		{key: "evt_2", error: "reading the body: unexpected EOF; " + forgedOwn + "; " + hang,
			wantError: "reading the body: unexpected EOF; " + hang, wantOf: 3, wantNote: forgedOwn},
		// Written again after its batch rolled back: the stray half of
		// the old note goes with it.
		{key: "evt_3", error: "its own is missing; " + hang + "; " + forgedOwn,
			wantError: hang, wantOf: 3, wantNote: forgedOwn},
		// Not notes.
		{key: "evt_4", error: overLimit, wantUntouchedErr: true},
		{key: "evt_4", error: "panic while inspecting the request: repeats the id of #4", wantUntouchedErr: true},
		{key: "", error: "", wantUntouchedErr: true},
	}
	for _, r := range rows {
		if _, err := conn.ExecContext(ctx, `INSERT INTO requests (received_at, method, path, vendor, dedup_key, error)
			VALUES (1, 'POST', '/hooks/policycortex', 'policycortex', ?, ?)`, r.key, r.error); err != nil {
			t.Fatal(err)
		}
	}
	d := openMigrated(t, conn, path)
	defer d.Close()
	for i, r := range rows {
		got, err := NewRequestStore().GetRequest(ctx, d.Reader(), int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		wantError := r.wantError
		if r.wantUntouchedErr {
			wantError = r.error
		}
		if got.Error != wantError || got.RepeatOf != r.wantOf || got.RepeatNote != r.wantNote {
			t.Errorf("request %d, error %q:\n got error %q, repeat of %d, note %q\nwant error %q, repeat of %d, note %q",
				i+1, r.error, got.Error, got.RepeatOf, got.RepeatNote, wantError, r.wantOf, r.wantNote)
		}
	}

	// Rolled back, the notes are in error again for an older hookscope.
	d.Close()
	conn = migratedDownTo(t, path, 12)
	var back string
	if err := conn.QueryRow(`SELECT error FROM requests WHERE id = 4`).Scan(&back); err != nil || back != overLimit+"; "+forgedOwn {
		t.Errorf("after rolling back, request 4's error is %q (%v), want %q", back, err, overLimit+"; "+forgedOwn)
	}
}
