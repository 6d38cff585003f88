package engine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// fileObjects: deals with a contract (one PDF up to 1 KiB), photos (up
// to three images) and a private note field that the rep role cannot see.
var fileObjects = []string{
	`{"$id": "deal", "type": "object", "required": ["title"], "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "contract": {"type": "string", "x-crm-type": "file", "x-crm-file": {"maxSize": 1024, "accept": [".pdf"]}},
	  "photos": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "x-crm-type": "file", "x-crm-file": {"accept": ["image/*"]}},
	  "secretScan": {"type": "string", "x-crm-type": "file"}}}`,
	`{"$id": "lead", "type": "object", "x-crm-sharing": "private", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"}}}`,
}

var fileStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newFileTenant(t *testing.T, opts ...testkit.Option) (*testkit.Tenant, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(fileStart)
	opts = append([]testkit.Option{testkit.WithClock(clock), testkit.WithObjects(fileObjects...), testkit.WithOtherTenants("globex")}, opts...)
	return testkit.New(t, "acme", opts...), clock
}

// pdf is a small file that sniffs as a PDF.
var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// png is the signature and header of a PNG image.
var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 40)...)

func attach(t *testing.T, eng *engine.Engine, ctx context.Context, up engine.FileUpload, body []byte) (engine.Attachment, error) {
	t.Helper()
	up.Body = bytes.NewReader(body)
	return eng.Attach(ctx, up)
}

func readAttachment(t *testing.T, eng *engine.Engine, ctx context.Context, id string) (engine.Attachment, []byte) {
	t.Helper()
	at, rc, err := eng.OpenAttachment(ctx, id)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return at, b
}

func blobKeys(t *testing.T, tn *testkit.Tenant) []string {
	t.Helper()
	ts, err := tn.Store.Tenant(context.Background(), tn.ID)
	require.NoError(t, err)
	var keys []string
	require.NoError(t, ts.(store.Blobs).ListBlobs(context.Background(), "", func(b store.BlobInfo) error {
		keys = append(keys, b.Key)
		return nil
	}))
	return keys
}

func TestAttachments_GeneralAttachmentRoundTrip(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)

	body := []byte("<html><script>alert(1)</script></html>")
	at, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "..\\..\\etc/合同 草稿\u202egnp.html"}, body)
	require.NoError(t, err)
	assert.Equal(t, "合同 草稿gnp.html", at.Name, "the last path element, without the bidi override")
	assert.Equal(t, "text/html; charset=utf-8", at.ContentType, "sniffed from the bytes")
	sum := sha256.Sum256(body)
	assert.Equal(t, hex.EncodeToString(sum[:]), at.SHA256)
	assert.Equal(t, int64(len(body)), at.Size)
	assert.Equal(t, deal.ID, at.Record)
	assert.Equal(t, "user:test", at.Uploader)
	assert.Equal(t, "/files/"+at.ID, at.URL())

	got, b := readAttachment(t, eng, ctx, at.ID)
	assert.Equal(t, body, b)
	assert.Equal(t, at, got)
	list, err := eng.Attachments(ctx, "deal", deal.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, at.ID, list[0].ID)

	require.NoError(t, eng.DeleteAttachment(ctx, at.ID))
	_, _, err = eng.OpenAttachment(ctx, at.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	assert.Empty(t, blobKeys(t, tn), "the blob goes with the file")
	list, err = eng.Attachments(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestAttachments_Refusals(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t, testkit.WithConfig(func(c *engine.Config) { c.MaxFileBytes = 4096 }))
	eng, ctx := tn.Engine, tn.Admin
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)

	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "big.bin"}, make([]byte, 4097))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "over the server's limit")
	assert.Contains(t, engine.PublicMessage(err, "zh"), "超过")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "ok.bin"}, make([]byte, 4096))
	require.NoError(t, err, "the limit itself passes")

	big := append(append([]byte{}, pdf...), make([]byte, 1024)...)
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "c.pdf"}, big)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "over the field's limit")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "c.pdf"}, []byte("<html>not a pdf</html>"))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a .pdf whose bytes are HTML")
	assert.Contains(t, engine.PublicMessage(err, "en"), "text/html")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "c.png"}, png)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "not a .pdf")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "x.svg"}, []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "an SVG is not sniffed as an image")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "title", Name: "c.pdf"}, pdf)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "not a file field")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Name: "c.pdf"}, pdf)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "neither record nor field")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: "nope", Name: "c.pdf"}, pdf)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "crmAttachment", Record: "x", Name: "c.pdf"}, pdf)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "platform objects are not attachable")
	assert.Len(t, blobKeys(t, tn), 1, "nothing refused was kept")

	// The tenant's own rules.
	_, err = eng.SetFileSettings(ctx, engine.FileSettings{MaxBytes: 100, Accept: []string{".TXT"}})
	require.NoError(t, err)
	limits, err := eng.FileLimits(tn.As(engine.Actor{ID: "user:wang"}))
	require.NoError(t, err)
	assert.Equal(t, int64(100), limits.EffectiveMaxBytes)
	assert.Equal(t, int64(4096), limits.ServerMaxBytes)
	assert.Equal(t, []string{".txt"}, limits.Accept)
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "a.txt"}, make([]byte, 101))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "over the tenant's limit")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "a.pdf"}, pdf)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "not among the tenant's types")
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "a.txt"}, []byte("hello"))
	require.NoError(t, err)
	for _, bad := range []engine.FileSettings{{MaxBytes: 4097}, {MaxBytes: -1}, {Accept: []string{"pdf"}}, {Accept: []string{"../x"}}} {
		_, err = eng.SetFileSettings(ctx, bad)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "%+v", bad)
	}
	_, err = eng.SetFileSettings(tn.As(engine.Actor{ID: "user:wang"}), engine.FileSettings{})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
}

