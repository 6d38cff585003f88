package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine has no notification channels: they are tested over a
// real engine (channels_test.go).

func (f *fakeEngine) NotificationChannels(ctx context.Context) ([]engine.NotificationChannel, error) {
	return nil, fmt.Errorf("fake: no channels")
}

func (f *fakeEngine) SaveNotificationChannel(ctx context.Context, name string, in engine.ChannelInput) (engine.NotificationChannel, error) {
	return engine.NotificationChannel{}, fmt.Errorf("fake: no channels")
}

func (f *fakeEngine) TestNotificationChannel(ctx context.Context, name string, to engine.ChannelTest) error {
	return fmt.Errorf("fake: no channels")
}
