package ctr

import (
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// TableOwner is implemented by nets whose large tables are the item and category tables of an
// *Embeddings, read by the batch's behaviours and targets (Batch.Hist, Target and their
// categories) and by nothing else, and the per-item bias of a *Head, read by the targets. The
// engine then updates those three tables with deferred dense Adam and tells it which rows the
// coming batches read (see optimizer); other nets get plain dense Adam throughout, with the same
// parameters bit for bit.
type TableOwner interface {
	Tables() (*Embeddings, *Head)
}

// optimizer is Adam over a net's parameters (torch.optim.Adam, as TensorFlow's AdamOptimizer on
// these models: every row of an embedding table takes every step, moving on its moments whether or
// not it was read). It is two nn.Adam with the same settings that step together — Adam updates each
// parameter on its own, so the split changes no bit:
//
//   - the item, category and item-bias tables in nn.RowsDeferred: a row's gradient-free steps are
//     replayed when it is next read or at the end of the epoch, on the other core while the step
//     runs (nn.Adam.Ahead, told the rows of this batch and the next; no background sweep, so a row
//     catches up its whole gap at once), and the replay skips the parameter update of the steps
//     that provably leave a row's parameters unchanged (ag.Backend.AdamCatchUpRows). A dense step
//     pushes the 50,000×64 item table through the divider 62,500 times an epoch at the issue's
//     scale (batch 32), and once an idle row's first moment has decayed into subnormal floats,
//     with a microcode assist per instruction;
//   - everything else in dense mode (the small tables and the layers).
type optimizer struct {
	dense, tables     *nn.Adam
	items, cats, bias *ag.Tensor // the deferred tables; nil without a TableOwner
	split             *datasets.CTRSplit
	now, next         rows
}

// rows are the item, category and item-bias rows one batch reads.
type rows struct{ items, cats, targets []int32 }

func newOptimizer(net Net, params nn.Params, lr float64, split *datasets.CTRSplit) *optimizer {
	o := &optimizer{split: split}
	var tables nn.Params
	if t, ok := net.(TableOwner); ok {
		e, h := t.Tables()
		o.items, o.cats, o.bias = e.Items.Table, e.Categories.Table, h.ItemBias.Table
		tables = nn.Params{o.items, o.cats, o.bias}
	}
	var dense nn.Params
	for _, p := range params {
		if p != o.items && p != o.cats && p != o.bias {
			dense = append(dense, p)
		}
	}
	o.dense = nn.NewAdam(dense, nn.OptimConfig{LR: lr})
	if len(tables) > 0 {
		o.tables = nn.NewAdam(tables, nn.OptimConfig{LR: lr, SparseRows: nn.RowsDeferred, AheadSweep: -1})
	}
	return o
}

// fill sets r to the rows samples read: row 0 (padding) and every behaviour's and target's item
// and category, and every target's bias.
func (o *optimizer) fill(r *rows, samples []datasets.CTRSample) {
	r.items, r.cats, r.targets = append(r.items[:0], 0), append(r.cats[:0], 0), r.targets[:0]
	add := func(it int32) {
		r.items = append(r.items, it)
		if o.split.Categories != nil {
			r.cats = append(r.cats, o.split.Categories[it])
		}
	}
	for _, s := range samples {
		for _, it := range s.History {
			add(it)
		}
		add(s.Target)
		r.targets = append(r.targets, s.Target)
	}
}

// ahead starts the background catch-up of the table rows for the batch about to run (now: the
// rows it reads) and the one after it (next; nil for none).
func (o *optimizer) ahead(now, next []datasets.CTRSample) {
	if o.tables == nil {
		return
	}
	o.fill(&o.now, now)
	o.fill(&o.next, next)
	o.tables.Ahead(nn.RowReads{Param: o.items, Now: o.now.items, Next: o.next.items},
		nn.RowReads{Param: o.cats, Now: o.now.cats, Next: o.next.cats},
		nn.RowReads{Param: o.bias, Now: o.now.targets, Next: o.next.targets})
}

// step applies one Adam step to every parameter.
func (o *optimizer) step() {
	o.dense.Step()
	if o.tables != nil {
		o.tables.Step()
	}
}

// zeroGrad clears every gradient.
func (o *optimizer) zeroGrad() {
	o.dense.ZeroGrad()
	if o.tables != nil {
		o.tables.ZeroGrad()
	}
}

// flush brings every table row up to the last step (the end of an epoch, however it ends).
func (o *optimizer) flush() {
	if o.tables != nil {
		o.tables.Flush()
	}
}
