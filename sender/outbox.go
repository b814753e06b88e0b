package sender

import (
	"context"

	"github.com/hookscope/hookscope/db"
)

// OutboxView is who runs the outbox of a shared database, as served.
type OutboxView struct {
	// Holder is the process that runs it (null when none does: its lease
	// has run out or its process is gone).
	Holder *db.Holder `json:"holder"`
	// Here says whether it is this process.
	Here bool `json:"here"`
	// PID is this process's pid.
	PID int `json:"pid"`
}

// Outbox says who runs the outbox.
func (s *Sender) Outbox(ctx context.Context) (OutboxView, error) {
	h, err := s.Holder(ctx)
	if err != nil {
		return OutboxView{}, err
	}
	return OutboxView{Holder: h, Here: h != nil && h.Owner == s.owner, PID: s.proc.PID}, nil
}
