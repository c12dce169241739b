package cluster

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/tibench/tibench/internal/grid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testJob is a fixed job: two shards of a three-run plan.
func testJob() Job {
	p := &grid.Plan{Runs: []grid.Run{{ID: "a/m/d/seed-1", Seconds: 600, MemoryMiB: 600}, {ID: "a/m/d/seed-2", Seconds: 300, MemoryMiB: 700},
		{ID: "a/m/d/seed-3", Seconds: 200, MemoryMiB: 500}}}
	j := Job{Name: "grid-test", Shards: 2, Plan: []byte(`{"files":["configs/experiments/a.yaml"],"runs":[]}` + "\n"),
		PlanPath: "/shared/cluster-slurm/plan.json", Tibench: "/opt/tibench/bin/tibench", Results: "/shared/results",
		Workdir: "/shared/tibench", Image: "registry.example/tibench:v1", ResultsPVC: "tibench-results", Namespace: "bench"}
	j.Resources(p)
	return j
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestResources: per-task requests from the plan: shard loads 600 s and 500 s (longest
// processing time first), so the limit is ⌈2·600 s / 60⌉ + 10 = 30 min; memory is the largest run's.
func TestResources(t *testing.T) {
	j := testJob()
	if j.CPUs != 2 || j.MemoryMiB != 700 || j.TimeLimit != 30*time.Minute {
		t.Errorf("requests %d CPUs, %d MiB, %s; want 2, 700, 30m", j.CPUs, j.MemoryMiB, j.TimeLimit)
	}
	if len(j.ShardSeconds) != 2 || j.ShardSeconds[0] != 600 || j.ShardSeconds[1] != 500 {
		t.Errorf("shard seconds %v, want [600 500]", j.ShardSeconds)
	}
	k := Job{Shards: 1, CPUs: 8, MemoryMiB: 9000, TimeLimit: time.Hour}
	k.Resources(&grid.Plan{Runs: []grid.Run{{Seconds: 1, MemoryMiB: 1}}})
	if k.CPUs != 8 || k.MemoryMiB != 9000 || k.TimeLimit != time.Hour {
		t.Errorf("overrides lost: %+v", k)
	}
}

// TestKubernetesManifest: the manifest is two documents; the second decodes strictly (unknown or
// misspelt fields are errors) into a batch/v1 Job that is Indexed, maps the completion index to
// the shard, mounts the results volume, requests the plan's resources and ignores preemptions;
// it round-trips through the Kubernetes YAML library unchanged, and matches the golden file.
func TestKubernetesManifest(t *testing.T) {
	out, err := Kubernetes(testJob())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "job.yaml", out)
	docs := strings.Split(string(out), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want 2 (ConfigMap, Job)", len(docs))
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &cm); err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	if cm.Kind != "ConfigMap" || !strings.Contains(cm.Data["plan.json"], "a.yaml") {
		t.Errorf("ConfigMap %+v", cm)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &job); err != nil {
		t.Fatalf("Job: %v", err)
	}
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Namespace != "bench" {
		t.Errorf("type %s %s in %q", job.APIVersion, job.Kind, job.Namespace)
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 2 || *s.Parallelism != 2 {
		t.Errorf("completion mode %v, completions %v, parallelism %v", s.CompletionMode, s.Completions, s.Parallelism)
	}
	c := s.Template.Spec.Containers[0]
	if cmd := strings.Join(c.Command, " "); !strings.Contains(cmd, "-shard $(JOB_COMPLETION_INDEX)/2") || !strings.Contains(cmd, "-resume") {
		t.Errorf("command %q", cmd)
	}
	if c.Resources.Requests.Memory().String() != "700Mi" || c.Resources.Requests.Cpu().String() != "2" {
		t.Errorf("requests %v", c.Resources.Requests)
	}
	if v := s.Template.Spec.Volumes[0]; v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "tibench-results" {
		t.Errorf("results volume %+v", v)
	}
	if r := s.PodFailurePolicy.Rules[1]; r.Action != batchv1.PodFailurePolicyActionIgnore || r.OnExitCodes.Values[0] != ExitInterrupted {
		t.Errorf("exit-code rule %+v", r)
	}
	again, err := yaml.Marshal(&job)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != docs[1] {
		t.Errorf("the Job does not round-trip:\n%s\n---\n%s", again, docs[1])
	}
	if _, err := Kubernetes(Job{Shards: 2}); err == nil {
		t.Error("a job without requests, image or plan was accepted")
	}
}

// TestSlurmScripts: the array maps SLURM_ARRAY_TASK_ID to the shard with the plan's requests, the
// submit script makes the tables job depend on the array, the scripts are valid shell (bash -n),
// and all match the golden files.
func TestSlurmScripts(t *testing.T) {
	files, err := Slurm(testJob(), "/shared/cluster-slurm/logs")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{SlurmArray, SlurmTables, SlurmSubmit} {
		golden(t, name, files[name])
	}
	a := string(files[SlurmArray])
	for _, want := range []string{"#SBATCH --array=0-1\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --mem=700M\n", "#SBATCH --time=30\n",
		`-shard "${SLURM_ARRAY_TASK_ID}/2"`, "-plan /shared/cluster-slurm/plan.json", `if [ "$rc" -eq 75 ]`} {
		if !strings.Contains(a, want) {
			t.Errorf("%s lacks %q", SlurmArray, want)
		}
	}
	if s := string(files[SlurmSubmit]); !strings.Contains(s, "--dependency=afterany:") {
		t.Errorf("%s has no dependent tables job", SlurmSubmit)
	}
	if _, err := exec.LookPath("bash"); err == nil {
		for name, data := range files {
			cmd := exec.Command("bash", "-n")
			cmd.Stdin = bytes.NewReader(data)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: bash -n: %v\n%s", name, err, out)
			}
		}
	}
	if got := shellQuote("it's here"); got != `'it'\''s here'` {
		t.Errorf("shellQuote = %s", got)
	}
}
