# tibench — see README.md. `make test` is the test command CI runs; `make reproduce` regenerates the tables.
GO      ?= go
PROFILE ?= quick
# Extra flags for `go test -bench` runs, e.g. BENCH='JODIEStep' BENCHFLAGS='-count 5'.
BENCH      ?= .
BENCHFLAGS ?=

# Debian's OpenBLAS misdetects some virtual CPUs (this project's 2-core EPYC VMs among them) as
# "Prescott" and then runs ~3x slower. Pick the core type from the CPU flags unless the caller set one.
OPENBLAS_CORETYPE ?= $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo SkylakeX || (grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo Haswell))
OPENBLAS_ENV = CGO_ENABLED=1 CGO_LDFLAGS=-lopenblas OPENBLAS_CORETYPE=$(OPENBLAS_CORETYPE)

.PHONY: all build build-cuda test test-slurm test-openblas bench bench-openblas reproduce reproduce-engines tables regress check-tables check-openblas FORCE

all: build test

build:
	$(GO) build ./...

test:
	$(GO) vet ./...
	$(GO) test ./...

# A real one-node Slurm cluster on localhost runs an exported job array (cmd/tibench/slurm_test.go).
# Installs Debian's slurm-wlm and munge when missing; the test starts and stops its own daemons
# (slurmd needs root) and skips with the reason where they cannot start.
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-slurm:
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || \
		{ $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge; }
	$(GO) test -tags slurm -run Slurm -count=1 -v ./cmd/tibench

bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(BENCHFLAGS) ./...

# The optional OpenBLAS backend (apt-get install libopenblas-dev).
check-openblas:
	@test -e /usr/include/x86_64-linux-gnu/cblas.h -o -e /usr/include/openblas/cblas.h -o -e /usr/lib/x86_64-linux-gnu/libopenblas.so || \
		{ echo "OpenBLAS not found: run 'apt-get install libopenblas-dev' (Debian/Ubuntu)" >&2; exit 1; }

test-openblas: check-openblas
	$(OPENBLAS_ENV) $(GO) test -tags openblas ./internal/...

bench-openblas: check-openblas
	$(OPENBLAS_ENV) $(GO) test -tags openblas -run '^$$' -bench '$(BENCH)' -benchmem $(BENCHFLAGS) ./internal/...

# Narrow `make reproduce` with MODELS=a,b and DATASETS=x,y; PROFILE=paper uses the real datasets
# (download them first with `tibench datasets download NAME`) and the papers' settings.
MODELS   ?=
DATASETS ?=
RUNFLAGS  = -profile $(PROFILE) $(if $(MODELS),-models $(MODELS)) $(if $(DATASETS),-datasets $(DATASETS))

bin/tibench: FORCE
	$(GO) build -o bin/tibench ./cmd/tibench

reproduce: bin/tibench
	./bin/tibench reproduce $(RUNFLAGS)

# The engines table (BENCHMARKS.md, Engines): JODIE's epoch and evaluation on synth-wikipedia with
# tibench's engine (pure Go and OpenBLAS) and gorgonia, and the step benchmark of each, into
# results/engines*. About 10 minutes; needs OpenBLAS (check-openblas). Run it alone on the machine.
ENGINE_STEPS = -run '^$$' -bench 'JODIEEngineStep' -benchtime 2s ./models/jodie
reproduce-engines: bin/tibench check-openblas
	$(OPENBLAS_ENV) $(GO) build -tags openblas -o bin/tibench-openblas ./cmd/tibench
	./bin/tibench run configs/experiments-scale/engines.yaml
	$(OPENBLAS_ENV) ./bin/tibench-openblas run configs/experiments-scale/engines-openblas.yaml
	@mkdir -p results/engines
	{ echo "experiment: engine-steps"; echo "backend: $$(./bin/tibench backends | awk '$$1=="cpu"{print $$2}')"; \
	  echo "commit: $$(git rev-parse --short=12 HEAD)"; $(GO) test $(ENGINE_STEPS); } > results/engines/.steps.tmp && \
	  mv results/engines/.steps.tmp results/engines/steps-purego.bench
	{ echo "experiment: engine-steps"; echo "backend: $$($(OPENBLAS_ENV) ./bin/tibench-openblas backends | awk '$$1=="cpu"{print $$2}')"; \
	  echo "commit: $$(git rev-parse --short=12 HEAD)"; $(OPENBLAS_ENV) $(GO) test -tags openblas $(subst JODIEEngineStep,JODIEEngineStep/engine=tibench,$(ENGINE_STEPS)); } \
	  > results/engines/.steps.tmp && mv results/engines/.steps.tmp results/engines/steps-openblas.bench
	./bin/tibench tables

# The GPU route: gorgonia on CUDA (gorgonia's cuda build tag, through gorgonia.org/cu). It needs
# the CUDA toolkit (nvcc, cuda.h, libcuda); no GPU or toolkit exists on this project's machines, so
# this is untested here and fails early with the missing piece named.
CUDA_PATH ?= /usr/local/cuda
build-cuda:
	@command -v nvcc >/dev/null 2>&1 || test -x $(CUDA_PATH)/bin/nvcc || \
		{ echo "build-cuda: the CUDA toolkit is not installed (no nvcc on PATH or in $(CUDA_PATH)/bin); gorgonia's cuda build needs it" >&2; exit 1; }
	@test -e $(CUDA_PATH)/include/cuda.h || \
		{ echo "build-cuda: $(CUDA_PATH)/include/cuda.h not found; set CUDA_PATH to the CUDA toolkit" >&2; exit 1; }
	CGO_ENABLED=1 CGO_CFLAGS=-I$(CUDA_PATH)/include CGO_LDFLAGS="-L$(CUDA_PATH)/lib64 -lcuda -lcudart -lcublas" \
		$(GO) build -tags cuda -o bin/tibench-cuda ./cmd/tibench

tables: bin/tibench
	./bin/tibench tables

regress: bin/tibench
	./bin/tibench regress

# CI: BENCHMARKS.md must be what `make tables` generates from the committed results.
# The copy is written beside BENCHMARKS.md so the paths it names are the same.
check-tables: bin/tibench
	./bin/tibench tables -o .BENCHMARKS.check.md
	@diff -u BENCHMARKS.md .BENCHMARKS.check.md; s=$$?; rm -f .BENCHMARKS.check.md; \
		if [ $$s -ne 0 ]; then echo "BENCHMARKS.md differs from what results/ generates: run 'make tables' and commit" >&2; exit 1; fi

FORCE:
