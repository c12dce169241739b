package datasets

import (
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bodgit/sevenzip"
)

// This file fetches, verifies and loads the registry's sources of several files (or of one file
// that is not a JODIE CSV): FetchFiles downloads what has a URL, LoadSource loads from the cache
// without the network. Both follow the JODIE downloader (download.go): a download goes to
// NAME.part and is resumed; a file is accepted on first sight after a load through its Source's
// Load that finds rows and matches the published statistics if any (Source.Check); the SHA-256 of
// every accepted file, archives included, goes into the lock file; a recorded file must keep its
// hash. An archive member is extracted into NAME.part and moved into place once accepted; the
// archive stays in the cache (delete it to save room: the extracted file is what is read).

// Paths returns where src's files live in the cache, downloaded or not: the JODIE CSV, or each
// SourceFile's Name (an archive member's extracted file).
func (dl *Downloader) Paths(src Source) ([]string, error) {
	if src.isJODIE() {
		p, err := dl.Path(src)
		return []string{p}, err
	}
	dir, err := dl.dir()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(src.Files))
	for i, f := range src.Files {
		out[i] = filepath.Join(dir, f.Name)
	}
	return out, nil
}

// Cached reports whether every file of src is in the cache (a member's archive counts for it).
func (dl *Downloader) Cached(src Source) bool {
	dir, err := dl.dir()
	if err != nil {
		return false
	}
	if src.isJODIE() {
		return exists(filepath.Join(dir, src.File))
	}
	for _, f := range src.Files {
		if !exists(filepath.Join(dir, f.Name)) && (f.Archive == "" || !exists(filepath.Join(dir, f.Archive))) {
			return false
		}
	}
	return true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// FetchFiles makes every file of src available in the cache and returns their paths (Paths):
// files with a URL are downloaded unless cached (resuming NAME.part), archives are extracted, and
// the set is verified as LoadSource does (opt.Lenient applies to the acceptance load of files not
// yet in the lock file). A file to be placed by hand that is missing is an ErrNotDownloaded error
// naming the page to get it from and the path to put it at.
func (dl *Downloader) FetchFiles(ctx context.Context, src Source, opt LoadOptions) ([]string, error) {
	if src.isJODIE() {
		p, err := dl.Fetch(ctx, src)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	dir, err := dl.dir()
	if err != nil {
		return nil, err
	}
	downloaded := map[string]string{} // fetched file name -> its .part
	for _, f := range src.Files {
		final := filepath.Join(dir, f.Name)
		if exists(final) || (f.Archive != "" && exists(filepath.Join(dir, f.Archive))) || f.URL == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("datasets: creating the cache directory: %w", err)
		}
		target := filepath.Join(dir, f.fetched())
		if err := dl.transferAll(ctx, src, f.URL, target+".part", target); err != nil {
			return nil, err
		}
		downloaded[f.fetched()] = target + ".part"
	}
	set, err := dl.locate(ctx, src, dir, downloaded)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, ErrNotDownloaded) {
			// A damaged or changed archive: a later run must not resume it as if it were whole.
			var kept []string
			for _, part := range downloaded {
				rejected := strings.TrimSuffix(part, ".part") + ".rejected"
				if os.Rename(part, rejected) == nil {
					kept = append(kept, rejected)
				}
			}
			if len(kept) > 0 {
				slices.Sort(kept)
				err = fmt.Errorf("%w (the download was kept as %s)", err, strings.Join(kept, ", "))
			}
		}
		return nil, err
	}
	if opt.Name == "" {
		opt.Name = src.Name
	}
	if _, _, err := dl.verify(ctx, set, opt, false); err != nil {
		return nil, set.abort(ctx, err)
	}
	if err := set.commit(); err != nil {
		return nil, err
	}
	paths, _ := dl.Paths(src)
	fmt.Fprintf(dl.log(), "datasets: %s ready at %s\n", src.Name, strings.Join(paths, ", "))
	return paths, nil
}

