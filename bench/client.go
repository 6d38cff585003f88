package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client sends requests to one server: its base address and the header
// that authenticates them.
type Client struct {
	Base   string // http://127.0.0.1:PORT
	Header http.Header
	HTTP   *http.Client
}

// newClient returns a client of base that keeps up to conns connections.
func newClient(base string, header http.Header, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &Client{Base: base, Header: header, HTTP: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// Call is one HTTP request of an operation.
type Call struct {
	Method string
	Path   string // with its query
	Body   []byte // JSON, or nil
}

// Do sends c and returns the status and the body.
func (cl *Client) Do(ctx context.Context, c Call) (int, []byte, error) {
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, cl.Base+c.Path, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range cl.Header {
		req.Header[k] = v
	}
	if c.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// JSON sends c, requires a 2xx answer and decodes it into out (unless nil).
func (cl *Client) JSON(ctx context.Context, c Call, out any) error {
	status, b, err := cl.Do(ctx, c)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
	}
	if status/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", c.Method, c.Path, status, clip(b))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w: %s", c.Method, c.Path, err, clip(b))
	}
	return nil
}

// jsonBody marshals v for a Call's body.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal request body: %v", err)) // only our own values are marshalled
	}
	return b
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
