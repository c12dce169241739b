package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// LockFileName is the file in the cache directory that records the SHA-256 of every accepted
// download, so that later uses detect a changed or damaged file (and a re-download detects a
// changed upstream file).
const LockFileName = "tibench-data.lock"

// Sentinel errors of the downloader.
var (
	ErrChecksum      = errors.New("datasets: checksum mismatch")
	ErrUnreachable   = errors.New("datasets: download failed")
	ErrNotDownloaded = errors.New("datasets: not downloaded")
)

// Downloader fetches registry datasets into a cache directory. The zero value is ready to use.
//
// A download goes to NAME.csv.part (resumed with an HTTP Range request when a previous transfer
// broke off), is loaded and checked against the Source's statistics and the lock file, and only
// then renamed to NAME.csv. A file that fails the checks is renamed to NAME.csv.rejected.
// Sources of several files, archives or other formats than JODIE's go the same way file by file
// (fetch.go: FetchFiles, LoadSource). Concurrent downloaders sharing one cache directory are not
// coordinated.
type Downloader struct {
	// Dir is the cache directory. Default: DefaultDir().
	Dir string
	// BaseURL is prefixed to Source.File of the JODIE CSVs (other sources name their own URLs).
	// Default DefaultBaseURL; tests point it at httptest servers.
	BaseURL string
	// Client does the HTTP requests. Default: a client whose dials time out after DialTimeout,
	// so that an offline machine fails fast.
	Client *http.Client
	// DialTimeout bounds connecting when Client is nil. Default 5s.
	DialTimeout time.Duration
	// Attempts is how many transfers one download may take: a transfer that broke off after
	// receiving data is resumed from where it stopped. Default 3.
	Attempts int
	// Log receives progress and messages. Default os.Stderr. When it is a terminal it shows a
	// progress bar, otherwise plain lines at most every LogEvery.
	Log io.Writer
	// LogEvery throttles plain progress lines. Default 10s.
	LogEvery time.Duration
}

// DefaultDir is $TIBENCH_DATA when set, else ~/.cache/tibench.
func DefaultDir() (string, error) {
	if d := os.Getenv("TIBENCH_DATA"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("datasets: no cache directory: set TIBENCH_DATA (%w)", err)
	}
	return filepath.Join(home, ".cache", "tibench"), nil
}

func (dl *Downloader) dir() (string, error) {
	if dl.Dir != "" {
		return dl.Dir, nil
	}
	return DefaultDir()
}

func (dl *Downloader) log() io.Writer {
	if dl.Log != nil {
		return dl.Log
	}
	return os.Stderr
}

// URL is where src is downloaded from: a JODIE CSV under BaseURL; for the other sources their
// first file's URL ("" when it is placed by hand; see Source.Files).
func (dl *Downloader) URL(src Source) string {
	if !src.isJODIE() {
		return src.Files[0].URL
	}
	base := dl.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	return strings.TrimSuffix(base, "/") + "/" + src.File
}

// Path is where src lives in the cache, downloaded or not: its JODIE CSV, or the first of its
// files (Paths lists them all).
func (dl *Downloader) Path(src Source) (string, error) {
	dir, err := dl.dir()
	if err != nil {
		return "", err
	}
	if !src.isJODIE() {
		return filepath.Join(dir, src.Files[0].Name), nil
	}
	return filepath.Join(dir, src.File), nil
}

// Resolve returns the cached path of a registry dataset. See ResolveSource.
func Resolve(name string) (string, error) { return (&Downloader{}).Resolve(name) }

// Resolve returns the cached path of the registry dataset name. See ResolveSource.
func (dl *Downloader) Resolve(name string) (string, error) {
	src, err := SourceByName(name)
	if err != nil {
		return "", err
	}
	return dl.ResolveSource(src)
}

// ResolveSource returns src's path in the cache (Path) without using the network. A file
// recorded in the lock file must still have its hash; a file placed by hand is checked against
// src's statistics once and then recorded (for sources of several files, through a load of them
// all, as FetchFiles does). A missing file is an ErrNotDownloaded error saying how to get it.
func (dl *Downloader) ResolveSource(src Source) (string, error) {
	if !src.isJODIE() {
		return dl.resolveFiles(src)
	}
	path, err := dl.Path(src)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s is not at %s: run `tibench datasets download %s`, or fetch %s and place it there",
			ErrNotDownloaded, src.Name, path, src.Name, dl.URL(src))
	} else if err != nil {
		return "", fmt.Errorf("datasets: %w", err)
	}
	if err := dl.accept(context.Background(), src, path, path); err != nil {
		return "", err
	}
	return path, nil
}

