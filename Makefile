# procbox — see README.md. Every target works from a clean checkout.
GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
PKGS     := ./...

.PHONY: build run test test-short bench lint golden fuzz soak clean

## build: the static binary ./procbox (CGO_ENABLED=0)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o procbox ./cmd/procbox

## run: build, then start procbox on this terminal
run: build
	./procbox $(ARGS)

## test: the whole suite with the race detector (root runs the isolation tests)
test: build
	$(GO) vet $(PKGS)
	# -p 1: the root isolation tests of different packages check the host for leftovers,
	# so packages must not run at the same time and see each other's cgroups.
	$(GO) test -race -count=1 -p 1 -timeout 30m $(PKGS)

## test-short: the suite without the slow and root-only parts
test-short:
	$(GO) test -short -count=1 $(PKGS)

## bench: benchmarks plus procbox side by side with ps, unshare and bwrap
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 20x ./inspect/ ./isolate/
	./scripts/bench.sh

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## golden: rewrite the golden files of the UI views
golden:
	$(GO) test ./ui/ ./cmd/procbox/ -run 'Golden' -update

## fuzz: run every fuzz target for a bounded time each
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

## soak: the long fault suite (churn, toggle storms, kill at every step)
soak: build
	PROCBOX_SOAK=1 $(GO) test -count=1 -timeout 60m -run 'Soak' ./...

## clean: remove build output and sweep stale procbox cgroups
clean:
	-[ -x ./procbox ] && ./procbox doctor --clean >/dev/null 2>&1
	rm -f procbox
