package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine has no recycle bin: it is tested over a real engine
// (recycle_test.go).

func (f *fakeEngine) RecycleBin(ctx context.Context, q engine.BinQuery) (*engine.BinPage, error) {
	return nil, fmt.Errorf("fake: no recycle bin")
}

func (f *fakeEngine) RestoreDeleted(ctx context.Context, ids []string) ([]engine.RestoreResult, error) {
	return nil, fmt.Errorf("fake: no recycle bin")
}

func (f *fakeEngine) PurgeDeleted(ctx context.Context, ids []string) (int, error) {
	return 0, fmt.Errorf("fake: no recycle bin")
}

func (f *fakeEngine) EmptyRecycleBin(ctx context.Context, object string) (int, error) {
	return 0, fmt.Errorf("fake: no recycle bin")
}

func (f *fakeEngine) RecycleRetention(ctx context.Context) (int, error) {
	return 0, fmt.Errorf("fake: no recycle bin")
}

func (f *fakeEngine) SetRecycleRetention(ctx context.Context, days int) (int, error) {
	return 0, fmt.Errorf("fake: no recycle bin")
}
