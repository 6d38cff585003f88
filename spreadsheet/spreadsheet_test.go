package spreadsheet_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/crmkit/crm/spreadsheet"
)

func encoded(t *testing.T, enc encoding.Encoding, text string) []byte {
	t.Helper()
	out, err := enc.NewEncoder().Bytes([]byte(text))
	require.NoError(t, err)
	return out
}

// membersWith is a small member list as people keep it, its cells
// separated by sep: Chinese headers, a quoted cell with a comma and a
// line break in it, a blank line, a short row.
func membersWith(sep string) string {
	return strings.ReplaceAll("姓名|手机号|会员等级|备注\n"+
		"王芳|13812345678|金卡|\"喜欢, 绿茶\"\n"+
		"\n"+
		"李雷|13912345678|银卡|\"两行\n备注\"\n"+
		"韩梅梅|13712345678\n", "|", sep)
}

func TestRead_CSV(t *testing.T) {
	t.Parallel()
	wantHeader := []string{"姓名", "手机号", "会员等级", "备注"}
	wantRows := []spreadsheet.Row{
		{Line: 2, Cells: []string{"王芳", "13812345678", "金卡", "喜欢, 绿茶"}},
		{Line: 4, Cells: []string{"李雷", "13912345678", "银卡", "两行\n备注"}},
		{Line: 6, Cells: []string{"韩梅梅", "13712345678", "", ""}},
	}
	members := membersWith(",")
	scenarios := []struct {
		name      string
		data      []byte
		encoding  string
		delimiter rune
	}{
		{"UTF-8", []byte(members), "utf-8", ','},
		{"UTF-8 with a byte order mark (Excel's CSV UTF-8)", append([]byte{0xEF, 0xBB, 0xBF}, members...), "utf-8-bom", ','},
		{"GB18030 (Excel's CSV in China)", encoded(t, simplifiedchinese.GB18030, members), "gb18030", ','},
		{"GBK", encoded(t, simplifiedchinese.GBK, members), "gb18030", ','},
		{"UTF-16 with tabs (Excel's Unicode text)", encoded(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), membersWith("\t")), "utf-16", '\t'},
		{"semicolons", []byte(membersWith(";")), "utf-8", ';'},
		{"CRLF line ends", []byte(strings.ReplaceAll(members, "\n", "\r\n")), "utf-8", ','},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			tab, err := spreadsheet.Read(bytes.NewReader(sc.data), spreadsheet.Options{})
			require.NoError(t, err)
			assert.Equal(t, "csv", tab.Format)
			assert.Equal(t, sc.encoding, tab.Encoding)
			assert.Equal(t, sc.delimiter, tab.Delimiter)
			assert.Equal(t, wantHeader, tab.Header)
			rows := tab.Rows
			if sc.name == "CRLF line ends" {
				rows[1].Cells[3] = strings.ReplaceAll(rows[1].Cells[3], "\r\n", "\n")
			}
			assert.Equal(t, wantRows, rows)
		})
	}
}

func TestRead_Refusals(t *testing.T) {
	t.Parallel()
	small := spreadsheet.Limits{Bytes: 1 << 10, Rows: 2, Columns: 3, Cell: 10}
	scenarios := []struct {
		name string
		data string
		want spreadsheet.Error
	}{
		{"larger than the bound", strings.Repeat("a,b\n", 300), spreadsheet.Error{Code: spreadsheet.CodeTooLarge, Limit: 1 << 10}},
		{"more rows than the bound", "a\n1\n2\n3\n", spreadsheet.Error{Code: spreadsheet.CodeTooManyRows, Limit: 2}},
		{"more columns than the bound", "a,b\n1,2,3,4\n", spreadsheet.Error{Code: spreadsheet.CodeTooManyColumns, Line: 2, Limit: 3}},
		{"a cell longer than the bound", "a,b\n1,12345678901\n", spreadsheet.Error{Code: spreadsheet.CodeCellTooLong, Line: 2, Column: 2, Limit: 10}},
		{"nothing but blanks", " , \n\n\t\n", spreadsheet.Error{Code: spreadsheet.CodeEmpty}},
		{"a header and no data", "a,b\n\n", spreadsheet.Error{Code: spreadsheet.CodeNoData}},
		{"an Excel 97–2003 file", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", spreadsheet.Error{Code: spreadsheet.CodeOldExcel}},
		{"a zip that is no workbook", "PK\x03\x04garbage", spreadsheet.Error{Code: spreadsheet.CodeMalformed}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := spreadsheet.Read(strings.NewReader(sc.data), spreadsheet.Options{Limits: small})
			var te *spreadsheet.Error
			require.ErrorAs(t, err, &te)
			te.Err = nil
			assert.Equal(t, sc.want, *te)
		})
	}
}

// workbook writes an .xlsx with a sheet of rows; cells given as
// time.Time get the date style named by dateFormat.
func workbook(t *testing.T, sheet string, dateFormat string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", sheet))
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	require.NoError(t, err)
	money := "¥#,##0.00"
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
	require.NoError(t, err)
	percent, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	require.NoError(t, err)
	for r, row := range rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			require.NoError(t, err)
			require.NoError(t, f.SetCellValue(sheet, cell, v))
			switch v := v.(type) {
			case time.Time:
				require.NoError(t, f.SetCellStyle(sheet, cell, cell, style))
			case float64:
				s := moneyStyle
				if v < 1 {
					s = percent
				}
				require.NoError(t, f.SetCellStyle(sheet, cell, cell, s))
			}
		}
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	return buf.Bytes()
}

