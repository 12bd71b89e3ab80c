package generator

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Times inside the generator are Unix milliseconds: cheap to add and compare,
// and fine enough that messages of one conversation never tie.
const (
	second = int64(1000)
	minute = 60 * second
	hour   = 60 * minute
	day    = 24 * hour
)

// pcgStream is the constant of the brief's rand.NewPCG(seed, seed^constant).
const pcgStream = 0x9e3779b97f4a7c15

// rng wraps math/rand/v2 with the few distributions the generator needs.
type rng struct{ *rand.Rand }

// newRNG is the generator for one workspace and one purpose: the master
// seed's stream, advanced by a splitmix of (workspace, purpose), so that
// changing one part of the simulation does not reshuffle the others.
func newRNG(seed uint64, workspace, purpose int) rng {
	s := splitmix(seed ^ splitmix(uint64(workspace)<<8|uint64(purpose)))
	return rng{rand.New(rand.NewPCG(s, s^pcgStream))}
}

// splitmix is the SplitMix64 finaliser: a bijection on uint64 that scatters
// nearby inputs, used to derive seeds and unique-looking ids.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r rng) chance(p float64) bool { return r.Float64() < p }

// between is uniform in [lo, hi); lo when the range is empty.
func (r rng) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + r.Int64N(hi-lo)
}

// lognormal is a duration with the given median whose spread grows with
// sigma: the shape of waits and response times, which have long right tails.
func (r rng) lognormal(median int64, sigma float64, lo, hi int64) int64 {
	v := int64(float64(median) * math.Exp(sigma*r.NormFloat64()))
	return min(max(v, lo), hi)
}

// geometric counts successes before the first failure with continue probability p, capped.
func (r rng) geometric(p float64, limit int) int {
	n := 0
	for n < limit && r.Float64() < p {
		n++
	}
	return n
}

func pick[T any](r rng, list []T) T { return list[r.IntN(len(list))] }

// weighted draws indexes with probabilities proportional to fixed weights.
type weighted struct{ cum []float64 }

func newWeighted(weights []float64) weighted {
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cum[i] = total
	}
	return weighted{cum}
}

// zipf weights n ranks as 1/rank^s.
func zipf(n int, s float64) weighted {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return newWeighted(w)
}

func (w weighted) draw(r rng) int {
	u := r.Float64() * w.cum[len(w.cum)-1]
	i := sort.SearchFloat64s(w.cum, u)
	if i >= len(w.cum) {
		i = len(w.cum) - 1
	}
	return i
}

// activity is the rate at which things happen over [lo, hi), hour by hour:
// the local daily cycle times the weekly cycle times a slow linear growth
// times a little day-to-day noise. Sampling from it gives start times with
// all of those shapes at once.
type activity struct {
	lo  int64
	cum []float64 // cum[i]: total weight of the hours before hour i
}

func newActivity(r rng, lo, hi int64, loc *time.Location, growth float64) *activity {
	// A period that ends within an hour (Config.Until) gets that last hour
	// too, so something can happen in its final minutes.
	hours := int((hi - lo + hour - 1) / hour)
	a := &activity{lo: lo, cum: make([]float64, hours+1)}
	dayNoise := map[int64]float64{}
	for i := 0; i < hours; i++ {
		t := lo + int64(i)*hour
		local := time.UnixMilli(t).In(loc)
		y, m, d := local.Date()
		key := int64(y)*10000 + int64(m)*100 + int64(d)
		noise, ok := dayNoise[key]
		if !ok {
			noise = 0.85 + 0.3*r.Float64()
			dayNoise[key] = noise
		}
		w := hourWeights[local.Hour()] * weekdayWeights[local.Weekday()] * noise *
			(1 + growth*float64(t-lo)/float64(hi-lo))
		a.cum[i+1] = a.cum[i] + w
	}
	return a
}

// at is the cumulative weight up to t.
func (a *activity) at(t int64) float64 {
	off := t - a.lo
	if off <= 0 {
		return 0
	}
	i := off / hour
	if int(i) >= len(a.cum)-1 {
		return a.cum[len(a.cum)-1]
	}
	frac := float64(off%hour) / float64(hour)
	return a.cum[i] + frac*(a.cum[i+1]-a.cum[i])
}

// sample draws a time in [t0, t1) with density proportional to the activity.
func (a *activity) sample(r rng, t0, t1 int64) int64 {
	c0, c1 := a.at(t0), a.at(t1)
	if c1 <= c0 {
		return t0
	}
	u := c0 + r.Float64()*(c1-c0)
	i := sort.SearchFloat64s(a.cum, u) - 1
	i = max(0, min(i, len(a.cum)-2))
	w := a.cum[i+1] - a.cum[i]
	t := a.lo + int64(i)*hour
	if w > 0 {
		t += int64((u - a.cum[i]) / w * float64(hour))
	}
	return min(max(t, t0), t1-1)
}

// variants are the ways people type the same phrase: with or without capitals
// and trailing punctuation, so that "popular phrases" must normalise them.
func variants(phrase string) []string {
	cases := []string{phrase, strings.ToLower(phrase), capitalise(phrase)}
	if utf8.RuneCountInString(phrase) > 3 {
		cases = append(cases, strings.ToUpper(phrase))
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range cases {
		bare := strings.TrimRight(c, " ?!.¿¡")
		for _, v := range []string{c, bare, bare + "!", bare + "??", c + " "} {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// typed returns one of the variants of a phrase; most people type it as is.
func (r rng) typed(v []string) string {
	if len(v) == 1 || r.chance(0.5) {
		return v[0]
	}
	return v[1+r.IntN(len(v)-1)]
}

// editText makes the small edits an agent applies to an AI suggestion:
// a few deleted, replaced or inserted letters, sometimes a closing word.
func (r rng) editText(s string, lang int) string {
	runes := []rune(s)
	edits := 0
	switch u := r.Float64(); {
	case u < 0.3:
		edits = 0
	case u < 0.8:
		edits = 1 + r.IntN(3)
	default:
		edits = 4 + r.IntN(9)
	}
	const letters = "aeiourstnlmdc"
	for e := 0; e < edits && len(runes) > 1; e++ {
		i := r.IntN(len(runes))
		switch r.IntN(3) {
		case 0:
			runes = append(runes[:i], runes[i+1:]...)
		case 1:
			runes[i] = rune(letters[r.IntN(len(letters))])
		default:
			runes = append(runes[:i], append([]rune{rune(letters[r.IntN(len(letters))])}, runes[i:]...)...)
		}
	}
	out := string(runes)
	if r.chance(0.15) {
		out += [6]string{" Saludos.", " Cheers.", " Abraços.", " Всего доброго.", " Cordialement.", " Viele Grüße."}[lang]
	}
	return out
}
