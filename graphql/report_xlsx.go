package graphql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// xlsxContentType is the media type of an Excel workbook.
const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Number formats of a report workbook's measure columns.
const (
	currencyFormat = `¥#,##0.00`
	countFormat    = `#,##0`
	numberFormat   = `#,##0.00`
)

// reportWorkbook lays a report's run out as an Excel workbook: one sheet
// named for the report, a frozen header row of the column labels, one
// row per group with the keys as people read them and the measures as
// numbers in a number format (currency fields in yuan), columns as wide
// as their content. It holds as many rows as the run (at most the
// report's limit).
func reportWorkbook(res *engine.ReportResult, lang string) ([]byte, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sheet := sheetName(textIn(res.Report.Label.Zh, res.Report.Label.En, lang))
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, fmt.Errorf("report workbook: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "A0A8B4", Style: 1}}})
	if err != nil {
		return nil, fmt.Errorf("report workbook: %w", err)
	}
	formats := map[string]int{}
	styleOf := func(format string) (int, error) {
		if id, ok := formats[format]; ok {
			return id, nil
		}
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		formats[format] = id
		return id, err
	}
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		label := textIn(c.Label.Zh, c.Label.En, lang)
		if err := setCell(f, sheet, i, 0, label, header); err != nil {
			return nil, err
		}
		widths[i] = displayWidth(label)
	}
	groups := 0
	for _, c := range res.Columns {
		if c.Kind == engine.ColumnGroup {
			groups++
		}
	}
	for r, row := range res.Rows {
		for i, k := range row.Keys {
			text := keyText(k, lang)
			if err := setCell(f, sheet, i, r+1, text, 0); err != nil {
				return nil, err
			}
			widths[i] = max(widths[i], displayWidth(text))
		}
		for j, v := range row.Values {
			col := groups + j
			if col >= len(res.Columns) {
				break
			}
			n := measureNumber(v)
			if n == nil {
				continue
			}
			format := measureFormat(res.Columns[col])
			style, err := styleOf(format)
			if err != nil {
				return nil, fmt.Errorf("report workbook: %w", err)
			}
			if err := setCell(f, sheet, col, r+1, n, style); err != nil {
				return nil, err
			}
			widths[col] = max(widths[col], len(strconv.FormatFloat(n.(float64), 'f', 2, 64))+4)
		}
	}
	for i, w := range widths {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return nil, fmt.Errorf("report workbook: %w", err)
		}
		if err := f.SetColWidth(sheet, name, name, float64(min(max(w+2, 10), 60))); err != nil {
			return nil, fmt.Errorf("report workbook: %w", err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("report workbook: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// setCell writes one cell (0-based column and row) with a style (0:
// none).
func setCell(f *excelize.File, sheet string, col, row int, v any, style int) error {
	cell, err := excelize.CoordinatesToCellName(col+1, row+1)
	if err != nil {
		return fmt.Errorf("report workbook: %w", err)
	}
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		return fmt.Errorf("report workbook cell %s: %w", cell, err)
	}
	if style != 0 {
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return fmt.Errorf("report workbook cell %s: %w", cell, err)
		}
	}
	return nil
}

// measureFormat is the number format of a measure column.
func measureFormat(c engine.ReportColumn) string {
	switch {
	case c.Function == store.MeasureCount || c.Function == store.MeasureCountDistinct:
		return countFormat
	case c.Type == "currency":
		return currencyFormat
	}
	return numberFormat
}

// keyText is a group key as people read it: its label, else its value;
// records without a value read (空) or (empty).
func keyText(k engine.GroupKey, lang string) string {
	if l := textIn(k.Label.Zh, k.Label.En, lang); l != "" {
		return l
	}
	switch v := k.Value.(type) {
	case nil:
		return textIn("（空）", "(empty)", lang)
	case string:
		return v
	case bool:
		if v {
			return textIn("是", "Yes", lang)
		}
		return textIn("否", "No", lang)
	}
	return fmt.Sprint(k.Value)
}

// displayWidth estimates how many character widths a text takes: wide
// (CJK) characters count two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r >= 0xFF00 && r <= 0xFFEF || r >= 0x3000 && r <= 0x303F) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// sheetName makes a report's label a valid sheet name: without the
// characters Excel refuses (: \ / ? * [ ]), not starting or ending with
// an apostrophe, at most 31 characters; "Report" when nothing is left.
func sheetName(label string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, label)
	clean = strings.Trim(strings.TrimSpace(clean), "'")
	if utf8.RuneCountInString(clean) > 31 {
		clean = strings.TrimSpace(string([]rune(clean)[:31]))
	}
	if clean == "" {
		return "Report"
	}
	return clean
}

// reportFileName is the workbook's file name: the report's label in the
// request's language without the characters file systems refuse, else
// its name, with .xlsx.
func reportFileName(r engine.Report, lang string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"/\|?*`, r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, textIn(r.Label.Zh, r.Label.En, lang))
	clean = strings.Trim(strings.TrimSpace(clean), ". ")
	if utf8.RuneCountInString(clean) > 100 {
		clean = string([]rune(clean)[:100])
	}
	if clean == "" {
		clean = r.Name
	}
	if clean == "" {
		clean = "report"
	}
	return clean + ".xlsx"
}
