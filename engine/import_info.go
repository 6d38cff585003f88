package engine

import (
	"context"
	"time"
)

// importInfoRows is how many first rows an upload's description shows.
const importInfoRows = 5

// ImportUploadInfo describes an upload: how the file was read, its
// header and first rows, and the suggested mapping of its columns to an
// object's fields (what the upload endpoint and importUpload answer).
type ImportUploadInfo struct {
	ID        string `json:"id"`
	FileName  string `json:"fileName"`
	Format    string `json:"format"`
	Encoding  string `json:"encoding,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Sheet     string `json:"sheet,omitempty"`
	// Sheets are a workbook's sheets in its order (upload again with
	// ?sheet= to read another).
	Sheets    []string        `json:"sheets,omitempty"`
	Header    []string        `json:"header"`
	Rows      int             `json:"rows"`
	FirstRows []ImportRowInfo `json:"firstRows"`
	// Object and Columns: the object asked about, and per column of the
	// header its suggested target ("name", "address.city", "id", or ""
	// for left out).
	Object    string   `json:"object,omitempty"`
	Columns   []string `json:"columns,omitempty"`
	ExpiresAt string   `json:"expiresAt"`
}

// ImportRowInfo is a row of a file: its line and cells.
type ImportRowInfo struct {
	Line  int      `json:"line"`
	Cells []string `json:"cells"`
}

// DescribeImportUpload describes an upload of the caller's (see
// ImportUpload), with the suggested mapping to object when one is named.
func (e *Engine) DescribeImportUpload(ctx context.Context, id, object string) (*ImportUploadInfo, error) {
	up, err := e.ImportUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	info := &ImportUploadInfo{ID: up.ID, FileName: up.FileName, Format: up.Format, Encoding: up.Encoding, Delimiter: up.Delimiter,
		Sheet: up.Sheet, Sheets: up.Sheets, Header: up.Table.Header, Rows: len(up.Table.Rows), FirstRows: []ImportRowInfo{},
		ExpiresAt: up.ExpiresAt.UTC().Format(time.RFC3339)}
	for _, r := range up.Table.Rows[:min(importInfoRows, len(up.Table.Rows))] {
		info.FirstRows = append(info.FirstRows, ImportRowInfo(r))
	}
	if object == "" {
		return info, nil
	}
	columns, err := e.SuggestImportColumns(ctx, object, up.Table.Header)
	if err != nil {
		return nil, err
	}
	info.Object = object
	info.Columns = make([]string, len(columns))
	for i, c := range columns {
		info.Columns[i] = c.Target()
	}
	return info, nil
}
