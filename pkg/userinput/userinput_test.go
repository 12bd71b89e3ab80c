package userinput

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuoteBoundsLongInput(t *testing.T) {
	require.Equal(t, `"active_users"`, Quote("active_users"))
	require.Equal(t, `"a\x00b"`, Quote("a\x00b"))
	long := strings.Repeat("x", 10<<20)
	got := Quote(long)
	require.Equal(t, `"`+strings.Repeat("x", MaxEcho)+`…" (10485760 bytes)`, got)
	// Multi-byte characters are never cut in half.
	require.Equal(t, `"`+strings.Repeat("é", MaxEcho)+`…" (200 bytes)`, Quote(strings.Repeat("é", 100)))
	// Exactly MaxEcho characters is not cut.
	require.Equal(t, `"`+strings.Repeat("y", MaxEcho)+`"`, Quote(strings.Repeat("y", MaxEcho)))
}

func TestCheckRefusesNULAndInvalidUTF8(t *testing.T) {
	require.NoError(t, Check("metric", "active_users ñ 日本"))
	require.EqualError(t, Check("metric", "active\x00users"), `metric "active\x00users" contains a NUL byte (\u0000): remove it`)
	require.EqualError(t, Check("time zone", "Europe/\xffMadrid"), `time zone "Europe/\xffMadrid" is not valid UTF-8: re-type it`)
}
