// Package userinput holds the two rules every message about user input
// follows: input is quoted with a bounded length, and text that PostgreSQL
// cannot store (a NUL byte, invalid UTF-8) is refused before it reaches SQL.
package userinput

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxEcho is how many characters of a user's input an error message quotes.
// A 10 MB metric id must not make a 10 MB message (logs, the query inspector).
const MaxEcho = 80

// Quote returns s as a Go-quoted string (so NUL bytes, control characters
// and invalid UTF-8 show as escapes), cut to MaxEcho characters with "…" and
// the input's length in bytes when longer.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxEcho {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d bytes)", strconv.Quote(s[:cutAt(s, MaxEcho)]+"…"), len(s))
}

// Bound cuts text that may carry input, such as another library's error
// message, to max characters with "…" and its length in bytes, unquoted.
func Bound(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cutAt(s, max)], len(s))
}

// cutAt is the byte offset after s's first n characters.
func cutAt(s string, n int) int {
	cut := 0
	for i := 0; cut < len(s) && i < n; i++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return cut
}

// Check refuses text PostgreSQL cannot take as a text parameter: a NUL byte
// or invalid UTF-8 ("invalid byte sequence" from the server otherwise). field
// names what the user must correct, such as "metric" or "the platform filter".
func Check(field, value string) error {
	if strings.IndexByte(value, 0) >= 0 {
		return fmt.Errorf("%s %s contains a NUL byte (\\u0000): remove it", field, Quote(value))
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s %s is not valid UTF-8: re-type it", field, Quote(value))
	}
	return nil
}
