package datasets

import "testing"

// loadedRow is one interaction of a loaded Dataset in its file's own ids, as hand-written
// expectations state them.
type loadedRow struct {
	user, item string
	time       float64
}

// loadedRows fails the test on a load error or an invalid Dataset and returns d's interactions in
// order.
func loadedRows(t *testing.T, d *Dataset, err error) []loadedRow {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	var rows []loadedRow
	for i := range d.Len() {
		rows = append(rows, loadedRow{d.UserIDs[d.Users[i]], d.ItemIDs[d.Items[i]], d.Times[i]})
	}
	return rows
}
