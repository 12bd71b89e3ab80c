package frames

import (
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Event is one annotation event: a region from Time to TimeEnd, or a point
// when both are the same instant.
type Event struct {
	Time, TimeEnd time.Time
	Title, Text   string
	Tags          []string
}

// Annotations is the frame of annotation events that Grafana's standard
// annotation support reads without any field mapping: the fields time,
// timeEnd, title, text and tags, matched by name (tags is one text of
// comma-separated tags, which Grafana splits on commas, so a comma inside a
// tag becomes a space). Grafana draws a region when timeEnd differs from time.
func Annotations(name string, events []Event, executedSQL string) *data.Frame {
	starts := make([]time.Time, len(events))
	ends := make([]time.Time, len(events))
	titles := make([]string, len(events))
	texts := make([]string, len(events))
	tags := make([]string, len(events))
	for i, e := range events {
		starts[i], ends[i], titles[i], texts[i] = e.Time, e.TimeEnd, e.Title, e.Text
		clean := make([]string, len(e.Tags))
		for j, tag := range e.Tags {
			clean[j] = strings.ReplaceAll(tag, ",", " ")
		}
		tags[i] = strings.Join(clean, ",")
	}
	frame := data.NewFrame(name,
		data.NewField("time", nil, starts),
		data.NewField("timeEnd", nil, ends),
		data.NewField("title", nil, titles),
		data.NewField("text", nil, texts),
		data.NewField("tags", nil, tags),
	)
	frame.Meta = &data.FrameMeta{ExecutedQueryString: executedSQL}
	return frame
}

// EventBytes is about what one event adds to a response, for the budget.
func EventBytes(e Event) int64 {
	size := int64(16 + len(e.Title) + len(e.Text))
	for _, tag := range e.Tags {
		size += int64(len(tag) + 1)
	}
	return size
}
