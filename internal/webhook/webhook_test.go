package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/webhook"
)

func TestDeliver_SignedAndIdempotent(t *testing.T) {
	t.Parallel()
	const secret = "whsec_test"
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		mu.Unlock()
		if err := webhook.Verify(secret, r.Header.Get("X-CRM-Signature"), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := webhook.New(webhook.Config{AllowPrivate: true})
	d := worker.Delivery{ID: "01abc", TenantID: "acme", URL: srv.URL + "/hook", Body: []byte(`{"rule":"wonTask"}`), Secret: secret, Attempt: 2}
	require.NoError(t, c.Deliver(context.Background(), d))
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPost, got[0].Method)
	assert.Equal(t, "01abc", got[0].Header.Get("Idempotency-Key"))
	assert.Equal(t, "2", got[0].Header.Get("X-CRM-Attempt"))
	assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
	assert.JSONEq(t, `{"rule":"wonTask"}`, string(bodies[0]))

	d.Secret = "wrong"
	err := c.Deliver(context.Background(), d)
	assert.ErrorContains(t, err, "status 401: webhook: signature does not match")
}

func TestDeliver_FailuresAreErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/slow":
			time.Sleep(2 * time.Second)
		}
	}))
	defer srv.Close()
	c := webhook.New(webhook.Config{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	for path, msg := range map[string]string{"/down": "status 503: maintenance", "/moved": "status 302", "/slow": "Client.Timeout"} {
		err := c.Deliver(context.Background(), worker.Delivery{ID: "x", URL: srv.URL + path, Body: []byte("{}"), Secret: "s"})
		assert.ErrorContains(t, err, msg, path)
	}
}

func TestDeliver_PrivateNetworksRefused(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c := webhook.New(webhook.Config{})
	err := c.Deliver(context.Background(), worker.Delivery{ID: "x", URL: srv.URL, Body: []byte("{}"), Secret: "s"})
	assert.ErrorIs(t, err, webhook.ErrForbiddenAddress)
	assert.Zero(t, hits, "refused before connecting")
	// Which addresses are refused is the classifier's table
	// (TestBlocked): this test sends nothing beyond loopback.
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	h := webhook.Sign("k", now, []byte("body"))
	require.NoError(t, webhook.Verify("k", h, []byte("body"), now.Add(time.Minute), 5*time.Minute))
	assert.Error(t, webhook.Verify("k", h, []byte("body!"), now, 5*time.Minute))
	assert.Error(t, webhook.Verify("k", h, []byte("body"), now.Add(time.Hour), 5*time.Minute), "replayed later")
	assert.Error(t, webhook.Verify("k", "garbage", []byte("body"), now, 5*time.Minute))
}
