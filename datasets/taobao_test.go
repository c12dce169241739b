package datasets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// handTaobaoSamples and handTaobaoAds are a raw_sample.csv and an ad_feature.csv: lines 2 and 6
// tie in time; ad group 5 is not in the catalogue; ad group 4 is listed twice, alike.
const (
	handTaobaoSamples = `user,time_stamp,adgroup_id,pid,nonclk,clk
581738,1494137644,1,430548_1007,1,0
449818,1494638778,3,430548_1007,1,0
914836,1494650879,4,430548_1007,1,0
914836,1494651029,5,430548_1007,0,1
581738,1494137644,4,430539_1007,0,1
`
	handTaobaoAds = `adgroup_id,cate_id,campaign_id,customer,brand,price
1,6406,83237,1,95471,170.0
3,6406,1,2,NULL,49.0
4,4520,2,3,NULL,88.0
4,4520,2,3,NULL,88.0
`
)

// TestReadTaobaoAds checks the impressions by hand: time order (line 2 before line 6), times
// relative to 1494137644, labels = clk, categories numbered over the items 1, 4, 3, 5.
func TestReadTaobaoAds(t *testing.T) {
	d, rep, err := ReadTaobaoAds(context.Background(), strings.NewReader(handTaobaoSamples), "raw_sample.csv",
		strings.NewReader(handTaobaoAds), "ad_feature.csv", LoadOptions{Name: "alibaba"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	type row struct {
		user, item string
		time       float64
		label      uint8
	}
	var got []row
	for i := range d.Len() {
		got = append(got, row{d.UserIDs[d.Users[i]], d.ItemIDs[d.Items[i]], d.Times[i], d.Labels[i]})
	}
	want := []row{
		{"581738", "1", 0, 0}, {"581738", "4", 0, 1},
		{"449818", "3", 501134, 0}, // 1494638778 - 1494137644
		{"914836", "4", 513235, 0}, {"914836", "5", 513385, 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n got %v\nwant %v", got, want)
	}
	// Items 1, 4, 3, 5 have cate_id 6406, 4520, 6406 and none.
	if !slices.Equal(d.ItemIDs, []string{"1", "4", "3", "5"}) || !slices.Equal(d.ItemCategories, []int32{0, 1, 0, 2}) {
		t.Errorf("items %v categories %v", d.ItemIDs, d.ItemCategories)
	}
	if d.TimeOrigin != 1494137644 || d.Name != "alibaba" || d.Session != nil || rep.Rows != 5 || rep.Lines != 11 {
		t.Errorf("origin %v name %q report %+v", d.TimeOrigin, d.Name, rep)
	}
	wantNotes := []string{`1 ad groups without a line in ad_feature.csv (category "unknown")`, "1 ad groups listed twice in ad_feature.csv with the same cate_id"}
	if !slices.Equal(rep.Notes, wantNotes) || !strings.Contains(rep.String(), wantNotes[0]) {
		t.Errorf("notes %q, report %s", rep.Notes, rep)
	}
}

func TestReadTaobaoAdsBadRows(t *testing.T) {
	for _, tc := range []struct{ samples, ads, want string }{
		{"1,1494137644,1,p,1,2", "", `s.csv:7: field 6 (clk): "2" is not 0 or 1`},
		{"1,1494137644,1,p,1,1", "", "s.csv:7: field 6 (clk): clk 1 with nonclk 1: want exactly one of them 1"},
		{"1,yesterday,1,p,1,0", "", `s.csv:7: field 2 (time_stamp): "yesterday" is not a Unix time in seconds`},
		{"1,1494137644,,p,1,0", "", "s.csv:7: field 3 (adgroup_id): empty"},
		{"1,1494137644,1,p,1", "", "s.csv:7: 5 fields, want 6 as in the header"},
		{"", "3,7000,1,2,NULL,49.0", `a.csv:6: field 2 (cate_id): ad group 3 has cate_id "7000" here but "6406" on line 3`},
	} {
		samples, ads := handTaobaoSamples+tc.samples+"\n", handTaobaoAds+tc.ads+"\n"
		_, _, err := ReadTaobaoAds(context.Background(), strings.NewReader(samples), "s.csv", strings.NewReader(ads), "a.csv", LoadOptions{})
		if !errors.Is(err, ErrBadRow) || err.Error() != tc.want {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
		d, rep, err := ReadTaobaoAds(context.Background(), strings.NewReader(samples), "s.csv", strings.NewReader(ads), "a.csv", LoadOptions{Lenient: true})
		if err != nil || d.Len() != 5 || rep.Skipped != 1 {
			t.Errorf("lenient: %v, report %+v", err, rep)
		}
	}
	_, _, err := ReadTaobaoAds(context.Background(), strings.NewReader(handTaobaoSamples), "s.csv", strings.NewReader("adgroup_id,cate\n1,2\n"), "a.csv", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `a.csv:1: header "adgroup_id,cate" has no column "cate_id"`) {
		t.Errorf("ad header: %v", err)
	}
	_, _, err = ReadTaobaoAds(context.Background(), strings.NewReader(handTaobaoSamples), "s.csv", strings.NewReader(""), "a.csv", LoadOptions{})
	if !errors.Is(err, ErrNoRows) || !strings.Contains(err.Error(), "a.csv") {
		t.Errorf("empty catalogue: %v", err)
	}
}

func FuzzReadTaobaoAds(f *testing.F) {
	f.Add(handTaobaoSamples, handTaobaoAds)
	f.Add("clk,nonclk,adgroup_id,time_stamp,user\n1,0,a,5,u\n0,1,a,3,v\n", "cate_id,adgroup_id\nc,a\nc,a\n")
	f.Fuzz(func(t *testing.T, samples, ads string) {
		checkConverter(t, func(opt LoadOptions) (*Dataset, *LoadReport, error) {
			return ReadTaobaoAds(context.Background(), strings.NewReader(samples), "s.csv", strings.NewReader(ads), "a.csv", opt)
		})
	})
}
