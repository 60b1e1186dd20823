package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// chart is one figure of the insight pages, drawn on the server as SVG
// (accessible: a title and a description, the numbers also in a table,
// nothing needing JavaScript) and offered as CSV and SVG downloads.
type chart struct {
	Name    string   // its file name: outcomes, on-time, days, review-days, exemptions, overdue
	Title   string   // what it shows
	Desc    string   // the finding, in a sentence, for screen readers and print
	Columns []string // the value columns (a stacked chart has several)
	Rows    []chartRow
	Stacked bool
	Percent bool   // values are shares 0–1, shown as per cent
	Unit    string // after each value ("days")
	// Marker, when set, is a second value per row drawn as a tick (p90).
	Marker string
}

type chartRow struct {
	Label  string
	Href   string
	Values []float64
	Mark   float64 // the marker value, if chart.Marker
	Note   string  // shown after the value ("of 12 answered")
}

// chartColors are the segments' colours, distinguishable in grey print too
// (they differ in lightness), with the text colour beside them.
var chartColors = []string{"#1d4ed8", "#60a5fa", "#b91c1c", "#f59e0b", "#6b7280", "#d1d5db"}

func (c chart) format(v float64) string {
	if c.Percent {
		return strconv.Itoa(int(math.Round(v*100))) + "%"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if v != math.Trunc(v) {
		s = strconv.FormatFloat(v, 'f', 1, 64)
	}
	if c.Unit != "" {
		s += " " + c.Unit
	}
	return s
}

func (c chart) total(r chartRow) float64 {
	if !c.Stacked {
		return r.Values[0]
	}
	t := 0.0
	for _, v := range r.Values {
		t += v
	}
	return t
}

// SVG draws the chart: one horizontal bar per row, label above it, so that
// long names never squeeze the bars on a phone.
func (c chart) SVG() string {
	// Narrow on purpose: drawn at a phone's width the text stays legible;
	// the page caps how wide it is drawn on a desktop.
	// Each row: its name on the left and its value on the right of one line,
	// the bar below across the whole width.
	const width, left, right, barH, rowH, top, charW = 420.0, 4.0, 4.0, 14.0, 40.0, 6.0, 7.4
	top1 := 0.0 // the largest value: a full-width bar
	for _, r := range c.Rows {
		top1 = math.Max(top1, c.total(r))
		if c.Marker != "" {
			top1 = math.Max(top1, r.Mark)
		}
	}
	if c.Percent || top1 == 0 {
		top1 = 1
	}
	// The legend wraps onto as many lines as it needs.
	type legendItem struct{ x, y float64 }
	var legend []legendItem
	legendH := 0.0
	if c.Stacked && len(c.Rows) > 0 {
		x, line := left, 0.0
		for _, col := range c.Columns {
			w := 22 + charW*float64(len([]rune(col)))
			if x+w > width && x > left {
				x, line = left, line+18
			}
			legend = append(legend, legendItem{x, top + line})
			x += w
		}
		legendH = line + 24
	}
	height := top + legendH + float64(len(c.Rows))*rowH + 8
	if len(c.Rows) == 0 {
		height = top + 40
	}
	scale := (width - left - right) / top1
	id := "chart-" + c.Name
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="%s-title %s-desc" class="chart" font-family="system-ui, sans-serif" font-size="13">`,
		width, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, html.EscapeString(c.Title), id, html.EscapeString(c.Desc))
	y := top
	for i, col := range c.Columns {
		if i >= len(legend) {
			break
		}
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="11" height="11" fill="%s"/><text x="%g" y="%g" fill="#111">%s</text>`,
			legend[i].x, legend[i].y, chartColors[i%len(chartColors)], legend[i].x+15, legend[i].y+10, html.EscapeString(col))
	}
	y += legendH
	if len(c.Rows) == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" fill="#555">Nothing to show yet.</text>`, left, y+16)
	}
	for _, r := range c.Rows {
		value := c.format(c.total(r))
		if c.Marker != "" && r.Mark > 0 {
			value += " · " + c.Marker + " " + c.format(r.Mark)
		}
		room := int(math.Floor((width-left-right)/charW)) - len([]rune(value)) - 2
		fmt.Fprintf(&b, `<text x="%g" y="%g" fill="#111">%s</text><text x="%g" y="%g" fill="#111" text-anchor="end">%s</text>`,
			left, y+11, html.EscapeString(truncate(r.Label, max(room, 8))), width-right, y+11, html.EscapeString(value))
		x := left
		by := y + 16
		for i, v := range r.Values {
			w := v * scale
			if w <= 0 {
				continue
			}
			color := chartColors[0]
			if c.Stacked {
				color = chartColors[i%len(chartColors)]
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" fill="%s"><title>%s: %s</title></rect>`,
				x, by, w, barH, color, html.EscapeString(r.Label), html.EscapeString(c.segmentText(i, v)))
			x += w
		}
		if c.Marker != "" && r.Mark > 0 {
			mx := left + r.Mark*scale
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#111" stroke-width="2"><title>%s: %s</title></line>`,
				mx, mx, by-2, by+barH+2, c.Marker, html.EscapeString(c.format(r.Mark)))
		}
		y += rowH
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (c chart) segmentText(i int, v float64) string {
	if c.Stacked && i < len(c.Columns) {
		return c.Columns[i] + " " + c.format(v)
	}
	return c.format(v)
}

// HTML is the SVG for embedding in a page.
func (c chart) HTML() template.HTML { return template.HTML(c.SVG()) }

// CSV is the chart's numbers, one row per bar.
func (c chart) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := append([]string{"name"}, c.Columns...)
	if c.Marker != "" {
		head = append(head, c.Marker)
	}
	w.Write(head)
	for _, r := range c.Rows {
		rec := []string{r.Label}
		for _, v := range r.Values {
			rec = append(rec, strconv.FormatFloat(v, 'f', -1, 64))
		}
		if c.Marker != "" {
			rec = append(rec, strconv.FormatFloat(r.Mark, 'f', -1, 64))
		}
		w.Write(csvSafe(rec)) // a name is never read as a formula
	}
	w.Flush()
	return buf.Bytes()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// TableValue is a cell of the chart's table.
func (c chart) TableValue(v float64) string { return c.format(v) }
