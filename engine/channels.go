package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/usage"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// A tenant's external notification channels (e-mail over SMTP and the
// WeCom, DingTalk and Feishu group robots) are set by its administrators
// and kept in the platform object crmChannel, one record per channel
// named for it. The robot's address (it holds the robot's key or token),
// the signing secret and the SMTP password are sensitive fields: sealed
// with the tenant's key like any sensitive field, opened only for the
// worker that sends, never returned to clients (the address comes back
// masked, the secrets as "is set"). Outbox entries of kind "deliver" are
// sent through these settings by the worker (package worker, deliver.go)
// with a [worker.Sender] (package internal/channel).

const channelObject = "crmChannel"

// Bounds of a channel's settings.
const (
	maxChannelText  = 2000 // bytes of an address, secret, host, user or name
	channelTestWait = 20 * time.Second
)

// NotificationChannel is a channel's setting as administrators see it:
// secrets never, the robot's address masked.
type NotificationChannel struct {
	Channel    string
	Configured bool // saved at least once
	Enabled    bool
	Kinds      []string
	Language   string
	AppURL     string
	Format     string
	// URLMasked is the robot's address with its key or token hidden.
	URLMasked   string
	SecretSet   bool
	SMTPHost    string
	SMTPPort    int
	SMTPTLS     string
	SMTPUser    string
	PasswordSet bool
	From        string
	FromName    string
	UpdatedAt   string
	UpdatedBy   string
}

// ChannelInput changes a channel's setting: nil fields keep their value.
// For URL, Secret and SMTPPassword an empty string clears the value.
type ChannelInput struct {
	Enabled      *bool
	Kinds        *[]string
	Language     *string
	AppURL       *string
	Format       *string
	URL          *string
	Secret       *string
	SMTPHost     *string
	SMTPPort     *int
	SMTPTLS      *string
	SMTPUser     *string
	SMTPPassword *string
	From         *string
	FromName     *string
}

// channelAdmin resolves an administrator's call about channels.
func (e *Engine) channelAdmin(ctx context.Context) (scope, *schema.Object, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return scope{}, nil, err
	}
	if !sc.actor.Admin {
		return scope{}, nil, errorOf(ErrForbidden, nil, "channel.adminOnly")
	}
	obj, err := e.platformObject(ctx, sc.ts, sc.snap, channelObject)
	if err != nil {
		return scope{}, nil, fmt.Errorf("channel settings: %w", err)
	}
	return sc, obj, nil
}

func checkChannelName(name string) error {
	if !slices.Contains(worker.Channels, name) {
		return errorOf(ErrBadRequest, nil, "channel.unknown", name, strings.Join(worker.Channels, ", "))
	}
	return nil
}

// NotificationChannels lists the settings of every channel, in the order
// of [worker.Channels]; administrators only.
func (e *Engine) NotificationChannels(ctx context.Context) ([]NotificationChannel, error) {
	sc, obj, err := e.channelAdmin(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := sc.ts.GetMany(ctx, obj, worker.Channels)
	if err != nil {
		return nil, fmt.Errorf("read channel settings: %w", err)
	}
	byID := map[string]store.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	out := make([]NotificationChannel, len(worker.Channels))
	for i, name := range worker.Channels {
		if r, ok := byID[name]; ok {
			out[i] = channelView(r)
		} else {
			out[i] = NotificationChannel{Channel: name, Language: "zh", Format: "text", SMTPTLS: "starttls", Kinds: []string{}}
		}
	}
	return out, nil
}

// SaveNotificationChannel changes a channel's setting and returns it; a
// setting that would not work (a bad address, an unknown kind, e-mail
// without a sender) is refused whole, nothing saved. Administrators only;
// audited without the secrets.
func (e *Engine) SaveNotificationChannel(ctx context.Context, name string, in ChannelInput) (NotificationChannel, error) {
	if err := checkChannelName(name); err != nil {
		return NotificationChannel{}, err
	}
	sc, obj, err := e.channelAdmin(ctx)
	if err != nil {
		return NotificationChannel{}, err
	}
	if e.sealer == nil {
		return NotificationChannel{}, errorOf(ErrNoKey, nil, "channel.noKey")
	}
	if err := e.ensureKeyCheck(ctx, sc.ts, sc.snap, sc.actor.TenantID); err != nil {
		return NotificationChannel{}, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return NotificationChannel{}, err
	}
	var saved store.Record
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Get(ctx, obj, name)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read channel %s: %w", name, err)
		}
		data := map[string]any{"language": "zh", "format": "text", "smtpTls": "starttls", "enabled": false, "kinds": []any{}}
		if exists {
			data = cloneMap(cur.Data)
		}
		changed, err := applyChannelInput(data, in)
		if err != nil {
			return err
		}
		if err := checkChannelData(name, data); err != nil {
			return err
		}
		now := e.stamp()
		next := store.Record{ID: name, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: data}
		if exists {
			next.Version, next.CreatedAt, next.CreatedBy = cur.Version+1, cur.CreatedAt, cur.CreatedBy
			err = tx.Update(ctx, obj, next, cur.Version)
		} else {
			err = tx.Insert(ctx, obj, next)
		}
		if err != nil {
			return fmt.Errorf("save channel %s: %w", name, err)
		}
		saved = next
		return w.auditAs(ctx, tx, AuditMetadata, channelObject, name, next.Version, changed)
	})
	if err != nil {
		return NotificationChannel{}, err
	}
	return channelView(saved), nil
}

