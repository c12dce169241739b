//go:build slurm

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSlurmArray runs the exported job array on a real one-node Slurm cluster on localhost and
// checks that the tables its dependent job writes equal a single-process run's. It installs
// nothing: `make test-slurm` installs Debian's slurm-wlm and munge first. It starts munged,
// slurmctld and slurmd in a temporary directory (own key, socket, ports and state) and stops them
// at the end; where they cannot start (not root, a sandbox), it skips with the reason.
//
//	go test -tags slurm -run Slurm -v ./cmd/tibench
func TestSlurmArray(t *testing.T) {
	for _, cmd := range []string{"munged", "mungekey", "slurmctld", "slurmd", "sbatch", "sinfo", "scontrol"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Skipf("%s not found: install Debian's slurm-wlm and munge (make test-slurm does)", cmd)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("slurmd must run as root to start jobs: run the test as root (make test-slurm under sudo)")
	}
	dir, err := os.MkdirTemp("", "tibench-slurm-*") // not t.TempDir: slurmd must reach it as another process
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"munge", "state", "spool", "log", "one", "cluster"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// munged refuses a socket directory others cannot traverse and a key others can read.
	key, socket := filepath.Join(dir, "munge", "munge.key"), filepath.Join(dir, "munge", "munge.socket")
	if out, err := exec.Command("mungekey", "-c", "-k", key).CombinedOutput(); err != nil {
		t.Skipf("mungekey: %v: %s", err, out)
	}
	start := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		logf, err := os.Create(filepath.Join(dir, "log", name+".out"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Skipf("%s cannot start: %v", name, err)
		}
		t.Cleanup(func() { // stop what this test started, by pid, newest first
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
			}
			logf.Close()
		})
	}
	start("munged", "-F", "--force", "--key-file="+key, "--socket="+socket, "--pid-file="+filepath.Join(dir, "munge", "pid"),
		"--seed-file="+filepath.Join(dir, "munge", "seed"), "--log-file="+filepath.Join(dir, "munge", "log"))
	ctld, slurmd := freePort(t), freePort(t)
	conf := filepath.Join(dir, "slurm.conf")
	writeFile(t, conf, fmt.Sprintf(`ClusterName=tibenchtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=%[1]s
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldPort=%[2]d
SlurmdPort=%[3]d
StateSaveLocation=%[4]s/state
SlurmdSpoolDir=%[4]s/spool
SlurmctldPidFile=%[4]s/slurmctld.pid
SlurmdPidFile=%[4]s/slurmd.pid
SlurmctldLogFile=%[4]s/log/slurmctld.log
SlurmdLogFile=%[4]s/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=%[5]d RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
`, socket, ctld, slurmd, dir, min(2, runtime.NumCPU())))
	t.Setenv("SLURM_CONF", conf)
	time.Sleep(500 * time.Millisecond) // munged's socket
	start("slurmctld", "-D", "-i", "-f", conf)
	time.Sleep(time.Second)
	start("slurmd", "-D", "-f", conf, "-N", "localhost")
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := exec.Command("sinfo", "-h", "-o", "%t").Output()
		if strings.TrimSpace(string(out)) == "idle" {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := exec.Command("sh", "-c", "tail -n 20 "+dir+"/log/*").CombinedOutput()
			t.Skipf("the Slurm node did not become idle in 30 s (sinfo: %q); daemon logs:\n%s", out, logs)
		}
		time.Sleep(300 * time.Millisecond)
	}

	bin := filepath.Join(dir, "tibench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exp := writeFile(t, filepath.Join(dir, "table3.yaml"), gridExperiment)
	one := filepath.Join(dir, "one")
	runInProcess(t, "run", "-configs", "../../configs", "-results", filepath.Join(one, "results"), exp)
	runInProcess(t, "tables", "-results", filepath.Join(one, "results"), "-o", filepath.Join(one, "BENCHMARKS.md"))

	cl := filepath.Join(dir, "cluster")
	t.Log(runInProcess(t, "export", "slurm", "-configs", "../../configs", "-results", filepath.Join(cl, "results"), "-shards", "3",
		"-tibench", bin, "-o", filepath.Join(cl, "job"), "-tables-o", filepath.Join(cl, "BENCHMARKS.md"), exp))
	submit := exec.Command("sh", filepath.Join(cl, "job", "submit.sh"), "--wait")
	began := time.Now()
	out, err := submit.CombinedOutput()
	t.Logf("sh submit.sh --wait (%.0f s):\n%s", time.Since(began).Seconds(), out)
	if err != nil {
		logs, _ := exec.Command("sh", "-c", "tail -n 30 "+cl+"/job/logs/*").CombinedOutput()
		t.Fatalf("submit: %v\ntask logs:\n%s", err, logs)
	}
	tablesLog, _ := exec.Command("sh", "-c", "cat "+cl+"/job/logs/tables-*.out").CombinedOutput()
	t.Logf("tables job:\n%s", tablesLog)
	if !strings.Contains(string(tablesLog), "all 12 runs of the plan have results") {
		t.Errorf("the tables job did not find every run")
	}
	a, err := os.ReadFile(filepath.Join(one, "BENCHMARKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cl, "BENCHMARKS.md"))
	if err != nil {
		t.Fatalf("the tables job wrote no markdown: %v", err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("BENCHMARKS.md of the Slurm array differs from one process's:\n--- one\n%s\n--- slurm\n%s", a, b)
	}
	t.Run("Preemption", func(t *testing.T) { slurmPreemption(t, dir, bin) })
}

// slurmPreemption: a task sent SIGTERM by Slurm (scancel --signal=TERM --full: the batch shell and
// tibench, as at preemption) exits 75, requeues itself, and its next start resumes from the
// checkpoint and writes the result.
func slurmPreemption(t *testing.T, dir, bin string) {
	exp := writeFile(t, filepath.Join(dir, "term.yaml"), "name: term\nmodels: [lstm]\ndatasets: [synth-wikipedia-small]\nseeds: [1]\nset: [run.epochs=12, model.params.dim=32]\n")
	job, results := filepath.Join(dir, "term-job"), filepath.Join(dir, "term-results")
	runInProcess(t, "export", "slurm", "-configs", "../../configs", "-results", results, "-shards", "1",
		"-tibench", bin, "-o", job, "-tables-o", filepath.Join(dir, "term.md"), exp)
	if err := os.MkdirAll(filepath.Join(job, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sbatch", "--parsable", filepath.Join(job, "array.sbatch")).Output()
	if err != nil {
		t.Fatalf("sbatch: %v", err)
	}
	id := strings.TrimSpace(strings.Split(string(out), ";")[0])
	ckpt := filepath.Join(results, "term", "lstm", "synth-wikipedia-small", "seed-1.ckpt")
	result := strings.TrimSuffix(ckpt, ".ckpt") + ".bench"
	deadline := time.Now().Add(90 * time.Second)
	for _, err := os.Stat(ckpt); err != nil; _, err = os.Stat(ckpt) {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint within 90 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := exec.Command("scancel", "--signal=TERM", "--full", id+"_0").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v: %s", err, out)
	}
	// Slurm holds a requeued job back for about two minutes (its begin time) before it starts again.
	deadline = time.Now().Add(300 * time.Second)
	for _, err := os.Stat(result); err != nil; _, err = os.Stat(result) {
		if time.Now().After(deadline) {
			logs, _ := exec.Command("sh", "-c", "cat "+job+"/logs/*").CombinedOutput()
			t.Fatalf("no result 300 s after SIGTERM; task log:\n%s", logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	logs, _ := exec.Command("sh", "-c", "cat "+job+"/logs/*").CombinedOutput()
	t.Logf("preempted task's log:\n%s", logs)
	for _, want := range []string{"interrupted during term lstm", "requeueing it", "resuming after epoch"} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("task log lacks %q", want)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
