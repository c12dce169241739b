// Package report turns result records into BENCHMARKS.md and its figures: the JODIE paper's
// Tables 3, 4 and 5 and Figs. 4-7, JUMP's Tables 2-3 and TIN's Table 1, each cell the mean ± sample
// standard deviation over seeds with the published number beside it (paper.go holds those
// numbers, transcribed from the papers).
//
// Generate is a pure function of the records: the provenance of every table (commit, machine,
// cores, backend, profile) comes from the records themselves, never from the clock or the current
// checkout, so regenerating from unchanged results gives the same bytes, which CI checks. Tables
// are rendered with olekukonko/tablewriter, figures with gonum/plot as SVG and PNG. WriteAll reads a
// results directory (without results/baseline, the CI regression baseline) and writes everything
// atomically; `tibench tables` (`make tables`) calls it.
//
// Methods a paper reports that no registered model implements keep their row, saying "not
// implemented yet"; implemented models without results say "no results"; records that no table
// shows are listed under "Other results" rather than dropped; records of different protocols,
// time-delta normalisations or run profiles are never mixed in one table, but for the
// protocol-effect section (protocol.go), which sets frozen and online evaluation of the same runs
// side by side on purpose.
package report