// applyChannelInput sets the given fields of in on data and returns what
// changed, secrets masked, for the audit trail.
func applyChannelInput(data map[string]any, in ChannelInput) (map[string]any, error) {
	changed := map[string]any{}
	set := func(key string, v *string, secret bool) error {
		if v == nil {
			return nil
		}
		s := strings.TrimSpace(*v)
		if len(s) > maxChannelText {
			return errorOf(ErrBadRequest, nil, "channel.tooLong", key, maxChannelText)
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			return errorOf(ErrBadRequest, nil, "channel.lineBreak", key)
		}
		old, _ := data[key].(string)
		if old == s {
			return nil
		}
		if s == "" {
			delete(data, key)
		} else {
			data[key] = s
		}
		if secret {
			changed[key] = map[string]any{"old": maskedIf(old), "new": maskedIf(s)}
		} else {
			changed[key] = map[string]any{"old": old, "new": s}
		}
		return nil
	}
	for _, f := range []struct {
		key    string
		v      *string
		secret bool
	}{
		{"language", in.Language, false}, {"appUrl", in.AppURL, false}, {"format", in.Format, false},
		{"url", in.URL, true}, {"secret", in.Secret, true},
		{"smtpHost", in.SMTPHost, false}, {"smtpTls", in.SMTPTLS, false}, {"smtpUser", in.SMTPUser, false},
		{"smtpPassword", in.SMTPPassword, true}, {"from", in.From, false}, {"fromName", in.FromName, false},
	} {
		if err := set(f.key, f.v, f.secret); err != nil {
			return nil, err
		}
	}
	if in.Enabled != nil && data["enabled"] != *in.Enabled {
		changed["enabled"] = map[string]any{"old": data["enabled"], "new": *in.Enabled}
		data["enabled"] = *in.Enabled
	}
	if in.SMTPPort != nil {
		if *in.SMTPPort < 0 || *in.SMTPPort > 65535 {
			return nil, errorOf(ErrBadRequest, nil, "channel.badPort", *in.SMTPPort)
		}
		old, _ := data["smtpPort"].(float64)
		if *in.SMTPPort == 0 {
			delete(data, "smtpPort")
		} else {
			data["smtpPort"] = float64(*in.SMTPPort)
		}
		if int(old) != *in.SMTPPort {
			changed["smtpPort"] = map[string]any{"old": old, "new": float64(*in.SMTPPort)}
		}
	}
	if in.Kinds != nil {
		if len(*in.Kinds) > len(NoticeKinds) {
			return nil, errorOf(ErrBadRequest, nil, "channel.badKind", fmt.Sprint(*in.Kinds), strings.Join(NoticeKinds, ", "))
		}
		kinds := make([]any, 0, len(*in.Kinds))
		for _, k := range *in.Kinds {
			if !slices.Contains(NoticeKinds, k) {
				return nil, errorOf(ErrBadRequest, nil, "channel.badKind", k, strings.Join(NoticeKinds, ", "))
			}
			if !slices.Contains(kinds, any(k)) {
				kinds = append(kinds, k)
			}
		}
		old, _ := data["kinds"].([]any)
		if old == nil {
			old = []any{}
		}
		if !slices.Equal(old, kinds) {
			changed["kinds"] = map[string]any{"old": old, "new": kinds}
		}
		data["kinds"] = kinds
	}
	return changed, nil
}

func maskedIf(s string) string {
	if s == "" {
		return ""
	}
	return maskedValue
}

