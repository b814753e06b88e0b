package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/hookscope/hookscope/internal/testkit"
)

// TestEndpointWritesRacingDeleteNever500: API writes on one endpoint (a
// test send, a PATCH, disable, enable, retry-failed, a delivery's retry)
// racing its DELETE over real HTTP answer 2xx, 404 or 409, never 500 (a
// foreign-key failure is the row being gone). 200 rounds.
func TestEndpointWritesRacingDeleteNever500(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t, 1)
	hook := testkit.NewHookServer(t, testkit.Status(http.StatusOK))
	api := senderAPI(t, s)
	call := func(method, path, body string) (int, string) {
		code, b, err := request(method, api+path, body)
		if err != nil {
			t.Error(err) // not Fatal: called from the racing goroutines
		}
		return code, string(b)
	}
	var mu sync.Mutex
	bad := map[string]string{}
	for i := range 200 {
		name := fmt.Sprintf("race-%d", i)
		code, body := call(http.MethodPost, "/api/endpoints", fmt.Sprintf(`{"name": %q, "url": %q, "profile": "generic"}`, name, hook.URL))
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("creating %s: %d %s", name, code, body)
		}
		// One delivery to retry while the endpoint goes.
		code, body = call(http.MethodPost, "/api/endpoints/"+name+"/test", "")
		var d struct {
			ID int64 `json:"id"`
		}
		if code/100 != 2 || json.Unmarshal([]byte(body), &d) != nil {
			t.Fatalf("test send: %d %s", code, body)
		}
		writes := []struct{ method, path, body string }{
			{http.MethodPost, "/api/endpoints/" + name + "/test", ""},
			{http.MethodPatch, "/api/endpoints/" + name, `{"timeout_seconds": 5}`},
			{http.MethodPost, "/api/endpoints/" + name + "/disable", `{"reason": "race"}`},
			{http.MethodPost, "/api/endpoints/" + name + "/enable", ""},
			{http.MethodPost, "/api/endpoints/" + name + "/retry-failed", ""},
			{http.MethodPost, fmt.Sprintf("/api/deliveries/%d/retry", d.ID), ""},
		}
		w := writes[i%len(writes)]
		var wg sync.WaitGroup
		for _, op := range []struct{ method, path, body string }{w, {http.MethodDelete, "/api/endpoints/" + name, ""}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, body := call(op.method, op.path, op.body); code >= 500 || code == 0 {
					mu.Lock()
					bad[op.method+" "+op.path] = fmt.Sprintf("%d %s", code, body)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	for k, v := range bad {
		t.Errorf("%s racing DELETE: %s", k, v)
	}
}
