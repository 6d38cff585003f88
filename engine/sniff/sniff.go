// Package sniff tells a file's content type from its first bytes, by the
// WHATWG MIME Sniffing Standard's rules for unknown types (section 7.1,
// without the steps that need a server's claim): the same answers as
// net/http's DetectContentType, which the engine may not import (the core
// stays off the transport). A differential test holds the two equal.
package sniff

import "bytes"

// Len is how many leading bytes decide the type.
const Len = 512

// ContentType returns the content type of data from at most its first Len
// bytes: "application/octet-stream" when no rule matches binary data,
// "text/plain; charset=utf-8" when no rule matches text.
func ContentType(data []byte) string {
	if len(data) > Len {
		data = data[:Len]
	}
	// Leading white space is skipped by the markup rules only.
	ws := 0
	for ; ws < len(data) && isWS(data[ws]); ws++ {
	}
	for _, r := range rules {
		if t := r(data, ws); t != "" {
			return t
		}
	}
	return "application/octet-stream"
}

type rule func(data []byte, ws int) string

// isWS is the standard's white space byte.
func isWS(b byte) bool { return b == '\t' || b == '\n' || b == '\x0c' || b == '\r' || b == ' ' }

// isTT is a tag-terminating byte.
func isTT(b byte) bool { return b == ' ' || b == '>' }

// htmlTags are the HTML signatures, compared without case after white
// space and followed by a tag-terminating byte.
var htmlTags = []string{"<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE",
	"<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--"}

func html(data []byte, ws int) string {
	rest := data[ws:]
	for _, tag := range htmlTags {
		if len(rest) < len(tag)+1 {
			continue
		}
		match := true
		for i := 0; i < len(tag); i++ {
			b := rest[i]
			if 'a' <= b && b <= 'z' {
				b -= 'a' - 'A'
			}
			if b != tag[i] {
				match = false
				break
			}
		}
		if match && isTT(rest[len(tag)]) {
			return "text/html; charset=utf-8"
		}
	}
	return ""
}

// exact matches a signature at the start, optionally after white space.
func exact(sig, ct string, skipWS bool) rule {
	return func(data []byte, ws int) string {
		if skipWS {
			data = data[ws:]
		}
		if bytes.HasPrefix(data, []byte(sig)) {
			return ct
		}
		return ""
	}
}

// masked matches pattern where mask has bits set (a "\xFF" byte must be
// equal, "\x00" is anything).
func masked(mask, pattern, ct string) rule {
	return func(data []byte, _ int) string {
		if len(data) < len(pattern) {
			return ""
		}
		for i := 0; i < len(pattern); i++ {
			if data[i]&mask[i] != pattern[i] {
				return ""
			}
		}
		return ct
	}
}

// mp4 is the standard's MP4 signature: an "ftyp" box whose brands
// include one starting "mp4".
func mp4(data []byte, _ int) string {
	if len(data) < 12 {
		return ""
	}
	size := int(data[0])<<24 | int(data[1])<<16 | int(data[2])<<8 | int(data[3])
	if len(data) < size || size%4 != 0 || !bytes.Equal(data[4:8], []byte("ftyp")) {
		return ""
	}
	for i := 8; i < size; i += 4 {
		if i == 12 {
			continue // the minor version
		}
		if bytes.Equal(data[i:i+3], []byte("mp4")) {
			return "video/mp4"
		}
	}
	return ""
}

// text answers for data with no binary bytes.
func text(data []byte, _ int) string {
	for _, b := range data {
		switch {
		case b <= 0x08, b == 0x0B, 0x0E <= b && b <= 0x1A, 0x1C <= b && b <= 0x1F:
			return ""
		}
	}
	return "text/plain; charset=utf-8"
}

var rules = []rule{
	html,
	exact("<?xml", "text/xml; charset=utf-8", true),
	exact("%PDF-", "application/pdf", false),
	exact("%!PS-Adobe-", "application/postscript", false),
	masked("\xFF\xFF\x00\x00", "\xFE\xFF\x00\x00", "text/plain; charset=utf-16be"),
	masked("\xFF\xFF\x00\x00", "\xFF\xFE\x00\x00", "text/plain; charset=utf-16le"),
	masked("\xFF\xFF\xFF\x00", "\xEF\xBB\xBF\x00", "text/plain; charset=utf-8"),
	exact("\x00\x00\x01\x00", "image/x-icon", false),
	exact("\x00\x00\x02\x00", "image/x-icon", false),
	exact("BM", "image/bmp", false),
	exact("GIF87a", "image/gif", false),
	exact("GIF89a", "image/gif", false),
	masked("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00WEBPVP", "image/webp"),
	exact("\x89PNG\x0D\x0A\x1A\x0A", "image/png", false),
	exact("\xFF\xD8\xFF", "image/jpeg", false),
	masked("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "FORM\x00\x00\x00\x00AIFF", "audio/aiff"),
	masked("\xFF\xFF\xFF", "ID3", "audio/mpeg"),
	masked("\xFF\xFF\xFF\xFF\xFF", "OggS\x00", "application/ogg"),
	masked("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", "MThd\x00\x00\x00\x06", "audio/midi"),
	masked("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00AVI ", "video/avi"),
	masked("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00WAVE", "audio/wave"),
	mp4,
	exact("\x1A\x45\xDF\xA3", "video/webm", false),
	masked("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF",
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00LP",
		"application/vnd.ms-fontobject"),
	exact("\x00\x01\x00\x00", "font/ttf", false),
	exact("OTTO", "font/otf", false),
	exact("ttcf", "font/collection", false),
	exact("wOFF", "font/woff", false),
	exact("wOF2", "font/woff2", false),
	exact("\x1F\x8B\x08", "application/x-gzip", false),
	exact("PK\x03\x04", "application/zip", false),
	exact("Rar!\x1A\x07\x00", "application/x-rar-compressed", false),
	exact("Rar!\x1A\x07\x01\x00", "application/x-rar-compressed", false),
	exact("\x00\x61\x73\x6D", "application/wasm", false),
	text,
}