func TestAttachments_FileFields(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	other := tn.As(engine.Actor{ID: "user:li", Admin: true})

	contract, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "合同.pdf"}, pdf)
	require.NoError(t, err)
	assert.Empty(t, contract.Record, "pending until the record is saved")
	p1, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "a.png"}, png)
	require.NoError(t, err)
	p2, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "b.png"}, png)
	require.NoError(t, err)
	_, _, err = eng.OpenAttachment(other, contract.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a pending file is its uploader's")

	_, err = eng.CreateRecord(other, "deal", map[string]any{"title": "x", "contract": contract.ID})
	assert.Equal(t, map[string]string{"contract": "file"}, fieldErrors(t, err), "another user cannot take my pending file")
	_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "x", "contract": p1.ID})
	assert.Equal(t, map[string]string{"contract": "file"}, fieldErrors(t, err), "a file of another field")
	_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "x", "photos": []any{"nope"}})
	assert.Equal(t, map[string]string{"photos": "file"}, fieldErrors(t, err))

	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框", "contract": contract.ID, "photos": []any{p1.ID, p2.ID}})
	require.NoError(t, err)
	at, b := readAttachment(t, eng, other, contract.ID)
	assert.Equal(t, pdf, b, "the record's readers read its files")
	assert.Equal(t, deal.ID, at.Record)
	assert.Equal(t, "contract", at.Field)
	byID, err := eng.FilesByID(other, "deal", []string{contract.ID, p1.ID, p2.ID, "nope"})
	require.NoError(t, err)
	assert.Len(t, byID, 3)

	second, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "第二"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "deal", second.ID, map[string]any{"contract": contract.ID}, nil)
	assert.Equal(t, map[string]string{"contract": "file"}, fieldErrors(t, err), "another record's file")

	// Taking a file out of a field deletes it; DeleteAttachment of a
	// field's file takes it out of the field.
	_, err = eng.UpdateRecord(ctx, "deal", deal.ID, map[string]any{"photos": []any{p2.ID}}, nil)
	require.NoError(t, err)
	_, _, err = eng.OpenAttachment(ctx, p1.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	require.NoError(t, eng.DeleteAttachment(ctx, contract.ID))
	deal, err = eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.NotContains(t, deal.Data, "contract")
	assert.Equal(t, []any{p2.ID}, deal.Data["photos"])
	assert.Len(t, blobKeys(t, tn), 1, "only the kept photo's blob is left")
}

