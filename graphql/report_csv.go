package graphql

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/crmkit/crm/engine"
)

// csvContentType is the media type of a report exported as CSV.
const csvContentType = "text/csv; charset=utf-8"

// reportCSV lays a report's run out as CSV for Excel: UTF-8 with a byte
// order mark (else Excel in China reads it as GBK), a header row of the
// column labels, one row per group with the keys as people read them and
// the measures as plain numbers (no separators or currency sign, so that
// a spreadsheet adds them up). A cell that a spreadsheet would take for a
// formula (=, +, -, @ first) is written with a leading apostrophe.
func reportCSV(res *engine.ReportResult, lang string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	header := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = safeCSVText(textIn(c.Label.Zh, c.Label.En, lang))
	}
	if err := w.Write(header); err != nil {
		return nil, fmt.Errorf("report csv: %w", err)
	}
	groups := 0
	for _, c := range res.Columns {
		if c.Kind == engine.ColumnGroup {
			groups++
		}
	}
	for _, row := range res.Rows {
		cells := make([]string, len(res.Columns))
		for i, k := range row.Keys {
			if i < len(cells) {
				cells[i] = safeCSVText(keyText(k, lang))
			}
		}
		for j, v := range row.Values {
			col := groups + j
			if col >= len(cells) {
				break
			}
			if n, ok := measureNumber(v).(float64); ok {
				cells[col] = strconv.FormatFloat(n, 'f', -1, 64)
			}
		}
		if err := w.Write(cells); err != nil {
			return nil, fmt.Errorf("report csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("report csv: %w", err)
	}
	return b.Bytes(), nil
}

// safeCSVText keeps a text from being run as a formula when the file is
// opened in a spreadsheet (CSV injection).
func safeCSVText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
