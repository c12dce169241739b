package datasets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// handSubreddit is a reddit_data.csv as pandas writes it: an unnamed index column first, utc a
// decimal; line 4 quotes a name and line 5 ties with line 2.
const handSubreddit = `,username,subreddit,utc
0,kabanossi,photoshopbattles,1482747411.0
1,kabanossi,GetMotivated,1482747500.0
2,"bob",AskReddit,1482740000
3,bob,AskReddit,1482747411.0
`

// TestReadSubredditLog checks the rows by hand (sorted by utc, line 2 before line 5 at equal
// times) and that the session task cuts them at the one-hour gap: bob's two comments are 7411 s
// apart, kabanossi's 89 s.
func TestReadSubredditLog(t *testing.T) {
	for name, in := range map[string]string{
		"pandas index": handSubreddit,
		"no index, columns reordered, CRLF": "utc,subreddit,username\r\n1482747411.0,photoshopbattles,kabanossi\r\n" +
			"1482747500.0,GetMotivated,kabanossi\r\n1482740000,AskReddit,bob\r\n1482747411.0,AskReddit,bob\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			d, rep, err := ReadSubredditLog(context.Background(), strings.NewReader(in), "reddit_data.csv", LoadOptions{Name: "reddit-sessions"})
			got := loadedRows(t, d, err)
			want := []loadedRow{{"bob", "AskReddit", 0}, {"kabanossi", "photoshopbattles", 7411}, {"bob", "AskReddit", 7411}, {"kabanossi", "GetMotivated", 7500}}
			if !slices.Equal(got, want) {
				t.Errorf("rows\n got %v\nwant %v", got, want)
			}
			if d.TimeOrigin != 1482740000 || d.Name != "reddit-sessions" || d.Session != nil || rep.Rows != 4 || rep.Lines != 5 {
				t.Errorf("origin %v name %q sessions %v report %+v", d.TimeOrigin, d.Name, d.Session, rep)
			}
			s, err := SessionsFromDataset(d, SessionConfig{MinItemCount: 1, MinLength: 1})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, x := range s.Sessions {
				ids = append(ids, x.ID+":"+strings.Repeat("x", x.Len()))
			}
			if want := []string{"bob#0:x", "kabanossi#0:xx", "bob#1:x"}; !slices.Equal(ids, want) {
				t.Errorf("sessions %v, want %v", ids, want)
			}
		})
	}
}

func TestReadSubredditLogBadRows(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"4,bob,AskReddit", "r.csv:6: 3 fields, want 4 as in the header"},
		{"4,,AskReddit,1482747411", "r.csv:6: field 2 (username): empty"},
		{"4,bob,AskReddit,yesterday", `r.csv:6: field 4 (utc): "yesterday" is not a finite number of seconds`},
		{"4,bob,AskReddit,NaN", `r.csv:6: field 4 (utc): "NaN" is not a finite number of seconds`},
	} {
		_, _, err := ReadSubredditLog(context.Background(), strings.NewReader(handSubreddit+tc.line+"\n"), "r.csv", LoadOptions{})
		if !errors.Is(err, ErrBadRow) || err.Error() != tc.want {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
		d, rep, err := ReadSubredditLog(context.Background(), strings.NewReader(handSubreddit+tc.line+"\n"), "r.csv", LoadOptions{Lenient: true})
		if err != nil || d.Len() != 4 || rep.Skipped != 1 || rep.Problems[0].Line != 6 {
			t.Errorf("lenient: %v, report %+v", err, rep)
		}
	}
	_, _, err := ReadSubredditLog(context.Background(), strings.NewReader("user,subreddit,utc\nbob,AskReddit,1\n"), "r.csv", LoadOptions{Lenient: true})
	if want := `r.csv:1: header "user,subreddit,utc" has no column "username" (want the columns username,subreddit,utc)`; err == nil || err.Error() != want {
		t.Errorf("header: got %v\nwant %s", err, want)
	}
	_, _, err = ReadSubredditLog(context.Background(), strings.NewReader(",username,subreddit,utc\n"), "r.csv", LoadOptions{})
	if !errors.Is(err, ErrNoRows) {
		t.Errorf("header only: %v", err)
	}
}

func FuzzReadSubredditLog(f *testing.F) {
	f.Add(handSubreddit)
	f.Add("username,subreddit,utc\nu,s,1e3\nu,s,-5\n\"u\",\"s\",1\n")
	f.Add("\xef\xbb\xbfUTC, Username ,subreddit\r\n1,a,b\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		checkConverter(t, func(opt LoadOptions) (*Dataset, *LoadReport, error) {
			return ReadSubredditLog(context.Background(), strings.NewReader(in), "f.csv", opt)
		})
	})
}
