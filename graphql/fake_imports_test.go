package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
)

// The fake engine has no uploads: the imports are tested over a real
// engine (imports_test.go).

func (f *fakeEngine) DescribeImportUpload(ctx context.Context, id, object string) (*engine.ImportUploadInfo, error) {
	return nil, fmt.Errorf("fake: no uploads")
}

func (f *fakeEngine) ImportUpload(ctx context.Context, id string) (*engine.ImportUpload, error) {
	return nil, fmt.Errorf("fake: no uploads")
}

func (f *fakeEngine) SuggestImportColumns(ctx context.Context, object string, header []string) ([]importvalue.Column, error) {
	return nil, fmt.Errorf("fake: no uploads")
}

func (f *fakeEngine) PreviewImport(ctx context.Context, object string, table engine.ImportTable, spec engine.ImportSpec, first int) ([]engine.ImportPreviewRow, error) {
	return nil, fmt.Errorf("fake: no uploads")
}

func (f *fakeEngine) StartImport(ctx context.Context, uploadID, object string, spec engine.ImportSpec) (engine.Job, error) {
	return engine.Job{}, fmt.Errorf("fake: no uploads")
}

func (f *fakeEngine) ImportResult(ctx context.Context, jobID string) (*engine.ImportResult, error) {
	return nil, fmt.Errorf("fake: no jobs")
}

func (f *fakeEngine) SaveImportMapping(ctx context.Context, m engine.ImportMapping, shared bool) (engine.ImportMapping, error) {
	return engine.ImportMapping{}, fmt.Errorf("fake: no mappings")
}

func (f *fakeEngine) ImportMappings(ctx context.Context, object string) ([]engine.ImportMapping, error) {
	return nil, fmt.Errorf("fake: no mappings")
}

func (f *fakeEngine) ImportMappingSpec(ctx context.Context, id, object string, header []string) (engine.ImportSpec, error) {
	return engine.ImportSpec{}, fmt.Errorf("fake: no mappings")
}

func (f *fakeEngine) DeleteImportMapping(ctx context.Context, id string) error {
	return fmt.Errorf("fake: no mappings")
}
