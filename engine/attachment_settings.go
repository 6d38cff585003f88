package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// fileSettingsID is the crmSetting record of the tenant's file rules.
const fileSettingsID = "fileRules"

// MaxAcceptEntries bounds an accept list.
const MaxAcceptEntries = 50

// FileSettings are a tenant's rules for attached files.
type FileSettings struct {
	// MaxBytes bounds one file; 0 takes the server's limit, and a value
	// above it is cut to it.
	MaxBytes int64 `json:"maxBytes,omitempty"`
	// Accept lists the extensions (".pdf") and content types ("image/*")
	// files may have where a file field does not say; empty takes any.
	Accept []string `json:"accept,omitempty"`
}

// FileLimits are the file rules in force for a tenant.
type FileLimits struct {
	FileSettings
	// ServerMaxBytes is the server's bound, above any tenant's.
	ServerMaxBytes int64 `json:"serverMaxBytes"`
	// EffectiveMaxBytes is the smaller of the tenant's and the server's.
	EffectiveMaxBytes int64 `json:"effectiveMaxBytes"`
}

// acceptEntry is what an accept list's entry looks like (the same rule as
// x-crm-file's in the meta-schema).
var acceptEntry = regexp.MustCompile(`^(\.[a-z0-9]{1,16}|[a-z]+/(\*|[a-z0-9][a-z0-9.+-]{0,100}))$`)

func fileSettingsIn(ctx context.Context, r store.Reader, settings *schema.Object) (FileSettings, error) {
	var fs FileSettings
	if settings == nil {
		return fs, nil
	}
	rec, err := r.Get(ctx, settings, fileSettingsID)
	if errors.Is(err, store.ErrNotFound) {
		return fs, nil
	} else if err != nil {
		return fs, fmt.Errorf("read the tenant's file rules: %w", err)
	}
	text, _ := rec.Data["value"].(string)
	if err := json.Unmarshal([]byte(text), &fs); err != nil {
		return FileSettings{}, nil // a value no API writes: the defaults hold
	}
	return fs, nil
}

// FileLimits returns the tenant's file rules with the server's bound. Any
// signed-in caller may read them (forms show them).
func (e *Engine) FileLimits(ctx context.Context) (FileLimits, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return FileLimits{}, err
	}
	fs, err := fileSettingsIn(ctx, sc.ts, sc.snap.platform[settingObject])
	if err != nil {
		return FileLimits{}, err
	}
	return e.fileLimits(fs), nil
}

func (e *Engine) fileLimits(fs FileSettings) FileLimits {
	l := FileLimits{FileSettings: fs, ServerMaxBytes: e.maxFileBytes, EffectiveMaxBytes: e.maxFileBytes}
	if fs.MaxBytes > 0 && fs.MaxBytes < l.EffectiveMaxBytes {
		l.EffectiveMaxBytes = fs.MaxBytes
	}
	if l.Accept == nil {
		l.Accept = []string{}
	}
	return l
}

// SetFileSettings stores the tenant's file rules: a size limit from 1
// byte to the server's (0: the server's) and at most MaxAcceptEntries
// extensions or content types. Administrators only; audited as a
// metadata change.
func (e *Engine) SetFileSettings(ctx context.Context, fs FileSettings) (FileLimits, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return FileLimits{}, err
	}
	if !sc.actor.Admin {
		return FileLimits{}, errorOf(ErrForbidden, nil, "file.adminOnlySettings")
	}
	if fs.MaxBytes < 0 || fs.MaxBytes > e.maxFileBytes {
		return FileLimits{}, errorOf(ErrBadRequest, nil, "file.limitRange", fs.MaxBytes, e.maxFileBytes)
	}
	if len(fs.Accept) > MaxAcceptEntries {
		return FileLimits{}, errorOf(ErrBadRequest, nil, "file.acceptTooLong", MaxAcceptEntries)
	}
	accept := make([]string, 0, len(fs.Accept))
	for _, a := range fs.Accept {
		a = strings.ToLower(strings.TrimSpace(a))
		if !acceptEntry.MatchString(a) {
			return FileLimits{}, errorOf(ErrBadRequest, nil, "file.badAccept", a)
		}
		accept = append(accept, a)
	}
	fs.Accept = accept
	settings, err := e.platformObject(ctx, sc.ts, sc.snap, settingObject)
	if err != nil {
		return FileLimits{}, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return FileLimits{}, err
	}
	text, err := json.Marshal(fs)
	if err != nil {
		return FileLimits{}, err
	}
	now := e.stamp()
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		old, err := fileSettingsIn(ctx, tx, settings)
		if err != nil {
			return err
		}
		oldText, _ := json.Marshal(old)
		cur, err := tx.Get(ctx, settings, fileSettingsID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.Insert(ctx, settings, store.Record{ID: fileSettingsID, Version: 1, CreatedAt: now, UpdatedAt: now,
				CreatedBy: sc.actor.ID, UpdatedBy: sc.actor.ID, Data: map[string]any{"value": string(text)}})
		case err == nil:
			next := cur
			next.Data = map[string]any{"value": string(text)}
			next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, now, sc.actor.ID
			err = tx.Update(ctx, settings, next, cur.Version)
		}
		if err != nil {
			return fmt.Errorf("store the tenant's file rules: %w", err)
		}
		return w.auditAs(ctx, tx, AuditMetadata, settingObject, fileSettingsID, 0,
			map[string]any{"fileRules": map[string]any{"old": string(oldText), "new": string(text)}})
	})
	if err != nil {
		return FileLimits{}, err
	}
	return e.fileLimits(fs), nil
}