// checkChannelData refuses a setting that cannot work.
func checkChannelData(name string, data map[string]any) error {
	s := func(k string) string { v, _ := data[k].(string); return v }
	switch lang := s("language"); lang {
	case "zh", "en", "both":
	default:
		return errorOf(ErrBadRequest, nil, "channel.badLanguage", lang)
	}
	if u := s("appUrl"); u != "" {
		if err := checkWebURL(u); err != nil {
			return errorOf(ErrBadRequest, err, "channel.badAppURL", u)
		}
	}
	enabled, _ := data["enabled"].(bool)
	if name == worker.ChannelEmail {
		switch tls := s("smtpTls"); tls {
		case "starttls", "tls", "none":
		default:
			return errorOf(ErrBadRequest, nil, "channel.badTLS", tls)
		}
		if from := s("from"); from != "" {
			a, err := mail.ParseAddress(from)
			if err != nil || a.Address != from {
				return errorOf(ErrBadRequest, err, "channel.badFrom", from)
			}
		}
		if h := s("smtpHost"); h != "" && (strings.ContainsAny(h, "/:@ ") || strings.Trim(h, ".") == "") {
			return errorOf(ErrBadRequest, nil, "channel.badHost", h)
		}
		if s("smtpTls") == "none" && s("smtpUser") != "" {
			return errorOf(ErrBadRequest, nil, "channel.plainAuth")
		}
		if enabled && (s("smtpHost") == "" || s("from") == "") {
			return errorOf(ErrBadRequest, nil, "channel.emailIncomplete")
		}
		return nil
	}
	switch f := s("format"); f {
	case "text", "markdown":
	default:
		return errorOf(ErrBadRequest, nil, "channel.badFormat", f)
	}
	if u := s("url"); u != "" {
		if err := checkRobotURL(name, u); err != nil {
			return err
		}
	}
	if enabled && s("url") == "" {
		return errorOf(ErrBadRequest, nil, "channel.robotIncomplete", name)
	}
	return nil
}

// checkWebURL accepts an absolute http(s) address without user
// information.
func checkWebURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return errors.New("not an absolute http(s) address without user information")
	}
	return nil
}

// checkRobotURL accepts a robot's webhook address that holds what the
// service needs: WeCom's key, DingTalk's access_token, Feishu's hook
// token in the path.
func checkRobotURL(name, raw string) error {
	if err := checkWebURL(raw); err != nil {
		return errorOf(ErrBadRequest, err, "channel.badURL", name)
	}
	u, _ := url.Parse(raw)
	var missing string
	switch name {
	case worker.ChannelWeCom:
		if u.Query().Get("key") == "" {
			missing = "key"
		}
	case worker.ChannelDingTalk:
		if u.Query().Get("access_token") == "" {
			missing = "access_token"
		}
	case worker.ChannelFeishu:
		if i := strings.LastIndex(u.Path, "/hook/"); i < 0 || len(u.Path) <= i+len("/hook/") {
			missing = "/hook/<token>"
		}
	}
	if missing != "" {
		return errorOf(ErrBadRequest, nil, "channel.urlMissing", name, missing)
	}
	return nil
}

