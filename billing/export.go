package billing

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// metricNames are the metrics in Norwegian.
var metricNames = map[string]string{MetricAgreements: "Signerte avtaler", MetricTonnes: "Avtalte tonn", MetricReceived: "Mottatte tonn"}

// MetricName is a metric in Norwegian.
func MetricName(m string) string { return metricNames[m] }

// ExportCSV writes the region's usage for [from, to) as CSV (UTF-8 with a
// BOM, semicolons, decimal comma: what Norwegian Excel opens), from the
// same query the meter events are sent from (K14).
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, from, to time.Time) error {
	lines, err := s.Usage(ctx, from, to, "")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"Organisasjon-ID", "Organisasjon", "Måling", "Enheter", "Mengde", "Hendelser", "Fra", "Til"})
	for _, l := range lines {
		amount := strconv.FormatInt(l.Quantity, 10)
		if l.Metric != MetricAgreements {
			amount = strings.Replace(strconv.FormatFloat(float64(l.Quantity)/1000, 'f', 3, 64), ".", ",", 1)
		}
		_ = cw.Write([]string{l.OrgID, l.OrgName, MetricName(l.Metric), strconv.FormatInt(l.Quantity, 10), amount,
			strconv.FormatInt(l.Events, 10), from.In(oslo).Format("2006-01-02"), to.Add(-time.Second).In(oslo).Format("2006-01-02")})
	}
	cw.Flush()
	return cw.Error()
}