// LoadSource loads the registry dataset src from the cache without using the network: a JODIE
// CSV through ResolveSource and LoadFile; the files of any other source through src.Load, reading
// each file once to load it and to check its SHA-256 against the lock file (a file not recorded
// yet is accepted as FetchFiles does and then recorded). opt.Name defaults to src.Name. A missing
// file is an ErrNotDownloaded error saying how to get it.
func (dl *Downloader) LoadSource(ctx context.Context, src Source, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = src.Name
	}
	if src.isJODIE() {
		path, err := dl.ResolveSource(src)
		if err != nil {
			return nil, nil, err
		}
		return LoadFile(ctx, path, opt)
	}
	dir, err := dl.dir()
	if err != nil {
		return nil, nil, err
	}
	set, err := dl.locate(ctx, src, dir, nil)
	if err != nil {
		return nil, nil, err
	}
	d, rep, err := dl.verify(ctx, set, opt, true)
	if err != nil {
		return nil, nil, set.abort(ctx, err)
	}
	if err := set.commit(); err != nil {
		return nil, nil, err
	}
	return d, rep, nil
}

// cacheFile is one file of a source set: a member that Load reads, or an archive it came from.
type cacheFile struct {
	key        string // lock-file key: the file's name in the cache directory
	path       string // where it is now: its final path, or a .part being accepted
	final      string
	url        string // recorded in the lock file: where it came from, or would have
	fresh      bool   // path is a .part to move to final once accepted
	downloaded bool   // fresh from the network: kept as .rejected when not accepted
	sha        string // archives: hex SHA-256, computed before extracting
	size       int64
}

// sourceSet is a source's files on disk during one fetch or load.
type sourceSet struct {
	src      Source
	dir      string
	members  []cacheFile // in Files order
	archives []cacheFile // archives extracted in this call
}

// locate finds src's files in dir: each at its final path, else extracted from its archive into
// NAME.part (the archive's recorded SHA-256 checked first). downloaded maps a fetched file name to
// its .part just downloaded by FetchFiles. Missing files are an ErrNotDownloaded error.
func (dl *Downloader) locate(ctx context.Context, src Source, dir string, downloaded map[string]string) (*sourceSet, error) {
	set := &sourceSet{src: src, dir: dir}
	var missing []string
	for _, f := range src.Files {
		m := cacheFile{key: f.Name, final: filepath.Join(dir, f.Name), url: f.URL}
		if m.url == "" {
			m.url = src.Page
		}
		if part, ok := downloaded[f.Name]; ok && f.Archive == "" {
			m.path, m.fresh, m.downloaded = part, true, true
			set.members = append(set.members, m)
			continue
		}
		if exists(m.final) {
			m.path = m.final
			set.members = append(set.members, m)
			continue
		}
		if f.Archive == "" {
			missing = append(missing, howToGet(src, dir, f))
			continue
		}
		a := cacheFile{key: f.Archive, final: filepath.Join(dir, f.Archive), url: m.url}
		a.path = a.final
		if part, ok := downloaded[f.Archive]; ok {
			a.path, a.fresh, a.downloaded = part, true, true
		} else if !exists(a.final) {
			missing = append(missing, howToGet(src, dir, f))
			continue
		}
		if err := dl.checkArchive(ctx, &a); err != nil {
			set.abortExtracted()
			return nil, err
		}
		m.path, m.fresh = m.final+".part", true
		fmt.Fprintf(dl.log(), "datasets: extracting %s from %s\n", f.Name, a.path)
		if err := extract(ctx, a.path, f.Archive, f.Name, m.path); err != nil {
			os.Remove(m.path)
			set.abortExtracted()
			return nil, err
		}
		set.members = append(set.members, m)
		set.archives = append(set.archives, a)
	}
	if len(missing) > 0 {
		set.abortExtracted()
		return nil, fmt.Errorf("%w: %s: %s", ErrNotDownloaded, src.Name, strings.Join(missing, "; "))
	}
	return set, nil
}

