package spreadsheet

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// readWorkbook reads a sheet of an .xlsx workbook. Each cell is the text
// Excel shows for it (its number format applied: "¥1,200.00", "12.50%"),
// except dates and times, which come as "2026-03-01" or
// "2026-03-01 09:30:00" whatever their format, since formats like
// "3月1日" or "mm-dd-yy" lose the year or read either way.
func readWorkbook(data []byte, sheet string, lim Limits) (*Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    16 * lim.Bytes, // a zip bomb stops here
		UnzipXMLSizeLimit: min(16*lim.Bytes, 64<<20),
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") { // excelize has no error value for it
			return nil, &Error{Code: CodeTooLarge, Limit: lim.Bytes, Err: err}
		}
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	switch {
	case sheet == "" && len(sheets) > 0:
		sheet = sheets[0]
	case sheet == "":
		return nil, &Error{Code: CodeEmpty}
	default:
		if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
			return nil, &Error{Code: CodeNoSheet, Sheet: sheet}
		}
	}
	shown, err := f.Rows(sheet)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	defer shown.Close()
	raw, err := f.Rows(sheet)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	defer raw.Close()
	b := &tableBuilder{lim: lim, t: &Table{Format: "xlsx", Sheet: sheet, Sheets: sheets}}
	line := 0
	for shown.Next() && raw.Next() {
		line++
		cells, err := shown.Columns()
		if err != nil {
			return nil, &Error{Code: CodeMalformed, Line: line, Err: err}
		}
		values, err := raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &Error{Code: CodeMalformed, Line: line, Err: err}
		}
		for i := range cells {
			if i < len(values) {
				cells[i] = dateCell(cells[i], values[i])
			}
		}
		if err := b.add(line, cells); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(shown.Error(), raw.Error()); err != nil {
		return nil, &Error{Code: CodeMalformed, Line: line, Err: err}
	}
	return b.done()
}

// dateCell returns a cell's shown text, or its ISO date or date-time when
// the cell is a number shown as a date or time.
func dateCell(shown, raw string) string {
	if shown == raw || !looksLikeDate(shown) {
		return shown
	}
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil || serial < 0 || serial >= maxSerial {
		return shown // a negative amount, a phone number shown with dashes
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		return shown
	}
	if serial == float64(int64(serial)) {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

// maxSerial is the day after Excel's last date, 9999-12-31.
const maxSerial = 2958466

// looksLikeDate reports text that a date or time format makes of a
// number: digits with date or time separators, or Chinese date words.
func looksLikeDate(s string) bool {
	return strings.ContainsAny(s, "/-:年月日时分") && !strings.ContainsAny(s, "%¥$€")
}
