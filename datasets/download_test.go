package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// smallSource describes testdata/small.csv as if it were a registry dataset; the counts are those
// of smallWant (8 rows, alice/bob/carol, x/y/z, 2 labels set).
var smallSource = Source{Name: "small", File: "small.csv", Interactions: 8, Users: 3, Items: 3, Positives: 2}

// fileServer serves content at /small.csv, honouring Range (http.ServeContent), and records
// each request's Range header. cut, when > 0, makes the first request send only cut bytes of
// the body and then drop the connection.
type fileServer struct {
	content []byte
	cut     int
	noRange bool // ignore Range headers, always 200
	hang    bool // with cut: after the first cut bytes, wait for the client to go away

	mu     sync.Mutex
	ranges []string
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/small.csv" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	first := len(s.ranges) == 1
	s.mu.Unlock()
	if first && s.cut > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(s.content)))
		w.Write(s.content[:s.cut])
		w.(http.Flusher).Flush()
		if s.hang {
			<-r.Context().Done()
		}
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}
	if s.noRange {
		w.Write(s.content)
		return
	}
	http.ServeContent(w, r, "small.csv", time.Unix(0, 0), bytes.NewReader(s.content))
}

func (s *fileServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...)
}

func newTestDownloader(t *testing.T, srv *httptest.Server) (*Downloader, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	return &Downloader{Dir: t.TempDir(), BaseURL: srv.URL + "/", Log: &log, LogEvery: time.Nanosecond}, &log
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestDownload(t *testing.T) {
	content := mustRead(t, "testdata/small.csv")
	fs := &fileServer{content: content}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dl, log := newTestDownloader(t, srv)

	path, err := dl.Fetch(context.Background(), smallSource)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dl.Dir, "small.csv"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if got := mustRead(t, path); !bytes.Equal(got, content) {
		t.Error("downloaded content differs")
	}
	lock, err := readLock(filepath.Join(dl.Dir, LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	want := lockEntry{SHA256: sha(content), Size: int64(len(content)), URL: srv.URL + "/small.csv"}
	if got := lock.Files["small.csv"]; got != want {
		t.Errorf("lock entry %+v, want %+v", got, want)
	}
	if _, err := os.Stat(path + ".part"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial file left behind: %v", err)
	}
	for _, s := range []string{"downloading " + srv.URL + "/small.csv", "transfer complete", "small ready at"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, log)
		}
	}

	// Cached: no new request, same path, hash verified.
	if p, err := dl.Fetch(context.Background(), smallSource); err != nil || p != path {
		t.Errorf("second fetch: %s, %v", p, err)
	}
	if p, err := dl.ResolveSource(smallSource); err != nil || p != path {
		t.Errorf("resolve: %s, %v", p, err)
	}
	if n := len(fs.seen()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestDownloadResume(t *testing.T) {
	content := mustRead(t, "testdata/small.csv")
	cut := 50
	wantRanges := []string{"", "bytes=50-"}

	t.Run("within one call", func(t *testing.T) {
		fs := &fileServer{content: content, cut: cut}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		dl, log := newTestDownloader(t, srv)
		path, err := dl.Fetch(context.Background(), smallSource)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, path); !bytes.Equal(got, content) {
			t.Errorf("resumed content differs:\n%s", got)
		}
		if got := fs.seen(); strings.Join(got, "|") != strings.Join(wantRanges, "|") {
			t.Errorf("Range headers %q, want %q", got, wantRanges)
		}
		if !strings.Contains(log.String(), "resuming (attempt 2 of 3)") {
			t.Errorf("log:\n%s", log)
		}
	})

	t.Run("across calls", func(t *testing.T) {
		fs := &fileServer{content: content, cut: cut}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		dl, _ := newTestDownloader(t, srv)
		dl.Attempts = 1
		path := filepath.Join(dl.Dir, "small.csv")
		_, err := dl.Fetch(context.Background(), smallSource)
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "run again to resume from "+path+".part") {
			t.Fatalf("first call: %v", err)
		}
		if got := mustRead(t, path+".part"); !bytes.Equal(got, content[:cut]) {
			t.Fatalf("partial file has %d bytes, want the first %d", len(got), cut)
		}
		if _, err := dl.Fetch(context.Background(), smallSource); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, path); !bytes.Equal(got, content) {
			t.Error("resumed content differs")
		}
		if got := fs.seen(); strings.Join(got, "|") != strings.Join(wantRanges, "|") {
			t.Errorf("Range headers %q, want %q", got, wantRanges)
		}
	})

	t.Run("cancelled then resumed", func(t *testing.T) {
		fs := &fileServer{content: content, cut: cut, hang: true}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		dl, _ := newTestDownloader(t, srv)
		path := filepath.Join(dl.Dir, "small.csv")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		go func() { // cancel once the first bytes are on disk
			for ctx.Err() == nil {
				if st, err := os.Stat(path + ".part"); err == nil && st.Size() >= int64(cut) {
					cancel()
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
		_, err := dl.Fetch(ctx, smallSource)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again to resume from "+path+".part") {
			t.Fatalf("got %v, want a cancellation error", err)
		}
		if _, err := dl.Fetch(context.Background(), smallSource); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, path); !bytes.Equal(got, content) {
			t.Error("resumed content differs")
		}
		if got := fs.seen(); strings.Join(got, "|") != strings.Join(wantRanges, "|") {
			t.Errorf("Range headers %q, want %q", got, wantRanges)
		}
	})

	t.Run("server ignores Range", func(t *testing.T) {
		fs := &fileServer{content: content, noRange: true}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		dl, log := newTestDownloader(t, srv)
		path := filepath.Join(dl.Dir, "small.csv")
		if err := os.WriteFile(path+".part", []byte("garbage that must not stay"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := dl.Fetch(context.Background(), smallSource); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, path); !bytes.Equal(got, content) {
			t.Error("content differs")
		}
		if !strings.Contains(log.String(), "ignored the Range request") {
			t.Errorf("log:\n%s", log)
		}
	})

	t.Run("partial already complete", func(t *testing.T) {
		fs := &fileServer{content: content}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		dl, _ := newTestDownloader(t, srv)
		path := filepath.Join(dl.Dir, "small.csv")
		if err := os.WriteFile(path+".part", content, 0o644); err != nil {
			t.Fatal(err)
		}
		// ServeContent answers 416 to a Range starting at the end of the file.
		if _, err := dl.Fetch(context.Background(), smallSource); err != nil {
			t.Fatal(err)
		}
		if got := fs.seen(); len(got) != 1 || got[0] != "bytes="+strconv.Itoa(len(content))+"-" {
			t.Errorf("ranges %q (content is %d bytes)", got, len(content))
		}
	})
}

func TestDownloadCorrupted(t *testing.T) {
	content := mustRead(t, "testdata/small.csv")
	srv := httptest.NewServer(&fileServer{content: content})
	defer srv.Close()
	dl, _ := newTestDownloader(t, srv)
	path, err := dl.Fetch(context.Background(), smallSource)
	if err != nil {
		t.Fatal(err)
	}
	// Same statistics, different bytes: only the lock file can tell.
	damaged := bytes.Replace(content, []byte("0.5"), []byte("0.6"), 1)
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(dl.Dir, LockFileName)
	for name, f := range map[string]func() (string, error){
		"Fetch":         func() (string, error) { return dl.Fetch(context.Background(), smallSource) },
		"ResolveSource": func() (string, error) { return dl.ResolveSource(smallSource) },
	} {
		_, err := f()
		if !errors.Is(err, ErrChecksum) {
			t.Fatalf("%s: got %v, want ErrChecksum", name, err)
		}
		for _, s := range []string{path, lockPath, "SHA-256 " + sha(damaged), "records " + sha(content)} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", name, err, s)
			}
		}
	}

	// A re-download must reproduce the recorded hash too (upstream changed).
	os.Remove(path)
	srv2 := httptest.NewServer(&fileServer{content: damaged})
	defer srv2.Close()
	dl.BaseURL = srv2.URL
	_, err = dl.Fetch(context.Background(), smallSource)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "kept as "+path+".rejected") {
		t.Errorf("re-download of changed content: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rejected file moved into place: %v", err)
	}
}