// howToGet says where a missing file comes from and where to put it.
func howToGet(src Source, dir string, f SourceFile) string {
	final := filepath.Join(dir, f.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "%s is not at %s: ", f.Name, final)
	if f.URL != "" {
		fmt.Fprintf(&b, "run `tibench datasets download %s`, or fetch %s", src.Name, f.URL)
	} else {
		fmt.Fprintf(&b, "get %s from %s (a login or a browser is needed there)", f.fetched(), src.Page)
	}
	if f.Archive != "" {
		fmt.Fprintf(&b, " and place it at %s, or place the %s it holds at %s", filepath.Join(dir, f.Archive), f.Name, final)
	} else {
		b.WriteString(" and place it there")
	}
	return b.String()
}

// checkArchive hashes an archive and compares it with the lock file's record, if any.
func (dl *Downloader) checkArchive(ctx context.Context, a *cacheFile) error {
	var err error
	if a.sha, a.size, err = hashFile(ctx, a.path); err != nil {
		return err
	}
	lockPath := filepath.Join(filepath.Dir(a.final), LockFileName)
	lock, err := readLock(lockPath)
	if err != nil {
		return err
	}
	if e, ok := lock.Files[a.key]; ok && e.SHA256 != a.sha {
		return checksumError(a.path, a.size, a.sha, lockPath, e, a.key)
	}
	return nil
}

func checksumError(file string, n int64, got, lockPath string, e lockEntry, key string) error {
	return fmt.Errorf("%w: %s (%d bytes) has SHA-256 %s, but %s records %s (%d bytes) for %s; delete the file to download it again",
		ErrChecksum, file, n, got, lockPath, e.SHA256, e.Size, key)
}

// hashFile returns the hex SHA-256 and size of the file at path, checking ctx between chunks.
func hashFile(ctx context.Context, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := copyCtx(ctx, h, f)
	if err != nil {
		return "", 0, fmt.Errorf("datasets: hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// copyCtx copies src to dst in 1 MiB chunks, checking ctx between them.
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// ErrArchive is wrapped when an archive cannot be read or lacks the wanted file.
var ErrArchive = errors.New("datasets: bad archive")

// extract copies the file whose base name is member out of the archive at archivePath (a .zip or
// .7z, told by name's extension) into dst.
func extract(ctx context.Context, archivePath, name, member, dst string) error {
	type entry struct {
		name string
		open func() (io.ReadCloser, error)
		crc  uint32 // CRC-32 to check after reading; 0 when the reader checks it (zip) or none is known
	}
	var entries []entry
	switch strings.ToLower(path.Ext(name)) {
	case ".zip":
		zr, err := zip.OpenReader(archivePath)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrArchive, archivePath, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			entries = append(entries, entry{f.Name, f.Open, 0})
		}
	case ".7z":
		zr, err := sevenzip.OpenReader(archivePath)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrArchive, archivePath, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			entries = append(entries, entry{f.Name, f.Open, f.CRC32}) // this reader leaves the check to us
		}
	default:
		return fmt.Errorf("%w: %s: want a .zip or .7z file", ErrArchive, archivePath)
	}
	var names []string
	for _, e := range entries {
		if path.Base(filepath.ToSlash(e.name)) != member {
			names = append(names, e.name)
			continue
		}
		in, err := e.open()
		if err != nil {
			return fmt.Errorf("%w: %s: %s: %w", ErrArchive, archivePath, e.name, err)
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return fmt.Errorf("datasets: %w", err)
		}
		crc := crc32.NewIEEE()
		_, err = copyCtx(ctx, io.MultiWriter(out, crc), in)
		if err == nil && e.crc != 0 && crc.Sum32() != e.crc {
			err = fmt.Errorf("CRC-32 %08x, but the archive records %08x", crc.Sum32(), e.crc)
		}
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("datasets: extracting %s from %s: %w", member, archivePath, err)
			}
			return fmt.Errorf("%w: %s: extracting %s: %w", ErrArchive, archivePath, e.name, err)
		}
		return nil
	}
	return fmt.Errorf("%w: %s holds no %s (it holds %s)", ErrArchive, archivePath, member, strings.Join(names, ", "))
}

