package models

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"
)

// A field of the wrong type is named, with the type it must have.
func TestParseQueryNamesTheFieldOfTheWrongType(t *testing.T) {
	cases := map[string]string{
		`{"metric":5}`:                  `the query's "metric" is a JSON number but must be a string: correct it in the query editor (the query JSON reference lists every field)`,
		`{"limit":"ten"}`:               `the query's "limit" is a JSON string but must be a number: correct it in the query editor (the query JSON reference lists every field)`,
		`{"filters":{"dimension":"x"}}`: `the query's "filters" is a JSON object but must be a list: correct it in the query editor (the query JSON reference lists every field)`,
		`{"filters":[{"values":[1]}]}`:  `the query's "filters.values" is a JSON number but must be a string: correct it in the query editor (the query JSON reference lists every field)`,
		`{"conversationId":"12abc"}`:    `the query's conversationId "12abc" is not a whole number: set the conversation's id (the dialogs table's id column)`,
		`{"metric":`:                    `the query is not valid JSON (unexpected end of JSON input): re-create it in the query editor`,
		`{"conversationId":"` + strings.Repeat("9", 1000) + `"}`: `the query's conversationId "` + strings.Repeat("9", 80) + `…" (1000 bytes) is not a whole number: set the conversation's id (the dialogs table's id column)`,
	}
	for queryJSON, want := range cases {
		_, err := ParseQuery(backend.DataQuery{JSON: []byte(queryJSON)})
		require.EqualError(t, err, want, queryJSON)
	}
}
