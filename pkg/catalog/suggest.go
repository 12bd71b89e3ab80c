package catalog

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// maxSuggestions is how many ids an error message proposes at most.
const maxSuggestions = 3

// maxSuggestInput bounds the input compared with the ids: an edit distance
// costs the product of both lengths, and a 10 MB metric id must still be
// answered at once. No id is anywhere near this long.
const maxSuggestInput = 64

// Suggest returns the ids closest to input, best first and at most three:
// those within a few typing mistakes (edit distance) or, without any, those
// sharing the most words with it ("intents" and top_intents share intents; "wait" is also a
// word of waiting_now, as a prefix of four letters or more). Input is
// compared in lower case, with spaces and dashes read as underscores. It
// returns nothing when no id is close, so that the caller keeps its own advice.
func Suggest(input string, ids []string) []string {
	text := strings.ToLower(strings.TrimSpace(input))
	if text == "" || len(text) > maxSuggestInput || !utf8.ValidString(text) {
		return nil
	}
	text = strings.NewReplacer(" ", "_", "-", "_").Replace(text)
	words := strings.FieldsFunc(text, isSeparator)

	type candidate struct {
		id            string
		distance      int
		typo          bool
		shared, index int
	}
	var found []candidate
	for i, id := range ids {
		if id == input {
			continue // the input is known: nothing to suggest
		}
		distance := editDistance(text, id)
		typo := distance <= max(1, utf8.RuneCountInString(text)/4)
		shared := sharedWords(words, strings.FieldsFunc(id, isSeparator))
		if typo || shared > 0 {
			found = append(found, candidate{id: id, distance: distance, typo: typo, shared: shared, index: i})
		}
	}
	slices.SortStableFunc(found, func(a, b candidate) int {
		switch {
		case a.typo != b.typo:
			if a.typo {
				return -1
			}
			return 1
		case a.shared != b.shared:
			return b.shared - a.shared
		case a.distance != b.distance:
			return a.distance - b.distance
		}
		return a.index - b.index
	})
	// Only the best kind of match: typing mistakes when there are any, else
	// the ids sharing the most words.
	out := make([]string, 0, maxSuggestions)
	for _, c := range found {
		if len(out) == maxSuggestions || c.typo != found[0].typo || (!c.typo && c.shared < found[0].shared) {
			break
		}
		out = append(out, c.id)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// DidYouMean is the start of an error's advice naming the suggestions:
// "did you mean top_intents?", "did you mean a, b or c?"; empty without any.
func DidYouMean(suggestions []string) string {
	switch len(suggestions) {
	case 0:
		return ""
	case 1:
		return "did you mean " + suggestions[0] + "?"
	}
	last := len(suggestions) - 1
	return "did you mean " + strings.Join(suggestions[:last], ", ") + " or " + suggestions[last] + "?"
}

// MetricIDs lists the ids of the catalog's metrics in the catalog's order.
func MetricIDs() []string {
	ids := make([]string, len(Metrics))
	for i, m := range Metrics {
		ids[i] = m.ID
	}
	return ids
}

func isSeparator(r rune) bool { return r == '_' }

// sharedWords counts the words of a that are a word of b, or that one of
// them begins with when both have four letters or more (intent, intents).
func sharedWords(a, b []string) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y || (len(x) >= 4 && len(y) >= 4 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x))) {
				n++
				break
			}
		}
	}
	return n
}

// editDistance is the Levenshtein distance between a and b in runes:
// insertions, deletions and substitutions, each costing one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
