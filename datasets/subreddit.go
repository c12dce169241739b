package datasets

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"strconv"
)

// LoadSubredditLog reads a subreddit-interactions file. See ReadSubredditLog.
func LoadSubredditLog(ctx context.Context, path string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return loadPath(ctx, path, opt, ReadSubredditLog)
}

// subredditColumns are the columns ReadSubredditLog reads, by header name.
var subredditColumns = []string{"username", "subreddit", "utc"}

// ReadSubredditLog reads the Kaggle "subreddit interactions" file reddit_data.csv, the REDDIT
// dataset of JUMP (Zhou et al., IJCAI 2018, §5.1: "a log of user interactions on different
// subreddits ... at different timestamps"): a header line naming the columns username, subreddit
// and utc (in any order, other columns such as pandas' unnamed index ignored), then one comment per
// line. It becomes a plain interaction log: user = username, item = subreddit, time = utc in Unix
// seconds (a decimal such as 1482747411.0), no state labels, rows sorted by time (file order among
// equal times). The file has no sessions: the session task cuts each user's stream at gaps over an
// hour, as JUMP did (SessionConfig.Gap).
//
// Fields are separated by commas; a field wrapped in double quotes loses them (Reddit's user and
// subreddit names contain no commas or quotes). Bad rows are RowErrors naming line and column;
// opt.Lenient skips and counts them; a header without the three columns is always an error.
func ReadSubredditLog(ctx context.Context, r io.Reader, name string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = name
	}
	rep := &LoadReport{Path: name}
	rows := newRowTable(false)
	h := &headerCSV{path: name}
	row := func(b []byte, line int) *RowError {
		f, e := h.split(b, line)
		if e != nil {
			return e
		}
		for k := range f {
			if v := f[k]; len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				f[k] = v[1 : len(v)-1]
			}
		}
		col := h.col // username, subreddit, utc
		for _, c := range col[:2] {
			if len(bytes.TrimSpace(f[c])) == 0 {
				return h.bad(line, c+1, "empty")
			}
		}
		t, err := strconv.ParseFloat(string(f[col[2]]), 64)
		if (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsInf(t, 0) || math.IsNaN(t) {
			return h.bad(line, col[2]+1, "%s is not a finite number of seconds", quote(f[col[2]]))
		}
		if rows.users.full() || rows.items.full() {
			return h.bad(line, 0, "more than 2^31-1 distinct users or subreddits")
		}
		rows.add(rows.users.id(f[col[0]]), rows.items.id(f[col[1]]), -1, t, 0)
		return nil
	}
	lines, err := h.read(ctx, r, subredditColumns, rep, opt.Lenient, row)
	if err != nil {
		return nil, nil, err
	}
	rep.Lines = lines
	if rows.len() == 0 {
		return nil, nil, noRows(name, rep, "a header naming username,subreddit,utc, then rows")
	}
	d, err := rows.dataset(opt.Name, nil)
	if err != nil {
		return nil, nil, err
	}
	rep.Rows = d.Len()
	return d, rep, nil
}

func loadSubreddit(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return ReadSubredditLog(ctx, in[0].R, in[0].Path, opt)
}