func TestRead_Workbook(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	scenarios := []struct {
		name   string
		format string
		want   []string
	}{
		{"a month and day without the year", "m月d日", []string{"2026-03-01", "2026-03-01 09:30:00"}},
		{"an American short date", "mm-dd-yy", []string{"2026-03-01", "2026-03-01 09:30:00"}},
		{"a Chinese long date", "yyyy年m月d日", []string{"2026-03-01", "2026-03-01 09:30:00"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			data := workbook(t, "会员", sc.format, [][]any{
				{"姓名", "生日", "到店", "消费", "折扣", "电话"},
				{},
				{"王芳", day, at, 1200.5, 0.125, "13812345678"},
			})
			tab, err := spreadsheet.Read(bytes.NewReader(data), spreadsheet.Options{})
			require.NoError(t, err)
			assert.Equal(t, "xlsx", tab.Format)
			assert.Equal(t, "会员", tab.Sheet)
			assert.Equal(t, []string{"姓名", "生日", "到店", "消费", "折扣", "电话"}, tab.Header)
			require.Len(t, tab.Rows, 1)
			assert.Equal(t, 3, tab.Rows[0].Line, "the workbook's row number")
			assert.Equal(t, []string{"王芳", sc.want[0], sc.want[1], "¥1,200.50", "12.50%", "13812345678"}, tab.Rows[0].Cells,
				"dates as ISO dates whatever their format; money and percent as shown")
		})
	}
	t.Run("a named sheet", func(t *testing.T) {
		t.Parallel()
		data := workbook(t, "客户", "yyyy-mm-dd", [][]any{{"名称"}, {"远景"}})
		tab, err := spreadsheet.Read(bytes.NewReader(data), spreadsheet.Options{Sheet: "客户"})
		require.NoError(t, err)
		assert.Equal(t, [][]string{{"远景"}}, [][]string{tab.Rows[0].Cells})
		_, err = spreadsheet.Read(bytes.NewReader(data), spreadsheet.Options{Sheet: "订单"})
		var te *spreadsheet.Error
		require.ErrorAs(t, err, &te)
		assert.Equal(t, spreadsheet.CodeNoSheet, te.Code)
	})
	t.Run("a workbook that unzips past the bound", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		for name, body := range map[string]string{
			"[Content_Types].xml":      `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`,
			"xl/worksheets/sheet1.xml": strings.Repeat(" ", 64<<20), // a megabyte of zip, 64 MiB unzipped
		} {
			w, err := z.Create(name)
			require.NoError(t, err)
			_, err = w.Write([]byte(body))
			require.NoError(t, err)
		}
		require.NoError(t, z.Close())
		_, err := spreadsheet.Read(&buf, spreadsheet.Options{Limits: spreadsheet.Limits{Bytes: 1 << 20}})
		var te *spreadsheet.Error
		require.ErrorAs(t, err, &te)
		assert.Equal(t, spreadsheet.CodeTooLarge, te.Code, err.Error())
	})
}

// FuzzRead: no file makes Read panic or return rows wider than the header.
func FuzzRead(f *testing.F) {
	f.Add([]byte(membersWith(",")))
	f.Add([]byte("a\tb\n\"1\t2\n"))
	f.Add([]byte{0xEF, 0xBB, 0xBF, 'a', '\n', '1'})
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\n', 0, '1', 0})
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := spreadsheet.Read(bytes.NewReader(data), spreadsheet.Options{Limits: spreadsheet.Limits{Bytes: 1 << 16, Rows: 100, Columns: 20, Cell: 200}})
		if err != nil {
			var te *spreadsheet.Error
			require.ErrorAs(t, err, &te)
			return
		}
		for _, r := range tab.Rows {
			assert.Len(t, r.Cells, len(tab.Header))
		}
	})
}

// TestWriters: what the writers write, read back, is what was written;
// the workbook keeps numbers as numbers.
func TestWriters(t *testing.T) {
	t.Parallel()
	rows := [][]any{{"姓名", "累计消费", "备注"}, {"王芳", 1200.5, nil}, {"李雷, \"老\"客户", 88.0, "两行\n备注"}}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			var (
				w   spreadsheet.Writer
				err error
			)
			if format == "csv" {
				w, err = spreadsheet.NewCSVWriter(&buf)
			} else {
				w, err = spreadsheet.NewXLSXWriter(&buf, "会员")
			}
			require.NoError(t, err)
			for _, r := range rows {
				require.NoError(t, w.Write(r))
			}
			require.NoError(t, w.Close())
			if format == "csv" {
				assert.True(t, bytes.HasPrefix(buf.Bytes(), []byte{0xEF, 0xBB, 0xBF}), "a byte order mark for Excel")
			}
			tab, err := spreadsheet.Read(bytes.NewReader(buf.Bytes()), spreadsheet.Options{})
			require.NoError(t, err)
			assert.Equal(t, []string{"姓名", "累计消费", "备注"}, tab.Header)
			require.Len(t, tab.Rows, 2)
			assert.Equal(t, []string{"王芳", "1200.5", ""}, tab.Rows[0].Cells)
			assert.Equal(t, []string{"李雷, \"老\"客户", "88", "两行\n备注"}, tab.Rows[1].Cells)
			if format == "xlsx" {
				f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
				require.NoError(t, err)
				defer f.Close()
				typ, err := f.GetCellType("会员", "B2")
				require.NoError(t, err)
				assert.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, "numbers stay numbers (no type is a number)")
				typ, err = f.GetCellType("会员", "A2")
				require.NoError(t, err)
				assert.NotContains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, "and text is text")
			}
		})
	}
}
