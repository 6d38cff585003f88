package graphql_test

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/engine"
)

// The fake engine has no inbox: it is tested over a real engine
// (notifications_test.go).

func (f *fakeEngine) MyNotifications(ctx context.Context, unreadOnly bool, first int, after string) (engine.NoticePage, error) {
	return engine.NoticePage{}, fmt.Errorf("fake: no inbox")
}

func (f *fakeEngine) UnreadNotificationCount(ctx context.Context) (int, error) {
	return 0, fmt.Errorf("fake: no inbox")
}

func (f *fakeEngine) MarkNotificationsRead(ctx context.Context, ids []string, all bool) (int, error) {
	return 0, fmt.Errorf("fake: no inbox")
}

func (f *fakeEngine) NotificationPreferences(ctx context.Context) ([]engine.NotificationPreference, error) {
	return nil, fmt.Errorf("fake: no inbox")
}

func (f *fakeEngine) SetNotificationPreferences(ctx context.Context, prefs []engine.NotificationPreference) ([]engine.NotificationPreference, error) {
	return nil, fmt.Errorf("fake: no inbox")
}

func (f *fakeEngine) UpdateMyContact(ctx context.Context, email, mobile *string) (engine.User, error) {
	return engine.User{}, fmt.Errorf("fake: no inbox")
}
