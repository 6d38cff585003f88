// Package importvalue reads the text of spreadsheet cells as the values of
// an object's fields, the way people type them in China: picklist options
// by label (中文 or English) or value, dates as 2026-03-01, 2026/3/1,
// 2026.3.1, 2026年3月1日 or 20260301, amounts with ¥ or ￥, thousands
// separators, full-width digits and 万/亿, yes and no as 是/否, 对/错,
// Y/N, true/false, 1/0, several values split at ; ； , ， 、 | or line
// breaks, and addresses written in one cell (江苏省苏州市工业园区星湖街328号)
// or one part a column. It also matches a file's columns to fields by
// label or name. It does no I/O: lookups stay text, for the engine to
// resolve against the target's records.
package importvalue
