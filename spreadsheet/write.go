package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Writer writes rows of cells (strings, float64 or nil) to a file people
// open in Excel: CSV in UTF-8 with a byte order mark (without it Excel in
// China reads UTF-8 as GBK), or an .xlsx workbook of one sheet whose
// numbers stay numbers. Close finishes the file.
type Writer interface {
	Write(cells []any) error
	Close() error
}

// NewCSVWriter returns a Writer of CSV to w.
func NewCSVWriter(w io.Writer) (Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, fmt.Errorf("write CSV: %w", err)
	}
	return &csvWriter{w: csv.NewWriter(w)}, nil
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) Write(cells []any) error {
	row := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			row[i] = v
		case float64:
			row[i] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			row[i] = fmt.Sprint(v)
		}
	}
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// NewXLSXWriter returns a Writer of a workbook with one sheet named
// sheet to w, written when it is closed; rows stream to a temporary file
// as they come, so a long list does not stay in memory. The first row
// written is the header, in bold.
func NewXLSXWriter(w io.Writer, sheet string) (Writer, error) {
	f := excelize.NewFile()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return &xlsxWriter{out: w, f: f, sw: sw, bold: bold}, nil
}

type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	bold int
	rows int
}

func (x *xlsxWriter) Write(cells []any) error {
	x.rows++
	cell, err := excelize.CoordinatesToCellName(1, x.rows)
	if err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	values := make([]any, len(cells))
	for i, v := range cells {
		if x.rows == 1 {
			values[i] = excelize.Cell{StyleID: x.bold, Value: v}
		} else {
			values[i] = v
		}
	}
	if err := x.sw.SetRow(cell, values); err != nil {
		return fmt.Errorf("write workbook row %d: %w", x.rows, err)
	}
	return nil
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