func TestAttachments_Permissions(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{
		"lead": {Read: true, Create: true, Update: true},
		"deal": {Read: true, Fields: map[string]string{"secretScan": engine.FieldHidden}},
	}}))
	for _, u := range []engine.NewUser{{Username: "wang"}, {Username: "li"}} {
		u.Role, u.Password = "rep", "a long enough password"
		_, err := eng.CreateUser(ctx, "acme", u)
		require.NoError(t, err)
	}
	wang := tn.As(engine.Actor{ID: "user:wang", Role: "rep"})
	li := tn.As(engine.Actor{ID: "user:li", Role: "rep"})
	lead, err := eng.CreateRecord(wang, "lead", map[string]any{"name": "王的线索"})
	require.NoError(t, err)
	at, err := attach(t, eng, wang, engine.FileUpload{Object: "lead", Record: lead.ID, Name: "名片.png"}, png)
	require.NoError(t, err)

	_, _, err = eng.OpenAttachment(li, at.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a private record's file is not found by others")
	_, err = eng.Attachments(li, "lead", lead.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteAttachment(li, at.ID)))
	_, err = attach(t, eng, li, engine.FileUpload{Object: "lead", Record: lead.ID, Name: "x.txt"}, []byte("x"))
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	globex := engine.WithActor(context.Background(), engine.Actor{TenantID: "globex", ID: "user:test", Admin: true})
	_, _, err = eng.OpenAttachment(globex, at.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another tenant's file id")

	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "d"})
	require.NoError(t, err)
	_, err = attach(t, eng, wang, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "x.txt"}, []byte("x"))
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "reading is not changing")
	scan, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "secretScan", Name: "scan.pdf"}, pdf)
	require.NoError(t, err)
	general, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "memo.txt"}, []byte("memo"))
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "deal", deal.ID, map[string]any{"secretScan": scan.ID}, nil)
	require.NoError(t, err)
	_, _, err = eng.OpenAttachment(wang, scan.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a hidden field's file")
	list, err := eng.Attachments(wang, "deal", deal.ID)
	require.NoError(t, err)
	require.Len(t, list, 1, "the hidden field's file is left out")
	assert.Equal(t, general.ID, list[0].ID)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteAttachment(wang, general.ID)))
	_, err = attach(t, eng, wang, engine.FileUpload{Object: "deal", Field: "secretScan", Name: "s.pdf"}, pdf)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a hidden field takes no upload")
}

func TestAttachments_Lifecycle(t *testing.T) {
	t.Parallel()
	tn, clock := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)
	at, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "a.txt"}, []byte("kept in the bin"))
	require.NoError(t, err)

	require.NoError(t, eng.DeleteRecord(ctx, "deal", deal.ID))
	_, _, err = eng.OpenAttachment(ctx, at.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a deleted record's files are out of reach")
	assert.Len(t, blobKeys(t, tn), 1, "the bin keeps them")
	res := restoreOne(t, eng, ctx, deal.ID)
	require.NoError(t, res.Err)
	_, b := readAttachment(t, eng, ctx, at.ID)
	assert.Equal(t, "kept in the bin", string(b), "a restore brings them back")

	require.NoError(t, eng.DeleteRecord(ctx, "deal", deal.ID))
	n, err := eng.PurgeDeleted(ctx, []string{deal.ID})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, blobKeys(t, tn), "a purge deletes them")

	// Expiry in the bin, erasure, a delete with the bin off.
	d2, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "2"})
	require.NoError(t, err)
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: d2.ID, Name: "b.txt"}, []byte("b"))
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "deal", d2.ID))
	clock.Advance(31 * 24 * time.Hour)
	_, err = worker.RunDue(context.Background(), eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Empty(t, blobKeys(t, tn), "expiry deletes them")

	d3, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "3"})
	require.NoError(t, err)
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: d3.ID, Name: "c.txt"}, []byte("c"))
	require.NoError(t, err)
	require.NoError(t, eng.ErasePersonalData(ctx, "deal", d3.ID))
	assert.Empty(t, blobKeys(t, tn), "erasure deletes them at once")

	_, err = eng.SetRecycleRetention(ctx, 0)
	require.NoError(t, err)
	d4, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "4"})
	require.NoError(t, err)
	_, err = attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: d4.ID, Name: "d.txt"}, []byte("d"))
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "deal", d4.ID))
	assert.Empty(t, blobKeys(t, tn), "a final delete deletes them")
}

func TestAttachments_SweepTakesAbandonedFiles(t *testing.T) {
	t.Parallel()
	tn, clock := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	pending, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "c.pdf"}, pdf)
	require.NoError(t, err)
	ts, err := tn.Store.Tenant(context.Background(), "acme")
	require.NoError(t, err)
	_, err = ts.(store.Blobs).PutBlob(context.Background(), "orphan", strings.NewReader("a failed upload's blob"))
	require.NoError(t, err)

	_, err = worker.RunDue(context.Background(), eng.Queues(), worker.Config{})
	require.NoError(t, err)
	assert.Len(t, blobKeys(t, tn), 2, "young blobs and pending files stay")

	clock.Advance(engine.PendingFileTTL + time.Hour)
	// The orphan's age is the file system's clock: it was written just
	// now, so the sweep leaves it until an hour has passed on that clock;
	// the pending file's description goes by the engine's.
	_, err = worker.RunDue(context.Background(), eng.Queues(), worker.Config{})
	require.NoError(t, err)
	_, _, err = eng.OpenAttachment(ctx, pending.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "an abandoned pending file goes")
}

