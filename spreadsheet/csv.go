package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// readCSV decodes data to UTF-8, finds its delimiter and reads its rows.
func readCSV(data []byte, lim Limits) (*Table, error) {
	text, encoding, err := decodeText(data)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	delim := delimiter(text)
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1 // rows of any length: cut or padded to the header's
	r.LazyQuotes = true    // a stray quote inside a cell is the cell's
	b := &tableBuilder{lim: lim, t: &Table{Format: "csv", Encoding: encoding, Delimiter: delim}}
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{Code: CodeMalformed, Line: pe.StartLine, Err: pe.Err}
			}
			return nil, &Error{Code: CodeMalformed, Err: err}
		}
		line, _ := r.FieldPos(0)
		if err := b.add(line, cells); err != nil {
			return nil, err
		}
	}
	return b.done()
}

// decodeText returns data as UTF-8 without a byte order mark, and the
// encoding it was in: UTF-16 when it starts with that byte order mark,
// UTF-8 when it is valid UTF-8, GB18030 otherwise (a superset of GBK and
// GB2312 in which any byte sequence decodes).
func decodeText(data []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		rest := data[3:]
		if !utf8.Valid(rest) {
			return nil, "", errors.New("the file starts as UTF-8 but is not UTF-8 throughout")
		}
		return rest, "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), data)
		if err != nil {
			return nil, "", err
		}
		return out, "utf-16", nil
	case utf8.Valid(data):
		return data, "utf-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return nil, "", err
	}
	return out, "gb18030", nil
}

// delimiter guesses the delimiter from the first line: the one of comma,
// tab and semicolon found there most often outside quotes; a comma when
// none is.
func delimiter(text []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(firstLine(text)) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == '\t' || r == ';'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// firstLine returns text up to its first line break outside quotes.
func firstLine(text []byte) []byte {
	quoted := false
	for i, c := range text {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == '\n' || c == '\r'):
			return text[:i]
		}
	}
	return text
}
