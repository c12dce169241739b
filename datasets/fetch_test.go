package datasets

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// filesServer serves fixed files by name (Range honoured) and counts requests per path.
type filesServer struct {
	files map[string][]byte
	mu    sync.Mutex
	hits  map[string]int
}

func (s *filesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.hits == nil {
		s.hits = map[string]int{}
	}
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	b, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, r.URL.Path, time.Unix(0, 0), bytes.NewReader(b))
}

func (s *filesServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.hits {
		n += k
	}
	return n
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// amazonLike is a two-file source in Amazon's formats served by srv, with the hand fixture's
// statistics (4 reviews, 2 users, 3 items) as if published.
func amazonLike(srv *httptest.Server) Source {
	return Source{Name: "amazon-small", Interactions: 4, Users: 2, Items: 3, Positives: -1, Categories: 801, StatsFrom: "the test",
		Files: []SourceFile{{Name: "r.json.gz", URL: srv.URL + "/r.json.gz"}, {Name: "m.json.gz", URL: srv.URL + "/m.json.gz"}},
		Page:  "http://example.invalid/amazon", Load: loadAmazon}
}

func readLockT(t *testing.T, dir string) lockFile {
	t.Helper()
	lock, err := readLock(filepath.Join(dir, LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	return lock
}

// TestFetchFilesMultiFile downloads a source of two gzipped files: both are checked together
// against the statistics, recorded, and then loaded from the cache without requests.
func TestFetchFilesMultiFile(t *testing.T) {
	reviews, meta := gzipped(t, handAmazonReviews), gzipped(t, handAmazonMeta)
	fs := &filesServer{files: map[string][]byte{"r.json.gz": reviews, "m.json.gz": meta}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dl, log := newTestDownloader(t, srv)
	src := amazonLike(srv)

	paths, err := dl.FetchFiles(context.Background(), src, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dl.Dir, "r.json.gz"), filepath.Join(dl.Dir, "m.json.gz")}
	if !slices.Equal(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
	lock := readLockT(t, dl.Dir)
	for name, b := range map[string][]byte{"r.json.gz": reviews, "m.json.gz": meta} {
		if got, want := lock.Files[name], (lockEntry{SHA256: sha(b), Size: int64(len(b)), URL: srv.URL + "/" + name}); got != want {
			t.Errorf("lock %s: %+v, want %+v", name, got, want)
		}
	}
	for _, s := range []string{
		"first use: a clean load, then the statistics from the test",
		"amazon-small accepted: 4 interactions, 2 users, 3 items, 3 categories (the test reports 801), " +
			`1 items without a line in ` + filepath.Join(dl.Dir, "m.json.gz.part") + ` and 0 whose categories are empty (category "unknown")`,
		"amazon-small ready at " + want[0] + ", " + want[1],
	} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, log)
		}
	}

	n := fs.requests()
	d, _, err := dl.LoadSource(context.Background(), src, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref, _, _ := ReadAmazon(context.Background(), strings.NewReader(handAmazonReviews), "r", strings.NewReader(handAmazonMeta), "m", LoadOptions{})
	if d.Name != "amazon-small" || !slices.Equal(d.Items, ref.Items) || !slices.Equal(d.ItemCategories, ref.ItemCategories) || !slices.Equal(d.Times, ref.Times) {
		t.Errorf("loaded %+v, want the fixture's rows", d)
	}
	if _, err := dl.FetchFiles(context.Background(), src, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if fs.requests() != n {
		t.Errorf("%d requests after the download, want none", fs.requests()-n)
	}

	// A changed file is caught by its hash, whether loaded or fetched.
	if err := os.WriteFile(want[1], gzipped(t, handAmazonMeta+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = dl.LoadSource(context.Background(), src, LoadOptions{})
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), want[1]) || !strings.Contains(err.Error(), "records "+sha(meta)) {
		t.Errorf("changed file, load: %v", err)
	}
	if _, err := dl.FetchFiles(context.Background(), src, LoadOptions{}); !errors.Is(err, ErrChecksum) {
		t.Errorf("changed file, fetch: %v", err)
	}
}

func TestFetchFilesStatsMismatch(t *testing.T) {
	fs := &filesServer{files: map[string][]byte{"r.json.gz": gzipped(t, handAmazonReviews), "m.json.gz": gzipped(t, handAmazonMeta)}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dl, _ := newTestDownloader(t, srv)
	src := amazonLike(srv)
	src.Users = 3
	_, err := dl.FetchFiles(context.Background(), src, LoadOptions{})
	r, m := filepath.Join(dl.Dir, "r.json.gz"), filepath.Join(dl.Dir, "m.json.gz")
	want := "datasets: statistics mismatch: amazon-small: users 2, want 3 (expected values from the test) (the download was kept as " +
		r + ".rejected, " + m + ".rejected)"
	if !errors.Is(err, ErrStats) || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	for _, p := range []string{r, m, filepath.Join(dl.Dir, LockFileName)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists despite the mismatch: %v", p, err)
		}
	}
}

// TestFetchFilesLenient: a first download with a bad row is rejected unless the caller accepts
// skipped rows.
func TestFetchFilesLenient(t *testing.T) {
	bad := handYoochoose + "9,yesterday,1,0\n"
	fs := &filesServer{files: map[string][]byte{"clicks.dat": []byte(bad)}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	src := Source{Name: "clicks", Files: []SourceFile{{Name: "clicks.dat", URL: srv.URL + "/clicks.dat"}}, Page: "http://example.invalid", Load: loadYoochoose}

	dl, _ := newTestDownloader(t, srv)
	_, err := dl.FetchFiles(context.Background(), src, LoadOptions{})
	path := filepath.Join(dl.Dir, "clicks.dat")
	if !errors.Is(err, ErrBadRow) || !strings.Contains(err.Error(), "datasets: verifying clicks: "+path+".part:8: field 2 (timestamp)") ||
		!strings.HasSuffix(err.Error(), "(the download was kept as "+path+".rejected)") {
		t.Errorf("strict: %v", err)
	}
	dl, log := newTestDownloader(t, srv)
	if _, err := dl.FetchFiles(context.Background(), src, LoadOptions{Lenient: true}); err != nil {
		t.Fatal(err)
	}
	if s := "clicks accepted: 7 interactions, 3 users, 5 items, 3 sessions, 1 bad rows skipped (lenient)"; !strings.Contains(log.String(), s) {
		t.Errorf("log lacks %q:\n%s", s, log)
	}
}

// TestFetchFilesZip: a member is extracted from a downloaded zip (found by base name in a
// folder), both are recorded, and the member is extracted again from the recorded archive after
// it was deleted; a changed archive is refused before extraction.
func TestFetchFilesZip(t *testing.T) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, text := range map[string]string{"CIKM/products.csv": "itemId;pricelog2\n", "CIKM/train-item-views.csv": handDiginetica} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := zb.Bytes()
	fs := &filesServer{files: map[string][]byte{"d.zip": archive}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	dl, log := newTestDownloader(t, srv)
	src := Source{Name: "views", Files: []SourceFile{{Name: "train-item-views.csv", Archive: "d.zip", URL: srv.URL + "/d.zip"}},
		Page: "http://example.invalid", Load: loadDiginetica}

	paths, err := dl.FetchFiles(context.Background(), src, LoadOptions{})
	member := filepath.Join(dl.Dir, "train-item-views.csv")
	if err != nil || !slices.Equal(paths, []string{member}) {
		t.Fatalf("%q, %v", paths, err)
	}
	if got := mustRead(t, member); string(got) != handDiginetica {
		t.Errorf("extracted %q", got)
	}
	lock := readLockT(t, dl.Dir)
	if e := lock.Files["d.zip"]; e.SHA256 != sha(archive) || e.Size != int64(len(archive)) || e.URL != srv.URL+"/d.zip" {
		t.Errorf("archive entry %+v", e)
	}
	if e := lock.Files["train-item-views.csv"]; e.SHA256 != sha([]byte(handDiginetica)) {
		t.Errorf("member entry %+v", e)
	}
	if !strings.Contains(log.String(), "extracting train-item-views.csv from "+filepath.Join(dl.Dir, "d.zip.part")) {
		t.Errorf("log:\n%s", log)
	}

	os.Remove(member)
	d, _, err := dl.LoadSource(context.Background(), src, LoadOptions{})
	if err != nil || d.Len() != 8 || len(d.SessionIDs) != 3 {
		t.Fatalf("re-extracted: %v", err)
	}
	if !exists(member) || exists(member+".part") {
		t.Error("the re-extracted file is not in place")
	}

	os.Remove(member)
	changed := append(slices.Clone(archive), 0)
	if err := os.WriteFile(filepath.Join(dl.Dir, "d.zip"), changed, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = dl.LoadSource(context.Background(), src, LoadOptions{})
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "records "+sha(archive)) || exists(member+".part") {
		t.Errorf("changed archive: %v", err)
	}
}

// sevenZip builds a 7z archive that stores files uncompressed (the Copy method), one folder per
// file with its CRC, following the format description in 7-Zip's 7zFormat.txt: signature
// header, packed streams, then a plain (not encoded) header. Numbers are written in the 9-byte form (0xFF and
// 8 little-endian bytes), which the format allows for any value.
func sevenZip(files []struct{ name, data string }) []byte {
	var packed, h bytes.Buffer
	num := func(v int) { h.WriteByte(0xFF); h.Write(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
	for _, f := range files {
		packed.WriteString(f.data)
	}
	h.Write([]byte{0x01, 0x04, 0x06}) // Header, MainStreamsInfo, PackInfo
	num(0)                            // PackPos
	num(len(files))                   // NumPackStreams
	h.WriteByte(0x09)                 // Size
	for _, f := range files {
		num(len(f.data))
	}
	h.Write([]byte{0x00, 0x07, 0x0B}) // End, UnPackInfo, Folder
	num(len(files))
	h.WriteByte(0x00) // not External
	for range files {
		num(1)                      // one coder
		h.Write([]byte{0x01, 0x00}) // simple coder with a 1-byte id: 0x00 = Copy
	}
	h.WriteByte(0x0C) // CodersUnPackSize
	for _, f := range files {
		num(len(f.data))
	}
	h.Write([]byte{0x00, 0x08, 0x0D}) // End (UnPackInfo), SubStreamsInfo, NumUnPackStream
	for range files {
		num(1) // one file per folder (the reader needs this said, though the format implies it)
	}
	h.Write([]byte{0x0A, 0x01}) // CRC, all defined
	for _, f := range files {
		h.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(f.data))))
	}
	h.Write([]byte{0x00, 0x00, 0x05}) // End (SubStreamsInfo), End (StreamsInfo), FilesInfo
	num(len(files))
	var names bytes.Buffer
	for _, f := range files {
		for _, u := range utf16.Encode([]rune(f.name)) {
			names.Write(binary.LittleEndian.AppendUint16(nil, u))
		}
		names.Write([]byte{0, 0})
	}
	h.WriteByte(0x11) // Name
	num(1 + names.Len())
	h.WriteByte(0x00) // not External
	h.Write(names.Bytes())
	h.Write([]byte{0x00, 0x00}) // End (FilesInfo), End (Header)

	start := binary.LittleEndian.AppendUint64(nil, uint64(packed.Len())) // NextHeaderOffset
	start = binary.LittleEndian.AppendUint64(start, uint64(h.Len()))     // NextHeaderSize
	start = binary.LittleEndian.AppendUint32(start, crc32.ChecksumIEEE(h.Bytes()))
	out := []byte{'7', 'z', 0xBC, 0xAF, 0x27, 0x1C, 0, 4}
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(start))
	out = append(out, start...)
	out = append(out, packed.Bytes()...)
	return append(out, h.Bytes()...)
}

// TestFetchFiles7z: RECSYS15's form, a member of a 7z archive, downloaded, placed by hand, or
// placed already extracted.
func TestFetchFiles7z(t *testing.T) {
	archive := sevenZip([]struct{ name, data string }{
		{"README.txt", "YOOCHOOSE clicks\n"}, {"yoochoose-clicks.dat", handYoochoose}, {"yoochoose-buys.dat", "1,2014-04-07T10:51:09.277Z,214536502,1,1\n"},
	})
	want, _, err := ReadYoochooseClicks(context.Background(), strings.NewReader(handYoochoose), "x", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, d *Dataset) {
		t.Helper()
		if d == nil || d.Name != "clicks" || !slices.Equal(d.Items, want.Items) || !slices.Equal(d.Times, want.Times) || !slices.Equal(d.SessionIDs, want.SessionIDs) {
			t.Errorf("got %+v, want the fixture's rows", d)
		}
	}
	fs := &filesServer{files: map[string][]byte{"y.7z": archive}}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	src := Source{Name: "clicks", Files: []SourceFile{{Name: "yoochoose-clicks.dat", Archive: "y.7z", URL: srv.URL + "/y.7z"}},
		Page: "http://example.invalid", Load: loadYoochoose}

	t.Run("downloaded", func(t *testing.T) {
		dl, _ := newTestDownloader(t, srv)
		if _, err := dl.FetchFiles(context.Background(), src, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, filepath.Join(dl.Dir, "yoochoose-clicks.dat")); string(got) != handYoochoose {
			t.Errorf("extracted %q", got)
		}
		if lock := readLockT(t, dl.Dir); lock.Files["y.7z"].SHA256 != sha(archive) || lock.Files["yoochoose-clicks.dat"].SHA256 != sha([]byte(handYoochoose)) {
			t.Errorf("lock %+v", lock)
		}
		d, _, err := dl.LoadSource(context.Background(), src, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		check(t, d)
	})
	for _, tc := range []struct{ name, file, content string }{
		{"archive by hand", "y.7z", string(archive)},
		{"extracted by hand", "yoochoose-clicks.dat", handYoochoose},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			dl := &Downloader{Dir: dir, Log: &bytes.Buffer{}}
			n := fs.requests()
			d, _, err := dl.LoadSource(context.Background(), src, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			check(t, d)
			if fs.requests() != n {
				t.Error("LoadSource used the network")
			}
			if e := readLockT(t, dir).Files[tc.file]; e.SHA256 != sha([]byte(tc.content)) {
				t.Errorf("lock entry %+v", e)
			}
		})
	}
	t.Run("damaged member", func(t *testing.T) {
		dir := t.TempDir()
		damaged := slices.Clone(archive)
		damaged[32+len("YOOCHOOSE clicks\n")+5] ^= 1 // a byte of yoochoose-clicks.dat's stored data
		if err := os.WriteFile(filepath.Join(dir, "y.7z"), damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := (&Downloader{Dir: dir, Log: &bytes.Buffer{}}).LoadSource(context.Background(), src, LoadOptions{})
		if !errors.Is(err, ErrArchive) || exists(filepath.Join(dir, "yoochoose-clicks.dat.part")) {
			t.Errorf("got %v, want ErrArchive (the member's CRC) and nothing extracted", err)
		}
	})
	t.Run("damaged download", func(t *testing.T) {
		bad := &filesServer{files: map[string][]byte{"y.7z": archive[:len(archive)-3]}}
		badSrv := httptest.NewServer(bad)
		defer badSrv.Close()
		dl, _ := newTestDownloader(t, badSrv)
		s := src
		s.Files = []SourceFile{{Name: "yoochoose-clicks.dat", Archive: "y.7z", URL: badSrv.URL + "/y.7z"}}
		_, err := dl.FetchFiles(context.Background(), s, LoadOptions{})
		if rejected := filepath.Join(dl.Dir, "y.7z.rejected"); !errors.Is(err, ErrArchive) || !strings.HasSuffix(err.Error(), "(the download was kept as "+rejected+")") || !exists(rejected) {
			t.Errorf("got %v, want ErrArchive and the download kept as %s", err, rejected)
		}
	})
	t.Run("member missing", func(t *testing.T) {
		dir := t.TempDir()
		other := sevenZip([]struct{ name, data string }{{"README.txt", "x"}})
		if err := os.WriteFile(filepath.Join(dir, "y.7z"), other, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := (&Downloader{Dir: dir, Log: &bytes.Buffer{}}).LoadSource(context.Background(), src, LoadOptions{})
		if want := "datasets: bad archive: " + filepath.Join(dir, "y.7z") + " holds no yoochoose-clicks.dat (it holds README.txt)"; !errors.Is(err, ErrArchive) || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
}

// TestManualSources: files behind a login are never fetched; the error says where to get them and
// where to put them. A file placed there is accepted on first use and recorded (with the page as
// its origin).
func TestManualSources(t *testing.T) {
	dir := t.TempDir()
	dl := &Downloader{Dir: dir, Log: &bytes.Buffer{}}
	for _, tc := range []struct {
		src  string
		want string
	}{
		{"reddit-sessions", "datasets: not downloaded: reddit-sessions: reddit_data.csv is not at " + filepath.Join(dir, "reddit_data.csv") +
			": get reddit_data.csv from https://www.kaggle.com/colemaclean/subreddit-interactions (a login or a browser is needed there) and place it there"},
		{"cikm16", "datasets: not downloaded: cikm16: train-item-views.csv is not at " + filepath.Join(dir, "train-item-views.csv") +
			": get dataset-train-diginetica.zip from https://competitions.codalab.org/competitions/11161 (a login or a browser is needed there) and place it at " +
			filepath.Join(dir, "dataset-train-diginetica.zip") + ", or place the train-item-views.csv it holds at " + filepath.Join(dir, "train-item-views.csv")},
		{"alibaba", "datasets: not downloaded: alibaba: raw_sample.csv is not at " + filepath.Join(dir, "raw_sample.csv") +
			": get raw_sample.csv from https://tianchi.aliyun.com/dataset/56 (a login or a browser is needed there) and place it there; " +
			"ad_feature.csv is not at " + filepath.Join(dir, "ad_feature.csv") +
			": get ad_feature.csv from https://tianchi.aliyun.com/dataset/56 (a login or a browser is needed there) and place it there"},
		{"recsys15", "datasets: not downloaded: recsys15: yoochoose-clicks.dat is not at " + filepath.Join(dir, "yoochoose-clicks.dat") +
			": run `tibench datasets download recsys15`, or fetch https://s3-eu-west-1.amazonaws.com/yc-rdata/yoochoose-data.7z and place it at " +
			filepath.Join(dir, "yoochoose-data.7z") + ", or place the yoochoose-clicks.dat it holds at " + filepath.Join(dir, "yoochoose-clicks.dat")},
	} {
		src, err := SourceByName(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = dl.LoadSource(context.Background(), src, LoadOptions{})
		if !errors.Is(err, ErrNotDownloaded) || err.Error() != tc.want {
			t.Errorf("%s: got %v\nwant %s", tc.src, err, tc.want)
		}
		if tc.src == "recsys15" {
			continue // has a URL: FetchFiles would try it
		}
		if _, err := dl.FetchFiles(context.Background(), src, LoadOptions{}); !errors.Is(err, ErrNotDownloaded) || err.Error() != tc.want {
			t.Errorf("%s: fetch: got %v", tc.src, err)
		}
	}

	// Placed by hand: accepted and recorded on first use, checked on later ones.
	src, _ := SourceByName("alibaba")
	for name, text := range map[string]string{"raw_sample.csv": handTaobaoSamples, "ad_feature.csv": handTaobaoAds} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, _, err := dl.LoadSource(context.Background(), src, LoadOptions{})
	if err != nil || d.Name != "alibaba" || d.Len() != 5 {
		t.Fatalf("%v, %+v", err, d)
	}
	if e := readLockT(t, dir).Files["raw_sample.csv"]; e != (lockEntry{SHA256: sha([]byte(handTaobaoSamples)), Size: int64(len(handTaobaoSamples)), URL: "https://tianchi.aliyun.com/dataset/56"}) {
		t.Errorf("lock entry %+v", e)
	}
	if p, err := dl.ResolveSource(src); err != nil || p != filepath.Join(dir, "raw_sample.csv") {
		t.Errorf("resolve: %s, %v", p, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ad_feature.csv"), []byte(handTaobaoAds+"9,1,1,1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := dl.ResolveSource(src); !errors.Is(err, ErrChecksum) {
		t.Errorf("changed file, resolve: %v", err)
	}
}

// TestOpenRegistrySource: Open reads a registry dataset of another format than JODIE's from the
// cache directory ($TIBENCH_DATA), as `tibench run` does.
func TestOpenRegistrySource(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TIBENCH_DATA", dir)
	if err := os.WriteFile(filepath.Join(dir, "yoochoose-clicks.dat"), []byte(handYoochoose), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	d, err := Open(context.Background(), "recsys15", OpenOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "recsys15" || d.Len() != 7 || len(d.SessionIDs) != 3 {
		t.Errorf("%+v", d)
	}
	if s := "recsys15 accepted: 7 interactions, 3 users, 5 items, 3 sessions; SHA-256 recorded in " + filepath.Join(dir, LockFileName); !strings.Contains(log.String(), s) {
		t.Errorf("log lacks %q:\n%s", s, log.String())
	}
	if _, err := Open(context.Background(), "reddit-sessions", OpenOptions{}); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("missing: %v", err)
	}
}

func TestFetchFilesOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dl := &Downloader{Dir: t.TempDir(), Log: &bytes.Buffer{}, DialTimeout: time.Second}
	url := "http://" + addr + "/y.7z"
	src := Source{Name: "clicks", Files: []SourceFile{{Name: "yoochoose-clicks.dat", Archive: "y.7z", URL: url}}, Load: loadYoochoose}
	_, err = dl.FetchFiles(context.Background(), src, LoadOptions{})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "place the file at "+filepath.Join(dl.Dir, "y.7z")) {
		t.Errorf("got %v", err)
	}
}

// TestRegistrySources: every source of another format than JODIE's can be loaded and fetched or
// placed by hand, no two files share a name in the cache, and Amazon is gated by TIN's numbers.
func TestRegistrySources(t *testing.T) {
	seen := map[string]string{}
	for _, s := range Sources() {
		names := []string{s.File}
		if !s.isJODIE() {
			if s.Load == nil || s.Page == "" || s.File != "" {
				t.Errorf("%s: Load set %v, Page %q, File %q", s.Name, s.Load != nil, s.Page, s.File)
			}
			names = nil
			for _, f := range s.Files {
				names = append(names, f.Name)
				if f.Archive != "" {
					names = append(names, f.Archive)
				}
			}
		}
		for _, n := range names {
			if other, ok := seen[n]; ok {
				t.Errorf("%s and %s both use the file %s", other, s.Name, n)
			}
			seen[n] = s.Name
		}
	}
	// Oracle: TIN (Zhou, Pan et al., WWW 2024), appendix A.1.
	a, err := SourceByName("amazon-electronics")
	if err != nil {
		t.Fatal(err)
	}
	if got := [5]int{a.Interactions, a.Users, a.Items, a.Positives, a.Categories}; got != [5]int{1689188, 192403, 63001, -1, 801} {
		t.Errorf("amazon-electronics statistics %v", got)
	}
	for _, name := range []string{"recsys15", "cikm16", "reddit-sessions", "alibaba"} {
		if s, _ := SourceByName(name); s.hasStats() {
			t.Errorf("%s is checked against statistics nobody published for its raw files", name)
		}
	}
}