// hashingReader hashes and counts what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// verify reads the set's members once: through the source's Load when load is true or a member
// is not in the lock file yet (the acceptance check: a load that finds rows, then Source.Check),
// otherwise only hashing them. Recorded hashes must match. Newly accepted files, the archives
// they came from included, are recorded in the lock file. The Dataset is returned when loaded.
func (dl *Downloader) verify(ctx context.Context, set *sourceSet, opt LoadOptions, load bool) (*Dataset, *LoadReport, error) {
	src := set.src
	lockPath := filepath.Join(set.dir, LockFileName)
	lock, err := readLock(lockPath)
	if err != nil {
		return nil, nil, err
	}
	var unrecorded []string
	for _, m := range set.members {
		if _, ok := lock.Files[m.key]; !ok {
			unrecorded = append(unrecorded, m.path)
		}
	}
	if !load && len(unrecorded) == 0 {
		for _, m := range set.members {
			sha, n, err := hashFile(ctx, m.path)
			if err != nil {
				return nil, nil, err
			}
			if e := lock.Files[m.key]; e.SHA256 != sha {
				return nil, nil, checksumError(m.path, n, sha, lockPath, e, m.key)
			}
		}
		return nil, nil, set.recordArchives(lockPath, lock)
	}
	if len(unrecorded) > 0 {
		fmt.Fprintf(dl.log(), "datasets: verifying %s (first use: %s)\n", strings.Join(unrecorded, ", "), src.acceptance())
	}

	hashed := make([]*hashingReader, len(set.members))
	in := make([]Input, len(set.members))
	for i, m := range set.members {
		f, err := os.Open(m.path)
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %w", err)
		}
		defer f.Close()
		hashed[i] = &hashingReader{r: f, h: sha256.New()}
		in[i] = Input{Path: m.path, R: hashed[i]}
		if strings.HasSuffix(m.key, ".gz") {
			gz, err := gzip.NewReader(hashed[i])
			if err != nil {
				return nil, nil, fmt.Errorf("datasets: %s: %w", m.path, err)
			}
			defer gz.Close()
			in[i].R = gz
		}
	}
	// checkHashes reads the rest of every file and compares what has a record.
	checkHashes := func() error {
		for i, m := range set.members {
			if _, err := copyCtx(ctx, io.Discard, hashed[i]); err != nil {
				return fmt.Errorf("datasets: hashing %s: %w", m.path, err)
			}
			if e, ok := lock.Files[m.key]; ok {
				if sha := hex.EncodeToString(hashed[i].h.Sum(nil)); sha != e.SHA256 {
					return checksumError(m.path, hashed[i].n, sha, lockPath, e, m.key)
				}
			}
		}
		return nil
	}
	d, rep, err := src.Load(ctx, in, opt)
	if err != nil {
		if ctx.Err() == nil && len(unrecorded) < len(set.members) {
			if cerr := checkHashes(); cerr != nil {
				return nil, nil, cerr // a changed file explains a failed load best
			}
		}
		if len(unrecorded) > 0 && !load {
			return nil, nil, fmt.Errorf("datasets: verifying %s: %w", src.Name, err)
		}
		return nil, nil, err
	}
	if err := checkHashes(); err != nil {
		return nil, nil, err
	}
	if len(unrecorded) == 0 {
		return d, rep, set.recordArchives(lockPath, lock)
	}
	if err := src.Check(d); err != nil {
		return nil, nil, err
	}
	if lock.Files == nil {
		lock.Files = make(map[string]lockEntry)
	}
	for i, m := range set.members {
		lock.Files[m.key] = lockEntry{SHA256: hex.EncodeToString(hashed[i].h.Sum(nil)), Size: hashed[i].n, URL: m.url}
	}
	for _, a := range set.archives {
		lock.Files[a.key] = lockEntry{SHA256: a.sha, Size: a.size, URL: a.url}
	}
	if err := writeLock(lockPath, lock); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(dl.log(), "datasets: %s accepted: %s; SHA-256 recorded in %s\n", src.Name, loadSummary(src, d, rep), lockPath)
	return d, rep, nil
}

