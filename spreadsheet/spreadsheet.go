// Package spreadsheet reads the spreadsheets people import from into rows of
// text: CSV in UTF-8 (with or without a byte order mark), UTF-16 (what
// Excel saves as "Unicode text") or GB18030 (which covers GBK and GB2312,
// what Excel in China saves as CSV), separated by commas, tabs or
// semicolons; and Excel workbooks (.xlsx), their first sheet or a named
// one, with cells as Excel shows them and dates written as ISO dates.
// It does no I/O beyond the reader it is given, and bounds what it reads
// (bytes, unzipped bytes, rows, columns, cell length), so that no file
// can take the server's memory.
package spreadsheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Limits bound what [Read] accepts.
type Limits struct {
	// Bytes bounds the file's size.
	Bytes int64
	// Rows bounds the data rows (the header not counted).
	Rows int
	// Columns bounds the columns of any row.
	Columns int
	// Cell bounds a cell's text, in bytes.
	Cell int
}

// DefaultLimits are the bounds of an import file.
var DefaultLimits = Limits{Bytes: 64 << 20, Rows: 200_000, Columns: 300, Cell: 32 << 10}

// Table is a read file: its header row and its data rows.
type Table struct {
	// Format is "csv" or "xlsx".
	Format string
	// Encoding is the text encoding of a CSV file ("utf-8", "utf-8-bom",
	// "utf-16", "gb18030"); empty for a workbook.
	Encoding string
	// Delimiter separates a CSV file's cells; zero for a workbook.
	Delimiter rune
	// Sheet is the workbook's sheet that was read; empty for CSV.
	Sheet string
	// Sheets are the workbook's sheets in its order, for choosing
	// another; empty for CSV.
	Sheets []string
	// Header is the first row that is not blank, its cells trimmed; the
	// columns are its cells, and columns after its last named one are
	// dropped from every row.
	Header []string
	// Rows are the data rows, blank ones left out, each as long as
	// Header.
	Rows []Row
}

// Row is one data row.
type Row struct {
	// Line is where the row is in the file: the line of a CSV file where
	// the row begins, or the workbook row's number, both from 1, so that
	// people find it.
	Line int
	// Cells are the row's cells, one per column of the header.
	Cells []string
}

// Codes of [Error].
const (
	CodeTooLarge       = "tooLarge"       // the file is over Limits.Bytes (Limit), or unzips to too much
	CodeTooManyRows    = "tooManyRows"    // more data rows than Limits.Rows (Limit)
	CodeTooManyColumns = "tooManyColumns" // a row with more columns than Limits.Columns (Limit, Line)
	CodeCellTooLong    = "cellTooLong"    // a cell longer than Limits.Cell (Limit, Line, Column)
	CodeEmpty          = "empty"          // no row that is not blank
	CodeNoData         = "noData"         // a header and no data row
	CodeMalformed      = "malformed"      // CSV that does not parse (Line), a workbook that does not open
	CodeOldExcel       = "oldExcel"       // an Excel 97–2003 .xls file
	CodeNoSheet        = "noSheet"        // the workbook has no sheet of that name (Sheet)
)

// Error is why a file cannot be read. Code says what is wrong in words
// the engine turns into messages; the other fields say where.
type Error struct {
	Code   string
	Line   int    // the line or row, when one is to blame
	Column int    // the column from 1, when one is to blame
	Limit  int64  // the bound that was passed
	Sheet  string // the sheet that was asked for
	Err    error  // the underlying cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("read import file: ")
	b.WriteString(e.Code)
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ", column %d", e.Column)
	}
	if e.Limit > 0 {
		fmt.Fprintf(&b, " (limit %d)", e.Limit)
	}
	if e.Sheet != "" {
		fmt.Fprintf(&b, " (sheet %q)", e.Sheet)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Options say what to read of a file.
type Options struct {
	// Sheet names the workbook sheet to read; "" reads the first.
	Sheet string
	// Limits bound the file; zero fields take DefaultLimits'.
	Limits Limits
}

// Read reads a file: a workbook when its bytes are a zip archive (as
// every .xlsx is), else CSV. A failure is an [*Error].
func Read(r io.Reader, opts Options) (*Table, error) {
	lim := opts.Limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.Bytes+1))
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	if int64(len(data)) > lim.Bytes {
		return nil, &Error{Code: CodeTooLarge, Limit: lim.Bytes}
	}
	var t *Table
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		t, err = readWorkbook(data, opts.Sheet, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return nil, &Error{Code: CodeOldExcel}
	default:
		t, err = readCSV(data, lim)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = DefaultLimits.Bytes
	}
	if l.Rows <= 0 {
		l.Rows = DefaultLimits.Rows
	}
	if l.Columns <= 0 {
		l.Columns = DefaultLimits.Columns
	}
	if l.Cell <= 0 {
		l.Cell = DefaultLimits.Cell
	}
	return l
}

// tableBuilder gathers rows as they are read: the first row that is not
// blank is the header; blank rows are left out; rows are cut or padded
// to the header's width.
type tableBuilder struct {
	lim    Limits
	t      *Table
	header bool
}

func (b *tableBuilder) add(line int, cells []string) error {
	if len(cells) > b.lim.Columns {
		return &Error{Code: CodeTooManyColumns, Line: line, Limit: int64(b.lim.Columns)}
	}
	blank := true
	for i, c := range cells {
		if len(c) > b.lim.Cell {
			return &Error{Code: CodeCellTooLong, Line: line, Column: i + 1, Limit: int64(b.lim.Cell)}
		}
		if strings.TrimFunc(c, isBlank) != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	if !b.header {
		b.header = true
		h := make([]string, len(cells))
		for i, c := range cells {
			h[i] = strings.TrimFunc(c, isBlank)
		}
		for len(h) > 0 && h[len(h)-1] == "" {
			h = h[:len(h)-1]
		}
		b.t.Header = h
		return nil
	}
	if len(b.t.Rows) == b.lim.Rows {
		return &Error{Code: CodeTooManyRows, Limit: int64(b.lim.Rows)}
	}
	row := make([]string, len(b.t.Header))
	copy(row, cells)
	b.t.Rows = append(b.t.Rows, Row{Line: line, Cells: row})
	return nil
}

func (b *tableBuilder) done() (*Table, error) {
	switch {
	case !b.header:
		return nil, &Error{Code: CodeEmpty}
	case len(b.t.Rows) == 0:
		return nil, &Error{Code: CodeNoData}
	}
	return b.t, nil
}

// isBlank is what trimming takes off a cell: white space, including the
// ideographic space, and the zero-width marks spreadsheets leave.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}
