package sender

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// SendFixtureTo sends one event to one endpoint, framed and signed by the
// endpoint's profile: its first attempt runs now, in this goroutine, and
// later retries follow the endpoint's policy like any raised event. An
// empty payload is rendered from the fixture. It refuses a disabled
// endpoint. The console's "send to endpoint" and "edit and send" use it.
func (s *Sender) SendFixtureTo(ctx context.Context, endpointID int64, event string, payload json.RawMessage, source string) (*db.Delivery, error) {
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, fmt.Errorf("endpoint %s is disabled (%s); enable it first", ep.Name, ep.DisabledReason)
	}
	prof, _, err := fixtures.Find(ep.Profile, event)
	if err != nil {
		return nil, err
	}
	return s.deliverNow(ctx, ep, prof, event, payload, source, false)
}
