package install_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"hash/crc32"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/templates/install"
)

// A template laid out as files and packed as a zip reads back as the same
// template.
func TestFiles_ZipRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"b2b-sales", "retail", "healthcare"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tpl, err := install.Template(name)
			require.NoError(t, err)
			tpl.Name = "copy-of-" + name
			files, err := install.Files(tpl, "shop")
			require.NoError(t, err)
			assert.Equal(t, "manifest.json", files[0].Path)
			archive, err := install.Zip(files, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			back, err := install.FromZip(bytes.NewReader(archive), int64(len(archive)))
			require.NoError(t, err)
			assert.Equal(t, tpl.Name, back.Name)
			assert.Equal(t, tpl.Version, back.Version)
			assert.Equal(t, "shop 的配置", back.Label.Zh)
			compact := func(docs []json.RawMessage) []string {
				out := make([]string, len(docs))
				for i, d := range docs {
					var b bytes.Buffer
					require.NoError(t, json.Compact(&b, d))
					out[i] = b.String()
				}
				return out
			}
			assert.ElementsMatch(t, compact(tpl.Objects), compact(back.Objects))
			assert.ElementsMatch(t, compact(tpl.Roles), compact(back.Roles))
			assert.ElementsMatch(t, compact(tpl.Layouts), compact(back.Layouts))
			assert.ElementsMatch(t, compact(tpl.Views), compact(back.Views))
		})
	}
}

// An archive that would unpack beyond the bounds is refused before any of
// it is read, and one whose header understates a file fails on reading.
func TestFromZip_Bounds(t *testing.T) {
	t.Parallel()
	raw := func(declared uint64, content []byte) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		var packed bytes.Buffer
		fw, err := flate.NewWriter(&packed, flate.BestCompression)
		require.NoError(t, err)
		_, err = fw.Write(content)
		require.NoError(t, err)
		require.NoError(t, fw.Close())
		h := &zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
			CompressedSize64: uint64(packed.Len()), UncompressedSize64: declared}
		out, err := w.CreateRaw(h)
		require.NoError(t, err)
		_, err = out.Write(packed.Bytes())
		require.NoError(t, err)
		require.NoError(t, w.Close())
		return buf.Bytes()
	}
	big := raw(install.MaxZipFile+1, []byte("{}"))
	_, err := install.FromZip(bytes.NewReader(big), int64(len(big)))
	assert.ErrorContains(t, err, "at most")

	lying := raw(10, bytes.Repeat([]byte(" "), 1<<20))
	_, err = install.FromZip(bytes.NewReader(lying), int64(len(lying)))
	assert.Error(t, err)

	_, err = install.FromZip(bytes.NewReader([]byte("not a zip")), 9)
	assert.ErrorContains(t, err, "read template archive")
}
