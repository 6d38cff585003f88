package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine keeps no files: they are tested over a real engine
// (files_test.go).

func (f *fakeEngine) Attachments(ctx context.Context, object, id string) ([]engine.Attachment, error) {
	return nil, fmt.Errorf("fake: no files")
}

func (f *fakeEngine) FilesByID(ctx context.Context, object string, ids []string) (map[string]engine.Attachment, error) {
	return nil, fmt.Errorf("fake: no files")
}

func (f *fakeEngine) DeleteAttachment(ctx context.Context, id string) error {
	return fmt.Errorf("fake: no files")
}

func (f *fakeEngine) FileLimits(ctx context.Context) (engine.FileLimits, error) {
	return engine.FileLimits{}, fmt.Errorf("fake: no files")
}

func (f *fakeEngine) SetFileSettings(ctx context.Context, fs engine.FileSettings) (engine.FileLimits, error) {
	return engine.FileLimits{}, fmt.Errorf("fake: no files")
}
