package template

import (
	"context"
	"time"
)

// SampleData is a template's sample data: a generator that emits records
// in an order where every record comes after the records it refers to.
type SampleData struct {
	// Total is how many records Generate emits, for progress; 0 if unknown.
	Total int
	// Generate calls emit once per record and stops at its first error.
	Generate func(ctx context.Context, emit func(SampleRecord) error) error
}

// SampleRecord is one generated record.
type SampleRecord struct {
	Object string
	// Key names the record within the generated set ("" when nothing
	// refers to it). Lookup and multilookup values in Data are keys of
	// records emitted earlier; the engine puts their ids in.
	Key  string
	Data map[string]any
	// CreatedAt is when the record notionally came to be (sample data
	// spans months); zero means now.
	CreatedAt time.Time
	// Stages is the path the record took along its pipelines, oldest
	// first; for each pipeline field, the last step is the field's value
	// in Data. A pipeline field with a value and no steps entered it at
	// CreatedAt. Each step must be a move the pipeline allows.
	Stages []SampleStage
}

// SampleStage is one step of a sample record along a pipeline.
type SampleStage struct {
	Field string
	Stage string
	At    time.Time
}
