package plugin

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// BenchmarkConcurrentLongExports runs four dialogs exports of 10,000 rows
// with 10 kB titles at once, the case that once took the plugin to 2.8 GB,
// and reports the process's peak heap and peak RSS while they run. Run with
// go test ./pkg/plugin -run '^$' -bench ConcurrentLongExports -benchtime 3x
func BenchmarkConcurrentLongExports(b *testing.B) {
	ds := longTextsDatasource(b, "")
	request := &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", `{"queryType":"records","metric":"dialogs","limit":10000}`, january, february),
	}}
	runtime.GC()
	resetPeakRSS(b)
	var peakHeap uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap in use while the exports run
		defer close(sampled)
		var stats runtime.MemStats
		for {
			runtime.ReadMemStats(&stats)
			peakHeap = max(peakHeap, stats.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				resp, err := ds.QueryData(context.Background(), request)
				if err != nil || resp.Responses["A"].Error != nil {
					b.Errorf("export failed: %v %v", err, resp.Responses["A"].Error)
				}
			})
		}
		wg.Wait()
	}
	close(stop)
	<-sampled
	peakRSS := peakRSSBytes(b)
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MB")
	if peakRSS > 200<<20 {
		b.Errorf("four exports took the process to %d MB of RSS, over 200 MB", peakRSS>>20)
	}
}

// resetPeakRSS starts the kernel's peak RSS count (VmHWM) afresh, so that it
// measures the exports, not the loading of the store before them.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS on this system: %v", err)
	}
}

// peakRSSBytes is VmHWM, the process's peak resident set since the reset.
func peakRSSBytes(b *testing.B) uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kB, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			if err == nil {
				return kB << 10
			}
		}
	}
	b.Skip("no VmHWM in /proc/self/status")
	return 0
}