// resolveFiles is ResolveSource for sources other than a JODIE CSV.
func (dl *Downloader) resolveFiles(src Source) (string, error) {
	ctx := context.Background()
	dir, err := dl.dir()
	if err != nil {
		return "", err
	}
	set, err := dl.locate(ctx, src, dir, nil)
	if err != nil {
		return "", err
	}
	if _, _, err := dl.verify(ctx, set, LoadOptions{Name: src.Name}, false); err != nil {
		return "", set.abort(ctx, err)
	}
	if err := set.commit(); err != nil {
		return "", err
	}
	return dl.Path(src)
}

// Download fetches the registry dataset name (unless cached) and returns its path (the first of
// its files; FetchFiles returns them all).
func (dl *Downloader) Download(ctx context.Context, name string) (string, error) {
	src, err := SourceByName(name)
	if err != nil {
		return "", err
	}
	return dl.Fetch(ctx, src)
}

// Fetch makes src available in the cache and returns its path: a cached file is verified as in
// ResolveSource; otherwise it is downloaded, verified, recorded in the lock file and moved into
// place. For a source of several files it is FetchFiles, returning the first path.
func (dl *Downloader) Fetch(ctx context.Context, src Source) (string, error) {
	if !src.isJODIE() {
		paths, err := dl.FetchFiles(ctx, src, LoadOptions{})
		if err != nil {
			return "", err
		}
		return paths[0], nil
	}
	path, err := dl.Path(src)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); err == nil {
		return dl.ResolveSource(src)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("datasets: creating the cache directory: %w", err)
	}
	part := path + ".part"
	url := dl.URL(src)
	if err := dl.transferAll(ctx, src, url, part, path); err != nil {
		return "", err
	}
	if err := dl.accept(ctx, src, part, path); err != nil {
		if ctx.Err() == nil {
			rejected := path + ".rejected"
			if rerr := os.Rename(part, rejected); rerr == nil {
				err = fmt.Errorf("%w (the download was kept as %s)", err, rejected)
			}
		}
		return "", err
	}
	if err := os.Rename(part, path); err != nil {
		return "", fmt.Errorf("datasets: %w", err)
	}
	fmt.Fprintf(dl.log(), "datasets: %s ready at %s\n", src.Name, path)
	return path, nil
}

// accept verifies file (which will live at path) and records it in the lock file if it is not
// there yet: a recorded hash must match; an unrecorded file must match src's statistics.
func (dl *Downloader) accept(ctx context.Context, src Source, file, path string) error {
	lockPath := filepath.Join(filepath.Dir(path), LockFileName)
	lock, err := readLock(lockPath)
	if err != nil {
		return err
	}
	entry, recorded := lock.Files[src.File]
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if recorded {
		n, err := io.Copy(h, f)
		if err != nil {
			return fmt.Errorf("datasets: hashing %s: %w", file, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != entry.SHA256 {
			return fmt.Errorf("%w: %s (%d bytes) has SHA-256 %s, but %s records %s (%d bytes) for %s; delete the file to download it again",
				ErrChecksum, file, n, got, lockPath, entry.SHA256, entry.Size, src.File)
		}
		return nil
	}
	// First sight of this file: load it (hashing the same bytes) and compare with the paper.
	fmt.Fprintf(dl.log(), "datasets: verifying %s against the JODIE paper's statistics\n", file)
	cnt := &countingWriter{w: h}
	d, _, err := ReadCSV(ctx, io.TeeReader(f, cnt), file, LoadOptions{Name: src.Name})
	if err != nil {
		return fmt.Errorf("datasets: verifying %s: %w", src.Name, err)
	}
	if err := src.Check(d); err != nil {
		return err
	}
	if lock.Files == nil {
		lock.Files = make(map[string]lockEntry)
	}
	lock.Files[src.File] = lockEntry{SHA256: hex.EncodeToString(h.Sum(nil)), Size: cnt.n, URL: dl.URL(src)}
	return writeLock(lockPath, lock)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// lockFile is the JSON content of LockFileName.
type lockFile struct {
	Files map[string]lockEntry `json:"files"` // by Source.File
}

type lockEntry struct {
	SHA256 string `json:"sha256"` // hex
	Size   int64  `json:"size"`   // bytes
	URL    string `json:"url"`    // where it came from (or would have, for a file placed by hand)
}

func readLock(path string) (lockFile, error) {
	var lock lockFile
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lock, nil
	}
	if err != nil {
		return lock, fmt.Errorf("datasets: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lock); err != nil {
		return lock, fmt.Errorf("datasets: reading lock file %s: %w", path, err)
	}
	return lock, nil
}

func writeLock(path string, lock lockFile) error {
	b, err := json.MarshalIndent(lock, "", "  ") // map keys come out sorted
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes a temporary file next to path and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("datasets: writing %s: %w", path, err)
	}
	return nil
}

func (dl *Downloader) client() *http.Client {
	if dl.Client != nil {
		return dl.Client
	}
	timeout := dl.DialTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}}
}