// maskURL hides a robot address's key or token: every query value and a
// long last path segment keep only their last 4 characters.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return maskedValue
	}
	hide := func(s string) string {
		if len(s) <= 8 {
			return maskedValue
		}
		return maskedValue + s[len(s)-4:]
	}
	q := u.Query()
	for k, vs := range q {
		for i := range vs {
			vs[i] = hide(vs[i])
		}
		q[k] = vs
	}
	out := u.Scheme + "://" + u.Host
	segs := strings.Split(u.Path, "/")
	if last := segs[len(segs)-1]; len(last) > 16 {
		segs[len(segs)-1] = hide(last)
	}
	out += strings.Join(segs, "/")
	if len(q) > 0 {
		parts := make([]string, 0, len(q))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range q {
				if !yield(k) {
					return
				}
			}
		}) {
			for _, v := range q[k] {
				parts = append(parts, k+"="+v)
			}
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// channelView is a stored setting as administrators see it.
func channelView(r store.Record) NotificationChannel {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	c := NotificationChannel{Channel: r.ID, Configured: true, Language: s("language"), AppURL: s("appUrl"), Format: s("format"),
		SecretSet: s("secret") != "", SMTPHost: s("smtpHost"), SMTPTLS: s("smtpTls"), SMTPUser: s("smtpUser"),
		PasswordSet: s("smtpPassword") != "", From: s("from"), FromName: s("fromName"),
		UpdatedAt: r.UpdatedAt.UTC().Format(schema.DateTimeLayout), UpdatedBy: r.UpdatedBy, Kinds: kindsOf(r.Data)}
	c.Enabled, _ = r.Data["enabled"].(bool)
	if n, ok := r.Data["smtpPort"].(float64); ok {
		c.SMTPPort = int(n)
	}
	if u := s("url"); u != "" {
		c.URLMasked = maskURL(u)
	}
	return c
}

func kindsOf(data map[string]any) []string {
	list, _ := data["kinds"].([]any)
	out := make([]string, 0, len(list))
	for _, k := range list {
		if s, ok := k.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// channelConfig is a stored setting as the sender needs it, secrets open.
func channelConfig(r store.Record) worker.ChannelConfig {
	s := func(k string) string { v, _ := r.Data[k].(string); return v }
	c := worker.ChannelConfig{Channel: r.ID, Kinds: kindsOf(r.Data), Language: s("language"), AppURL: s("appUrl"),
		URL: s("url"), Secret: s("secret"), Format: s("format"),
		SMTPHost: s("smtpHost"), SMTPTLS: s("smtpTls"), SMTPUser: s("smtpUser"), SMTPPassword: s("smtpPassword"),
		From: s("from"), FromName: s("fromName")}
	c.Enabled, _ = r.Data["enabled"].(bool)
	if n, ok := r.Data["smtpPort"].(float64); ok {
		c.SMTPPort = int(n)
	}
	return c
}

// readChannel reads a channel's setting for sending: [worker.ErrChannelOff]
// when none is saved or it is switched off.
func (e *Engine) readChannel(ctx context.Context, ts store.TenantStore, snap *snapshot, name string) (worker.ChannelConfig, error) {
	obj := snap.platform[channelObject]
	if obj == nil {
		return worker.ChannelConfig{}, worker.ErrChannelOff
	}
	r, err := ts.Get(ctx, obj, name)
	if errors.Is(err, store.ErrNotFound) {
		return worker.ChannelConfig{}, worker.ErrChannelOff
	}
	if err != nil {
		return worker.ChannelConfig{}, fmt.Errorf("read channel %s: %w", name, err)
	}
	c := channelConfig(r)
	if !c.Enabled {
		return c, worker.ErrChannelOff
	}
	return c, nil
}

// ChannelTest is where a test message goes: an e-mail address for the
// e-mail channel; a mobile number to mention, optional, for the robots.
type ChannelTest struct {
	Email  string
	Mobile string
}

// TestNotificationChannel sends a test message through a channel's saved
// setting now (switched off or not) and reports the service's answer as
// the error; administrators only. Counted in usage like deliveries.
func (e *Engine) TestNotificationChannel(ctx context.Context, name string, to ChannelTest) error {
	if err := checkChannelName(name); err != nil {
		return err
	}
	sc, obj, err := e.channelAdmin(ctx)
	if err != nil {
		return err
	}
	if e.channels == nil {
		return errorOf(ErrBadRequest, nil, "channel.noSender")
	}
	r, err := sc.ts.Get(ctx, obj, name)
	if errors.Is(err, store.ErrNotFound) {
		return errorOf(ErrBadRequest, nil, "channel.notConfigured", name)
	}
	if err != nil {
		return fmt.Errorf("read channel %s: %w", name, err)
	}
	cfg := channelConfig(r)
	to.Email, to.Mobile = strings.TrimSpace(to.Email), strings.TrimSpace(to.Mobile)
	if name == worker.ChannelEmail {
		a, err := mail.ParseAddress(to.Email)
		if err != nil || a.Address != to.Email {
			return errorOf(ErrBadRequest, err, "channel.badTestEmail", to.Email)
		}
	} else if cfg.URL == "" {
		return errorOf(ErrBadRequest, nil, "channel.robotIncomplete", name)
	}
	if to.Mobile != "" && !isMobile(to.Mobile) {
		return errorOf(ErrBadRequest, nil, "channel.badTestMobile", to.Mobile)
	}
	note := worker.Note{ID: "test-" + e.newID(), Kind: "system",
		To:        worker.Person{User: sc.actor.ID, Name: sc.actor.ID, Email: to.Email, Mobile: to.Mobile},
		MessageZh: "这是一条来自 CRM 的测试消息：通知渠道设置可用。", MessageEn: "This is a test message from the CRM: the channel's settings work."}
	tctx, cancel := context.WithTimeout(ctx, channelTestWait)
	defer cancel()
	err = e.channels.Send(tctx, cfg, note)
	e.noteChannelSend(sc.actor.TenantID, err)
	if err != nil {
		return errorOf(ErrBadRequest, err, "channel.testFailed", name, err.Error())
	}
	return nil
}

// isMobile accepts a mobile number as robots mention it: digits, an
// optional leading +, 5 to 20 characters.
func isMobile(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '+' && i == 0) {
			return false
		}
	}
	return true
}

// noteChannelSend counts a message sent, or failed, on a channel.
func (e *Engine) noteChannelSend(tenant string, err error) {
	if err != nil {
		e.usage.Add(tenant, usage.ChannelFailures, 1)
		return
	}
	e.usage.Add(tenant, usage.ChannelSent, 1)
}

// withoutChannelSecrets is a channel's stored setting without its robot
// address, signing secret and SMTP password, switched off: what an export
// without secrets holds.
func withoutChannelSecrets(data map[string]any) map[string]any {
	out := maps.Clone(data)
	for _, k := range []string{"url", "secret", "smtpPassword"} {
		delete(out, k)
	}
	out["enabled"] = false
	return out
}