func TestDownloadStatsMismatch(t *testing.T) {
	content := mustRead(t, "testdata/small.csv")
	srv := httptest.NewServer(&fileServer{content: content})
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		modify func(*Source)
		want   string
	}{
		{"interactions", func(s *Source) { s.Interactions = 9 }, "datasets: statistics mismatch: small: interactions 8, want 9 (expected values from the JODIE paper)"},
		{"users and items", func(s *Source) { s.Users, s.Items = 2, 4 }, "datasets: statistics mismatch: small: users 3, want 2, items 3, want 4 (expected values from the JODIE paper)"},
		{"positives", func(s *Source) { s.Positives = 3 }, "datasets: statistics mismatch: small: positive labels 2, want 3 (expected values from the JODIE paper)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dl, _ := newTestDownloader(t, srv)
			src := smallSource
			tc.modify(&src)
			path := filepath.Join(dl.Dir, "small.csv")
			_, err := dl.Fetch(context.Background(), src)
			want := tc.want + " (the download was kept as " + path + ".rejected)"
			if !errors.Is(err, ErrStats) || err.Error() != want {
				t.Errorf("got %v\nwant %s", err, want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("file moved into place despite the mismatch: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dl.Dir, LockFileName)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock file written despite the mismatch: %v", err)
			}
		})
	}
	// Positives: -1 skips the label check (LastFM, Reddit, Wikipedia).
	dl, _ := newTestDownloader(t, srv)
	src := smallSource
	src.Positives = -1
	if _, err := dl.Fetch(context.Background(), src); err != nil {
		t.Error(err)
	}
}