// transferAll downloads url into part, resuming after transfers that broke off having made progress.
func (dl *Downloader) transferAll(ctx context.Context, src Source, url, part, path string) error {
	attempts := dl.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	client := dl.client()
	for attempt := 1; ; attempt++ {
		progressed, err := dl.transfer(ctx, client, src, url, part)
		if err == nil {
			return nil
		}
		var se *statusError
		if errors.As(err, &se) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("datasets: downloading %s (run again to resume from %s): %w", src.Name, part, ctx.Err())
		}
		if !progressed {
			return fmt.Errorf("%w: %s from %s: %w; if this machine is offline, fetch that URL elsewhere and place the file at %s",
				ErrUnreachable, src.Name, url, err, path)
		}
		if attempt >= attempts {
			return fmt.Errorf("%w: %s from %s: %w (after %d attempts; run again to resume from %s)",
				ErrUnreachable, src.Name, url, err, attempts, part)
		}
		fmt.Fprintf(dl.log(), "datasets: %s: transfer broke off (%v); resuming (attempt %d of %d)\n", src.Name, err, attempt+1, attempts)
	}
}

type statusError struct {
	url    string
	status string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%v: GET %s: %s", ErrUnreachable, e.url, e.status)
}

func (e *statusError) Unwrap() error { return ErrUnreachable }

// transfer makes one HTTP request, appending to part from its current size when the server
// honours Range. progressed reports whether any body bytes were stored.
func (dl *Downloader) transfer(ctx context.Context, client *http.Client, src Source, url, part string) (progressed bool, err error) {
	var off int64
	if st, err := os.Stat(part); err == nil {
		off = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, fmt.Errorf("datasets: %w", err)
	}
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	switch {
	case resp.StatusCode == http.StatusOK:
		if off > 0 {
			fmt.Fprintf(dl.log(), "datasets: %s: the server ignored the Range request; starting over\n", src.Name)
		}
		off = 0
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	case resp.StatusCode == http.StatusPartialContent && off > 0:
		if cr := resp.Header.Get("Content-Range"); !strings.HasPrefix(cr, fmt.Sprintf("bytes %d-", off)) {
			return false, &statusError{url, fmt.Sprintf("asked for bytes from %d, got Content-Range %q", off, cr)}
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && off > 0:
		// part already holds the whole file (an earlier run stopped before verifying it).
		return true, nil
	default:
		return false, &statusError{url, resp.Status}
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return false, fmt.Errorf("datasets: %w", err)
	}
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = off + resp.ContentLength
	}
	fmt.Fprintf(dl.log(), "datasets: downloading %s to %s\n", url, part)
	pr := dl.newProgress(src.Name, off, total)
	n, err := io.Copy(f, io.TeeReader(resp.Body, pr))
	pr.finish(err == nil)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	return n > 0, err
}

// progress shows a transfer: a progress bar on a terminal, throttled plain lines otherwise.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	name  string
	done  int64
	total int64
	every time.Duration
	last  time.Time
}

func (dl *Downloader) newProgress(name string, off, total int64) *progress {
	p := &progress{w: dl.log(), name: name, done: off, total: total, every: dl.LogEvery, last: time.Now()}
	if p.every <= 0 {
		p.every = 10 * time.Second
	}
	if f, ok := p.w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(f) }),
		)
		p.bar.Set64(off)
	}
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.bar != nil {
		p.bar.Add(len(b))
	} else if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.line("")
	}
	return len(b), nil
}

func (p *progress) line(suffix string) {
	if p.total > 0 {
		fmt.Fprintf(p.w, "datasets: %s: %.1f of %.1f MB (%.0f%%)%s\n", p.name, float64(p.done)/1e6, float64(p.total)/1e6, 100*float64(p.done)/float64(p.total), suffix)
	} else {
		fmt.Fprintf(p.w, "datasets: %s: %.1f MB%s\n", p.name, float64(p.done)/1e6, suffix)
	}
}

func (p *progress) finish(ok bool) {
	if p.bar != nil {
		if ok {
			p.bar.Finish()
		} else {
			p.bar.Exit()
		}
		return
	}
	if ok {
		p.line(", transfer complete")
	} else {
		p.line(", transfer broke off")
	}
}
