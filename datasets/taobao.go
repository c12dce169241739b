package datasets

import (
	"context"
	"fmt"
	"io"
	"strconv"
)

// taobaoSampleColumns and taobaoAdColumns are the columns ReadTaobaoAds reads from raw_sample.csv
// and ad_feature.csv, by header name.
var (
	taobaoSampleColumns = []string{"user", "time_stamp", "adgroup_id", "nonclk", "clk"}
	taobaoAdColumns     = []string{"adgroup_id", "cate_id"}
)

// ReadTaobaoAds reads the Taobao display-ad click log (Alibaba, Tianchi dataset 56; the Alibaba
// dataset of TIN, Zhou, Pan et al., WWW 2024) as a Dataset of ad impressions:
//
//   - samples is raw_sample.csv, header "user,time_stamp,adgroup_id,pid,nonclk,clk": one impression
//     per line. Row = (user, ad group) at time_stamp (Unix seconds), Labels = clk (nonclk must be
//     1 - clk); pid (the ad slot) is checked to be present but not kept.
//   - ads is ad_feature.csv, header "adgroup_id,cate_id,campaign_id,customer,brand,price": the ad
//     catalogue. ItemCategories come from cate_id, numbered in order of first appearance over the
//     items; an ad group without a line there gets UnknownCategory, counted in the report's Notes.
//     An ad group listed twice must name the same cate_id.
//
// behavior_log.csv (the users' shopping behaviour, which DSIN turns into histories) is not read.
// This is the first half of TIN's Alibaba protocol: the CTR task still builds its leave-one-out
// samples (one positive per impression, a sampled negative) from the rows, not DSIN's split by day
// of the impressions with their own click labels.
//
// Columns are found by their header names (other columns allowed, any order). Rows are sorted by
// time, file order among equal times. Bad rows are RowErrors naming file, line and column;
// opt.Lenient skips and counts them.
func ReadTaobaoAds(ctx context.Context, samples io.Reader, samplesName string, ads io.Reader, adsName string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = samplesName
	}
	rep := &LoadReport{Path: samplesName}
	cate, sameTwice, lines, err := readTaobaoAdCategories(ctx, ads, adsName, rep, opt.Lenient)
	if err != nil {
		return nil, nil, err
	}
	rows := newRowTable(false)
	h := &headerCSV{path: samplesName}
	row := func(b []byte, line int) *RowError {
		f, e := h.split(b, line)
		if e != nil {
			return e
		}
		col, bad := h.col, h.bad // user, time_stamp, adgroup_id, nonclk, clk
		for k, v := range f {
			if len(v) == 0 {
				return bad(line, k+1, "empty")
			}
		}
		t, err := strconv.ParseInt(string(f[col[1]]), 10, 64)
		if err != nil || t < 0 || t > 1e12 {
			return bad(line, col[1]+1, "%s is not a Unix time in seconds", quote(f[col[1]]))
		}
		var flag [2]uint8 // nonclk, clk
		for k := range flag {
			switch v := f[col[3+k]]; string(v) {
			case "0":
			case "1":
				flag[k] = 1
			default:
				return bad(line, col[3+k]+1, "%s is not 0 or 1", quote(v))
			}
		}
		if flag[0]+flag[1] != 1 {
			return bad(line, col[4]+1, "clk %d with nonclk %d: want exactly one of them 1", flag[1], flag[0])
		}
		if rows.users.full() || rows.items.full() {
			return bad(line, 0, "more than 2^31-1 distinct users or ad groups")
		}
		rows.add(rows.users.id(f[col[0]]), rows.items.id(f[col[2]]), -1, float64(t), flag[1])
		return nil
	}
	n, err := h.read(ctx, samples, taobaoSampleColumns, rep, opt.Lenient, row)
	if err != nil {
		return nil, nil, err
	}
	rep.Lines = n + lines
	if rows.len() == 0 {
		return nil, nil, noRows(samplesName, rep, "a header naming user,time_stamp,adgroup_id,pid,nonclk,clk, then rows")
	}
	itemCat := make([]string, len(rows.items.names))
	unknown := 0
	for i, ad := range rows.items.names {
		c, ok := cate[ad]
		if !ok {
			c = UnknownCategory
			unknown++
		}
		itemCat[i] = c
	}
	d, err := rows.dataset(opt.Name, itemCat)
	if err != nil {
		return nil, nil, err
	}
	rep.Rows = d.Len()
	rep.Notes = append(rep.Notes, fmt.Sprintf("%d ad groups without a line in %s (category %q)", unknown, adsName, UnknownCategory))
	if sameTwice > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d ad groups listed twice in %s with the same cate_id", sameTwice, adsName))
	}
	return d, rep, nil
}

// readTaobaoAdCategories reads ad_feature.csv into adgroup_id -> cate_id; sameTwice counts ad
// groups listed again with the same cate_id; lines is the number of lines read.
func readTaobaoAdCategories(ctx context.Context, r io.Reader, name string, rep *LoadReport, lenient bool) (cate map[string]string, sameTwice, lines int, err error) {
	cate = make(map[string]string)
	firstLine := make(map[string]int)
	h := &headerCSV{path: name}
	row := func(b []byte, line int) *RowError {
		f, e := h.split(b, line)
		if e != nil {
			return e
		}
		col, bad := h.col, h.bad // adgroup_id, cate_id
		for _, c := range col {
			if len(f[c]) == 0 {
				return bad(line, c+1, "empty")
			}
		}
		ad, c := string(f[col[0]]), string(f[col[1]])
		if old, ok := cate[ad]; ok {
			if old != c {
				return bad(line, col[1]+1, "ad group %s has cate_id %s here but %s on line %d", ad, quote(f[col[1]]), strconv.Quote(old), firstLine[ad])
			}
			sameTwice++
			return nil
		}
		cate[ad] = c
		firstLine[ad] = line
		return nil
	}
	n, err := h.read(ctx, r, taobaoAdColumns, rep, lenient, row)
	if err != nil {
		return nil, 0, 0, err
	}
	if h.header == nil {
		return nil, 0, 0, fmt.Errorf("%w in %s (want a header naming adgroup_id,cate_id, then rows)", ErrNoRows, name)
	}
	return cate, sameTwice, n, nil
}

func loadTaobao(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return ReadTaobaoAds(ctx, in[0].R, in[0].Path, in[1].R, in[1].Path, opt)
}