func TestDownloadOffline(t *testing.T) {
	// A port that was just closed refuses connections, like a machine without network.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dl := &Downloader{Dir: t.TempDir(), BaseURL: "http://" + addr, Log: &bytes.Buffer{}, DialTimeout: time.Second}
	start := time.Now()
	_, err = dl.Fetch(context.Background(), smallSource)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to fail", d)
	}
	url := "http://" + addr + "/small.csv"
	path := filepath.Join(dl.Dir, "small.csv")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "place the file at "+path) {
		t.Errorf("got %v\nwant ErrUnreachable naming %s and %s", err, url, path)
	}
	_, err = dl.ResolveSource(smallSource)
	want := "datasets: not downloaded: small is not at " + path + ": run `tibench datasets download small`, or fetch " + url + " and place it there"
	if !errors.Is(err, ErrNotDownloaded) || err.Error() != want {
		t.Errorf("resolve: got %v\nwant %s", err, want)
	}
}

func TestDownloadHTTPError(t *testing.T) {
	fs := &fileServer{}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dl, _ := newTestDownloader(t, srv)
	_, err := dl.Fetch(context.Background(), Source{Name: "nope", File: "nope.csv"})
	want := "datasets: download failed: GET " + srv.URL + "/nope.csv: 404 Not Found"
	if !errors.Is(err, ErrUnreachable) || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestResolveByHand(t *testing.T) {
	// A file placed by hand is checked against the statistics once, then recorded in the lock file.
	dir := t.TempDir()
	content := mustRead(t, "testdata/small.csv")
	if err := os.WriteFile(filepath.Join(dir, "small.csv"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	dl := &Downloader{Dir: dir, BaseURL: "http://127.0.0.1:1", Log: &bytes.Buffer{}}
	bad := smallSource
	bad.Items = 4
	if _, err := dl.ResolveSource(bad); !errors.Is(err, ErrStats) {
		t.Errorf("wrong statistics: %v", err)
	}
	if _, err := dl.ResolveSource(smallSource); err != nil {
		t.Fatal(err)
	}
	lock, err := readLock(filepath.Join(dir, LockFileName))
	if err != nil || lock.Files["small.csv"].SHA256 != sha(content) {
		t.Errorf("lock %+v, %v", lock, err)
	}
}

func TestRegistry(t *testing.T) {
	// Oracle: the JODIE paper's Table 1, as quoted in the task statement.
	want := map[string][4]int{
		"reddit":    {672447, 10000, 1000, -1},
		"wikipedia": {157474, 8227, 1000, -1},
		"lastfm":    {1293103, 1000, 1000, -1},
		"mooc":      {411749, 7047, 98, 4066},
	}
	names := SourceNames()
	if strings.Join(names, ",") != "alibaba,amazon-electronics,cikm16,lastfm,mooc,recsys15,reddit,reddit-sessions,wikipedia" {
		t.Errorf("names %q", names)
	}
	for name, w := range want {
		s, err := SourceByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := [4]int{s.Interactions, s.Users, s.Items, s.Positives}; got != w || s.File != name+".csv" {
			t.Errorf("%s: %v %s", name, got, s.File)
		}
		if u := (&Downloader{}).URL(s); u != "http://snap.stanford.edu/jodie/"+name+".csv" {
			t.Errorf("url %s", u)
		}
	}
	_, err := SourceByName("movielens")
	if !errors.Is(err, ErrUnknownSource) || err.Error() != `datasets: unknown dataset "movielens" (known: alibaba, amazon-electronics, cikm16, lastfm, mooc, recsys15, reddit, reddit-sessions, wikipedia)` {
		t.Errorf("unknown: %v", err)
	}
	if _, err := Resolve("movielens"); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("resolve unknown: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("TIBENCH_DATA", "/data/tibench")
	if d, err := DefaultDir(); err != nil || d != "/data/tibench" {
		t.Errorf("with TIBENCH_DATA: %s %v", d, err)
	}
	t.Setenv("TIBENCH_DATA", "")
	t.Setenv("HOME", "/home/someone")
	if d, err := DefaultDir(); err != nil || d != "/home/someone/.cache/tibench" {
		t.Errorf("default: %s %v", d, err)
	}
}
