package metrics

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// exposition writes Prometheus' text format, version 0.0.4: per metric a
// HELP and a TYPE line, then its samples, each "name{labels} value".
type exposition struct {
	b *bytes.Buffer
}

type label struct{ name, value string }

// value is a sample's value as the format writes it.
type value string

func uintValue(v uint64) value { return value(strconv.FormatUint(v, 10)) }
func intValue(v int64) value   { return value(strconv.FormatInt(v, 10)) }
func floatValue(v float64) value {
	return value(formatFloat(v))
}

// formatFloat writes v as the format reads it: NaN, +Inf and -Inf by
// name, other values as Go's shortest representation.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func (e *exposition) family(name, typ, help string) {
	e.b.WriteString("# HELP ")
	e.b.WriteString(name)
	e.b.WriteByte(' ')
	escapeHelp.WriteString(e.b, help)
	e.b.WriteString("\n# TYPE ")
	e.b.WriteString(name)
	e.b.WriteByte(' ')
	e.b.WriteString(typ)
	e.b.WriteByte('\n')
}

func (e *exposition) sample(name string, labels []label, v value) {
	e.b.WriteString(name)
	if len(labels) > 0 {
		e.b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				e.b.WriteByte(',')
			}
			e.b.WriteString(l.name)
			e.b.WriteString(`="`)
			escapeLabel.WriteString(e.b, l.value)
			e.b.WriteByte('"')
		}
		e.b.WriteByte('}')
	}
	e.b.WriteByte(' ')
	e.b.WriteString(string(v))
	e.b.WriteByte('\n')
}

var (
	// A HELP text escapes backslashes and line feeds; a label value
	// double quotes as well.
	escapeHelp  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	escapeLabel = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)
