package engine

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// WriteRejects writes rejected rows as CSV in UTF-8 with a byte order
// mark (which Excel needs to read it as UTF-8): the file's header between
// a column of line numbers and one of problems (in lang, "zh" or "en"),
// then each row as it was with its line and problems, so that people
// correct the rows and import the file again.
func WriteRejects(out io.Writer, header []string, rows []RejectedRow, lang string) error {
	if _, err := io.WriteString(out, "\ufeff"); err != nil {
		return fmt.Errorf("write rejected rows: %w", err)
	}
	w := csv.NewWriter(out)
	if err := w.Write(append(append([]string{"行号 Line"}, header...), "问题 Problems")); err != nil {
		return fmt.Errorf("write rejected rows: %w", err)
	}
	for _, r := range rows {
		cells := make([]string, len(header))
		copy(cells, r.Cells)
		if err := w.Write(append(append([]string{fmt.Sprint(r.Line)}, cells...), RejectProblems(r, lang))); err != nil {
			return fmt.Errorf("write rejected rows: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write rejected rows: %w", err)
	}
	return nil
}

// RejectProblems joins a rejected row's problems in lang ("zh" or "en"),
// each after the column it is about.
func RejectProblems(r RejectedRow, lang string) string {
	parts := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msg := p.Message
		if lang == "zh" && p.MessageZh != "" {
			msg = p.MessageZh
		}
		if p.Field != "" {
			msg = p.Field + ": " + msg
		}
		parts[i] = msg
	}
	return strings.Join(parts, "; ")
}