func TestSanitizeFileName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", 200) + ".pdf"
	cases := map[string]string{
		"report.pdf":         "report.pdf",
		"../../etc/passwd":   "passwd",
		`C:\Users\a\合同.docx`: "合同.docx",
		"a\x00b\nc.txt":      "abc.txt",
		"  ..hidden  ":       "hidden",
		"":                   "file",
		"..":                 "file",
		`x<y>:"|?*.txt`:      "x_y______.txt",
		"evil\u202egpj.exe":  "evilgpj.exe",
	}
	for in, want := range cases {
		assert.Equal(t, want, engine.SanitizeFileName(in), "%q", in)
	}
	got := engine.SanitizeFileName(long)
	assert.LessOrEqual(t, len(got), engine.MaxFileNameBytes)
	assert.True(t, strings.HasSuffix(got, ".pdf"), "the extension is kept")
	assert.True(t, strings.HasPrefix(got, "长长"), "cut on a character boundary: %q", got[:6])
}

func TestAccepts(t *testing.T) {
	t.Parallel()
	assert.True(t, engine.Accepts([]string{".pdf"}, "a.PDF", "application/pdf"))
	assert.False(t, engine.Accepts([]string{".pdf"}, "a.pdf", "text/html; charset=utf-8"))
	assert.True(t, engine.Accepts([]string{"image/*"}, "a.bin", "image/png"))
	assert.False(t, engine.Accepts([]string{"image/*"}, "a.svg", "text/xml; charset=utf-8"))
	assert.True(t, engine.Accepts([]string{".dwg"}, "plan.dwg", "application/octet-stream"), "an unknown extension takes any type")
	assert.False(t, engine.Accepts([]string{".dwg"}, "plan.dwg", "text/html; charset=utf-8"), "but HTML")
	assert.True(t, engine.Accepts([]string{"application/pdf"}, "x", "application/pdf"))
}

func TestAttachments_TravelWithTheTenant(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框"})
	require.NoError(t, err)
	big := bytes.Repeat([]byte("0123456789abcdef"), 150_000) // 2.4 MB: three chunks
	at, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Record: deal.ID, Name: "大文件.bin"}, big)
	require.NoError(t, err)
	scan, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "合同.pdf"}, pdf)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "deal", deal.ID, map[string]any{"contract": scan.ID}, nil)
	require.NoError(t, err)

	var buf bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "acme", &buf)
	require.NoError(t, err)
	export := buf.Bytes()

	_, err = eng.ImportTenant(context.Background(), "copy", bytes.NewReader(export))
	require.NoError(t, err)
	copyCtx := engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:test", Admin: true})
	got, b := readAttachment(t, eng, copyCtx, at.ID)
	assert.Equal(t, big, b, "the bytes travel")
	assert.Equal(t, at.SHA256, got.SHA256)
	c, err := eng.GetRecord(copyCtx, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, scan.ID, c.Data["contract"])
	_, b = readAttachment(t, eng, copyCtx, scan.ID)
	assert.Equal(t, pdf, b)

	// A changed byte, a missing blob, a truncated file: refused, and no
	// blob is left behind.
	lines := strings.Split(strings.TrimSpace(string(export)), "\n")
	var tampered, missing []string
	for i, l := range lines {
		if strings.HasPrefix(l, `{"type":"chunk"`) && tampered == nil {
			tampered = append(append(append([]string{}, lines[:i]...), strings.Replace(l, `"bytes":"M`, `"bytes":"N`, 1)), lines[i+1:]...)
		}
		if !strings.HasPrefix(l, `{"type":"blob"`) && !strings.HasPrefix(l, `{"type":"chunk"`) {
			missing = append(missing, l)
		}
	}
	require.NotNil(t, tampered)
	for name, text := range map[string]string{
		"tampered":  strings.Join(tampered, "\n"),
		"missing":   strings.Join(missing, "\n"),
		"truncated": strings.Join(lines[:len(lines)-2], "\n"),
	} {
		_, err = eng.ImportTenant(context.Background(), "bad-"+name, strings.NewReader(text))
		require.Error(t, err, name)
		_, err = tn.Store.GetTenant(context.Background(), "bad-"+name)
		assert.ErrorIs(t, err, store.ErrNotFound, "%s: the tenant the import created is gone", name)
	}
}

