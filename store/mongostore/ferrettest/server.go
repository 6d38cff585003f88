package ferrettest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is an embedded FerretDB listening on a loopback port.
type Server struct {
	URI  string
	stop func()
}

// Start runs FerretDB with its SQLite handler on files under dir, listening
// on 127.0.0.1 on a free port. Stop ends it.
func Start(dir string) (*Server, error) {
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return nil, fmt.Errorf("start ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	// The listener's address is known once Run has started listening;
	// MongoDBURI waits for it.
	uri := make(chan string, 1)
	go func() { uri <- f.MongoDBURI() }()
	select {
	case u := <-uri:
		return &Server{URI: u, stop: func() { cancel(); <-done }}, nil
	case <-time.After(30 * time.Second):
		cancel()
		return nil, fmt.Errorf("start ferretdb: no listener after 30s")
	}
}

// Stop ends the server and waits for it.
func (s *Server) Stop() { s.stop() }
