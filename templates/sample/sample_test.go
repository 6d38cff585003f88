package sample_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/templates/sample"
)

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// Names follow surname frequency: the commonest surnames lead, as in the
// population.
func TestGenerate_SurnamesByFrequency(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	total := 0
	err := sample.Generate(context.Background(), "finance", sample.Options{Records: 3000, Seed: 1, Now: refDate}, func(r sample.Record) error {
		if r.Object == "client" {
			name := r.Data["name"].(string)
			counts[string([]rune(name)[:1])]++
			total++
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, total, 200)
	top := counts["王"] + counts["李"] + counts["张"]
	// 王李张 are 21% of people and 27% of those with the hundred commonest
	// surnames, which the generator draws from.
	assert.InDelta(t, 0.27, float64(top)/float64(total), 0.05)
	assert.Greater(t, counts["王"], counts["郭"])
}

// Dates fall within the two years before the reference date, more of them
// recent.
func TestGenerate_DatesSpanTwoYears(t *testing.T) {
	t.Parallel()
	var early, late int
	err := sample.Generate(context.Background(), "b2b-sales", sample.Options{Records: 3000, Seed: 5, Now: refDate}, func(r sample.Record) error {
		if r.Object != "account" {
			return nil
		}
		assert.False(t, r.CreatedAt.After(refDate), "created %v", r.CreatedAt)
		assert.True(t, r.CreatedAt.After(refDate.AddDate(-2, 0, -2)), "created %v", r.CreatedAt)
		if r.CreatedAt.Before(refDate.AddDate(-1, 0, 0)) {
			early++
		} else {
			late++
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, late, early, "the business grows")
	assert.Greater(t, early, 0)
}

func TestGenerate_UnknownTemplate(t *testing.T) {
	t.Parallel()
	err := sample.Generate(context.Background(), "nope", sample.Options{}, func(sample.Record) error { return nil })
	require.Error(t, err)
	assert.False(t, sample.Has("nope"))
	assert.Len(t, sample.Templates(), 7)
}

func TestGenerate_StopsOnError(t *testing.T) {
	t.Parallel()
	n := 0
	err := sample.Generate(context.Background(), "retail", sample.Options{Records: 500}, func(sample.Record) error {
		n++
		if n == 10 {
			return context.Canceled
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 10, n)
}

// BenchmarkGenerate measures generation alone, per template, at 10,000
// records an iteration.
func BenchmarkGenerate(b *testing.B) {
	for _, name := range sample.Templates() {
		b.Run(name, func(b *testing.B) {
			records := 0
			for b.Loop() {
				err := sample.Generate(context.Background(), name, sample.Options{Records: 10_000, Seed: 1, Now: refDate}, func(sample.Record) error {
					records++
					return nil
				})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// Every generator finishes at a large size with unique company names: a
// city's and trade's names running out once made one loop.
func TestGenerate_LargeSizesFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 100,000 records per template")
	}
	t.Parallel()
	for _, name := range sample.Templates() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			companies := map[string]bool{}
			n := 0
			err := sample.Generate(context.Background(), name, sample.Options{Records: 100_000, Seed: 9, Now: refDate}, func(r sample.Record) error {
				n++
				if r.Object == "account" || r.Object == "customer" || r.Object == "distributor" {
					c := r.Data["name"].(string)
					assert.False(t, companies[c], c)
					companies[c] = true
				}
				return nil
			})
			require.NoError(t, err)
			assert.InDelta(t, 100_000, n, 20_000)
		})
	}
}

// Travel styles suit the traveller's age: no child travels for a
// honeymoon.
func TestGenerate_TravelStylesByAge(t *testing.T) {
	t.Parallel()
	children := 0
	err := sample.Generate(context.Background(), "tourism", sample.Options{Records: 3000, Seed: 2, Now: refDate}, func(r sample.Record) error {
		if r.Object != "traveller" {
			return nil
		}
		birth, err := time.Parse(time.DateOnly, r.Data["birthDate"].(string))
		require.NoError(t, err)
		if birth.AddDate(18, 0, 0).After(refDate) {
			children++
			assert.NotContains(t, r.Data["travelStyles"], "honeymoon", "a child born %s", birth.Format(time.DateOnly))
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, children, 10)
}