func TestAttachments_ExportedByName(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	scan, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "contract", Name: "合同.pdf"}, pdf)
	require.NoError(t, err)
	p1, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "a.png"}, png)
	require.NoError(t, err)
	p2, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "b.png"}, png)
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框", "contract": scan.ID, "photos": []any{p1.ID, p2.ID}})
	require.NoError(t, err)
	var rows [][]any
	err = eng.ExportRecords(ctx, "deal", engine.ExportQuery{Columns: []string{"title", "contract", "photos"}},
		func(engine.ExportHeader) error { return nil }, func(r []any) error { rows = append(rows, r); return nil })
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"年框", "合同.pdf", "a.png、b.png"}}, rows, "a file field exports its files' names")
}

// Bulk writes (and the mass actions and imports that run on them) delete
// the blobs of the files their committed writes took out at once; a write
// undone under its savepoint, or a call rolled back, keeps its files.
func TestAttachments_BulkWritesDropBlobs(t *testing.T) {
	t.Parallel()
	tn, _ := newFileTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	photo := func() string {
		p, err := attach(t, eng, ctx, engine.FileUpload{Object: "deal", Field: "photos", Name: "p.png"}, png)
		require.NoError(t, err)
		return p.ID
	}
	kept, dropped, atomicKept := photo(), photo(), photo()
	a, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "a", "photos": []any{kept, dropped}})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "b", "photos": []any{atomicKept}})
	require.NoError(t, err)
	require.Len(t, blobKeys(t, tn), 3)

	res, err := eng.WriteRecords(ctx, "deal", []engine.BulkWrite{
		{Action: engine.BulkUpdate, ID: a.ID, Data: map[string]any{"photos": []any{kept}}},
		{Action: engine.BulkUpdate, ID: b.ID, Data: map[string]any{"photos": []any{}, "title": nil}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeUpdated, res[0].Outcome)
	assert.Equal(t, engine.OutcomeFailed, res[1].Outcome, "the title is required")
	assert.Len(t, blobKeys(t, tn), 2, "the committed write's photo went; the failed one's stayed")
	_, body := readAttachment(t, eng, ctx, atomicKept)
	assert.Equal(t, png, body)

	res, err = eng.WriteRecords(ctx, "deal", []engine.BulkWrite{
		{Action: engine.BulkUpdate, ID: b.ID, Data: map[string]any{"photos": []any{}}},
		{Action: engine.BulkUpdate, ID: a.ID, Data: map[string]any{"title": nil}},
	}, engine.BulkOptions{Atomic: true})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeNotApplied, res[0].Outcome)
	assert.Len(t, blobKeys(t, tn), 2, "an atomic call that failed keeps every file")
	_, body = readAttachment(t, eng, ctx, atomicKept)
	assert.Equal(t, png, body)

	// A write undone under its savepoint after its files were taken out
	// (its automation fails) keeps them.
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "check", "type": "object", "required": ["code"], "properties": {
	  "code": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "deal", "type": "object", "required": ["title"], "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "contract": {"type": "string", "x-crm-type": "file", "x-crm-file": {"maxSize": 1024, "accept": [".pdf"]}},
	  "photos": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "x-crm-type": "file", "x-crm-file": {"accept": ["image/*"]}},
	  "secretScan": {"type": "string", "x-crm-type": "file"}},
	  "x-crm-automations": [{"name": "broken", "trigger": {"event": "fieldChanged", "fields": ["title"]},
	    "actions": [{"type": "createRecord", "object": "check", "values": {}}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	res, err = eng.WriteRecords(ctx, "deal", []engine.BulkWrite{
		{Action: engine.BulkUpdate, ID: b.ID, Data: map[string]any{"photos": []any{}, "title": "renamed"}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeFailed, res[0].Outcome, "its automation's record misses its code")
	assert.Len(t, blobKeys(t, tn), 2, "the undone write kept its photo")
	_, body = readAttachment(t, eng, ctx, atomicKept)
	assert.Equal(t, png, body)
}
