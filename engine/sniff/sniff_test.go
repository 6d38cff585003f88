package sniff_test

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/sniff"
)

// seeds are the signatures of every rule, some near misses, and text.
var seeds = []string{
	"", "hello", "  \n<!DOCTYPE html><p>x", "<HtMl>", "<html", "<script>alert(1)</script>", "<a href=x>", "<abbr>", "<!-- c -->",
	"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", " <?xml version='1.0'?><svg/>", "%PDF-1.7\n", "%PDF", "%!PS-Adobe-3.0",
	"\xFE\xFFab", "\xFF\xFEab", "\xEF\xBB\xBFtext", "\x00\x00\x01\x00", "\x00\x00\x02\x00", "BMxx", "GIF87a", "GIF89a..",
	"RIFF\x01\x02\x03\x04WEBPVP8 ", "\x89PNG\r\n\x1a\n\x00", "\xFF\xD8\xFF\xE0", "FORM\x00\x00\x00\x01AIFF", "ID3\x03", "OggS\x00\x02",
	"MThd\x00\x00\x00\x06", "RIFF\x00\x00\x00\x00AVI LIST", "RIFF\x00\x00\x00\x00WAVEfmt ", "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp41isom",
	"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1", "\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00mp4a", "\x1A\x45\xDF\xA3",
	"\x00\x01\x00\x00", "OTTO", "ttcf", "wOFF", "wOF2", "\x1F\x8B\x08\x00", "PK\x03\x04\x14\x00", "Rar!\x1A\x07\x00", "Rar!\x1A\x07\x01\x00",
	"\x00asm\x01", "plain\x00binary", "tab\tand\r\nnewline", "\x1b[0m escape",
	string(append(make([]byte, 34), 'L', 'P')),
}

func TestContentType_AgreesWithNetHTTP(t *testing.T) {
	t.Parallel()
	for _, s := range seeds {
		assert.Equal(t, http.DetectContentType([]byte(s)), sniff.ContentType([]byte(s)), "%q", s)
	}
	// Random mutations of the seeds: a byte changed, a prefix cut, the
	// seed in a longer buffer.
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := []byte(seeds[r.IntN(len(seeds))])
		switch r.IntN(4) {
		case 0:
			if len(b) > 0 {
				b[r.IntN(len(b))] = byte(r.IntN(256))
			}
		case 1:
			b = b[:r.IntN(len(b)+1)]
		case 2:
			tail := make([]byte, r.IntN(700))
			for i := range tail {
				tail[i] = byte(r.IntN(128))
			}
			b = append(b, tail...)
		case 3:
			b = append([]byte{" \t\n"[r.IntN(3)]}, b...)
		}
		if !assert.Equal(t, http.DetectContentType(b), sniff.ContentType(b), "%q", b) {
			return
		}
	}
}
