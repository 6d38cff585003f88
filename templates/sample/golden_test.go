package sample_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/templates/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dump writes one line of JSON per generated record of the template; JSON
// objects have sorted keys, so the same records give the same bytes.
func dump(t testing.TB, template string, opts sample.Options, write func([]byte)) {
	t.Helper()
	err := sample.Generate(context.Background(), template, opts, func(r sample.Record) error {
		stages := make([]string, len(r.Stages))
		for i, s := range r.Stages {
			stages[i] = s.Field + "=" + s.Stage + "@" + s.At.Format(time.RFC3339Nano)
		}
		rec := map[string]any{"object": r.Object, "key": r.Key, "data": r.Data,
			"createdAt": r.CreatedAt.Format(time.RFC3339Nano), "stages": stages}
		if r.Owner != "" {
			rec["owner"] = r.Owner
		}
		if !r.ClaimedAt.IsZero() {
			rec["claimedAt"] = r.ClaimedAt.Format(time.RFC3339Nano)
		}
		line, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		write(append(line, '\n'))
		return nil
	})
	require.NoError(t, err)
}

// The generated records stay the same for a seed, a size and a reference
// date: testdata/<template>.golden holds the SHA-256 of every template's
// records, rewritten with -update. Note: floating point results (log-normal
// amounts) may differ on a platform that fuses multiply-adds; the digests
// were taken on amd64.
func TestGenerate_Golden(t *testing.T) {
	t.Parallel()
	for _, name := range sample.Templates() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := sha256.New()
			dump(t, name, sample.Options{Records: 3000, Seed: 14, Now: refDate}, func(b []byte) { h.Write(b) })
			got := fmt.Sprintf("%x\n", h.Sum(nil))
			file := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(file, []byte(got), 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "sample data of %s changed", name)
		})
	}
}
