// polystore-ferretdb: FerretDB (MongoDB's wire protocol on SQLite) embedded in a program of its own, for the
// document tests. `go install` of FerretDB's own command panics without its build/version/version.txt; the
// public ferretdb package starts cleanly. Prints the MongoDB URL on stdout once it listens; stops on SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	data := flag.String("data", "", "directory of the SQLite databases (created if missing)")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "polystore-ferretdb: -data is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*data, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "polystore-ferretdb:", err)
		os.Exit(1)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler:   "sqlite",
		SQLiteURL: "file:" + *data + "/",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "polystore-ferretdb:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	// MongoDBURI waits for the listener, which Run opens.
	fmt.Println(f.MongoDBURI())
	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "polystore-ferretdb:", err)
		os.Exit(1)
	}
}
