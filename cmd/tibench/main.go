// Command tibench is the benchmark harness's command line: it lists models and datasets, generates
// and downloads data, runs experiments, and regenerates the tables.
//
// Usage:
//
//	tibench help [COMMAND]
//	tibench backends
//	tibench datasets list | download NAME | stats FILE_OR_PRESET... | synth PRESET -o FILE
//	tibench list
//	tibench run [-profile quick|paper] [-models a,b] [-datasets x] [-set key=value] [-resume] EXPERIMENT.yaml...
//	tibench run -plan PLAN.json [-shard i/n] [-run-id ID] [-resume]
//	tibench plan [-profile P] [-models a,b] [-datasets x] [-shards n] [-json] EXPERIMENT.yaml...
//	tibench export slurm|k8s [-shards n] [-o DIR] [flags] EXPERIMENT.yaml...
//	tibench reproduce [same flags]
//	tibench tables [-results DIR] [-o BENCHMARKS.md] [-plan PLAN.json | EXPERIMENT.yaml...]
//	tibench regress [-update]
//
// Each subcommand prints its own flags with -h. Logs go to stderr, results to files or stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/tibench/tibench/internal/pipeline"
)

func main() {
	// SIGTERM is what Slurm and Kubernetes send before they kill a task (preemption, time limit,
	// node drain): it stops the run between batches like Ctrl-C does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tibench:", err)
		}
		os.Exit(exitStatus(err))
	}
}

// ExitInterrupted is the exit status of a run stopped by SIGINT or SIGTERM, with its finished work
// and checkpoints on disk (sysexits' EX_TEMPFAIL: "try again later"). The scripts `tibench export`
// writes requeue a task that exits with it, and the requeued task continues with -resume.
const ExitInterrupted = 75

// exitStatus maps run's error to the process's exit status.
func exitStatus(err error) int {
	if errors.Is(err, pipeline.ErrInterrupted) {
		return ExitInterrupted
	}
	return 1
}

// command is one subcommand: a one-line description and its entry point.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"backends":  {"list the compute backends compiled into this binary", runBackends},
		"datasets":  {"list, download, describe or synthesize datasets (list | download | stats | synth)", runDatasets},
		"list":      {"list the registered models and what they can do", runList},
		"run":       {"run experiment files (configs/experiments/*.yaml), or one shard of their grid, and write results/", runRun},
		"plan":      {"list the runs of experiment files with stable ids and cost estimates (shards, -json)", runPlan},
		"export":    {"write a Slurm job array or a Kubernetes Indexed Job that runs a grid (slurm | k8s)", runExport},
		"reproduce": {"run every experiment, then regenerate BENCHMARKS.md", runReproduce},
		"tables":    {"regenerate BENCHMARKS.md and figures from results/", runTables},
		"regress":   {"run the fixed regression experiments and compare with results/baseline", runRegress},
		"monitor":   {"run the embedding-evolution experiments (kind: evolution) and summarise what the monitor saw", runMonitor},
	}
}

// run is the whole program, testable without a process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || (args[0] == "help" && len(args) == 1) {
		usage(stdout, cmds)
		return nil
	}
	if args[0] == "help" { // help COMMAND: the command's own usage and flags
		c, ok := cmds[args[1]]
		if !ok {
			usage(stderr, cmds)
			return fmt.Errorf("help: unknown command %q (valid: %s)", args[1], strings.Join(sortedKeys(cmds), ", "))
		}
		if err := c.run(ctx, []string{"-h"}, stdout, stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(stderr, cmds)
		return fmt.Errorf("unknown command %q (valid: %s)", args[0], strings.Join(sortedKeys(cmds), ", "))
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "tibench: a reproducible benchmark for models of time-stamped user–item interactions")
	fmt.Fprintln(w, "\nUsage: tibench COMMAND [flags] [args]\n\nCommands:")
	for _, name := range sortedKeys(cmds) {
		fmt.Fprintf(w, "  %-10s %s\n", name, cmds[name].summary)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
