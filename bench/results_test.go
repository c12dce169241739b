package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResultsRoundTrip(t *testing.T) {
	recs := []Record{
		{Bench: "NextItem", Name: []KV{{"model", "jodie"}, {"dataset", "synth-wikipedia"}},
			Values: []Value{{0.7461, "MRR"}, {0.822, "recall@10"}, {41.3, "sec/epoch"}},
			Config: []KV{{"commit", "abc"}, {"seed", "1"}, {"protocol", "online"}}},
		{Bench: "NextItem", Name: []KV{{"model", "jodie"}, {"dataset", "synth-wikipedia"}},
			Values: []Value{{0.75, "MRR"}}, Config: []KV{{"commit", "abc"}, {"seed", "2"}, {"protocol", "online"}}},
	}
	var buf bytes.Buffer
	if err := EncodeResults(&buf, recs); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"Unit MRR better=higher\n",
		"Unit sec/epoch better=lower\n",
		"commit: abc\nseed: 1\nprotocol: online\n",
		"BenchmarkNextItem/model=jodie/dataset=synth-wikipedia 1 0.7461 MRR 0.822 recall@10 41.3 sec/epoch\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("encoded results lack %q:\n%s", want, text)
		}
	}
	got, err := DecodeResults(strings.NewReader(text), "x")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, recs)
	}
}

func TestWriteRunAtomicAndRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exp", "popularity", "d", "seed-1"+ResultExt)
	rec := Record{Bench: "NextItem", Name: []KV{{"model", "popularity"}}, Values: []Value{{0.1, "MRR"}}, Config: []KV{{"seed", "1"}}}
	if err := WriteRun(path, []Record{rec}, []byte("run: {}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(strings.TrimSuffix(path, ResultExt) + ".yaml"); err != nil {
		t.Errorf("resolved config not written: %v", err)
	}
	// Scratch results under local/ are not part of the committed set.
	if err := WriteRun(filepath.Join(dir, "local", "x"+ResultExt), []Record{rec}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResults(dir)
	if err != nil || len(got) != 1 {
		t.Fatalf("ReadResults = %v, %v; want the one record outside local/", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	// An unwritable results directory is an error, and nothing is half-written.
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root ignores permissions
		if err := WriteRun(filepath.Join(ro, "r"+ResultExt), []Record{rec}, nil); err == nil {
			t.Error("writing into a read-only directory succeeded")
		}
	}
	if err := WriteRun(filepath.Join(path, "under-a-file"+ResultExt), []Record{rec}, nil); err == nil {
		t.Error("writing below a regular file succeeded")
	}
}
