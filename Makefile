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

.PHONY: all build test test-slurm test-openblas bench bench-openblas reproduce tables regress check-tables check-openblas FORCE

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