// recordArchives records the archives extracted in this call that the lock file lacks (their
// members were accepted before, from a copy since deleted).
func (s *sourceSet) recordArchives(lockPath string, lock lockFile) error {
	changed := false
	for _, a := range s.archives {
		if _, ok := lock.Files[a.key]; !ok {
			if lock.Files == nil {
				lock.Files = make(map[string]lockEntry)
			}
			lock.Files[a.key] = lockEntry{SHA256: a.sha, Size: a.size, URL: a.url}
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return writeLock(lockPath, lock)
}

// acceptance says what a first use checks, for the log.
func (s Source) acceptance() string {
	if s.hasStats() {
		return "a clean load, then the statistics from " + s.statsFrom()
	}
	return "a clean load; no statistics of these files are published"
}

// loadSummary says what a load found, for the log.
func loadSummary(src Source, d *Dataset, rep *LoadReport) string {
	parts := []string{fmt.Sprintf("%d interactions, %d users, %d items", d.Len(), d.NumUsers(), d.NumItems())}
	if d.Session != nil {
		parts = append(parts, fmt.Sprintf("%d sessions", len(d.SessionIDs)))
	}
	if d.ItemCategories != nil {
		nc := int32(0)
		for _, c := range d.ItemCategories {
			nc = max(nc, c+1)
		}
		s := fmt.Sprintf("%d categories", nc)
		if src.Categories > 0 {
			s += fmt.Sprintf(" (%s reports %d)", src.statsFrom(), src.Categories)
		}
		parts = append(parts, s)
	}
	pos := 0
	for _, l := range d.Labels {
		pos += int(l)
	}
	if pos > 0 {
		parts = append(parts, fmt.Sprintf("%d positive labels", pos))
	}
	parts = append(parts, rep.Notes...)
	if rep.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d bad rows skipped (lenient)", rep.Skipped))
	}
	return strings.Join(parts, ", ")
}

// commit moves the accepted .part files into place.
func (s *sourceSet) commit() error {
	for _, f := range append(s.members, s.archives...) {
		if f.fresh {
			if err := os.Rename(f.path, f.final); err != nil {
				return fmt.Errorf("datasets: %w", err)
			}
		}
	}
	return nil
}

// abort undoes a failed verification: extracted files are removed (the archive can give them
// again) and downloads are kept as NAME.rejected, which err then names. A cancelled call keeps its
// downloads as .part, to resume.
func (s *sourceSet) abort(ctx context.Context, err error) error {
	s.abortExtracted()
	if ctx.Err() != nil {
		return err
	}
	var kept []string
	for _, f := range append(s.members, s.archives...) {
		if f.downloaded {
			if rerr := os.Rename(f.path, f.final+".rejected"); rerr == nil {
				kept = append(kept, f.final+".rejected")
			}
		}
	}
	if len(kept) > 0 {
		err = fmt.Errorf("%w (the download was kept as %s)", err, strings.Join(kept, ", "))
	}
	return err
}

// abortExtracted removes the members extracted so far.
func (s *sourceSet) abortExtracted() {
	for _, m := range s.members {
		if m.fresh && !m.downloaded {
			os.Remove(m.path) // derived from the archive; nothing to keep
		}
	}
}
