# Topicfeed. `make html` builds content/ into output/; `make demo` builds and serves the shipped
# real corpus; `make test` runs the whole suite. Every target first runs tools/ensure-venv.sh, which
# makes .venv/ and installs the hashed pins of requirements.txt, and rebuilds a broken or
# half-made .venv/ or reinstalls after requirements.txt changed.

PY ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
PELICANOPTS ?=

INPUTDIR ?= $(CURDIR)/content
OUTPUTDIR ?= $(CURDIR)/output
CONFFILE ?= $(CURDIR)/pelicanconf.py
PUBLISHCONF ?= $(CURDIR)/publishconf.py
# The editors' preview (docs/preview.md): unpublished items too, into its own folder, never published.
PREVIEWCONF ?= $(CURDIR)/previewconf.py
PREVIEWDIR ?= $(CURDIR)/preview
PREVIEW ?= 0
PREVIEW_MARKER := .topicfeed-preview
PORT ?= 8000
# make demo: the real corpus shipped as test data (674 items), built into its own git-ignored folder.
DEMO_INPUTDIR ?= $(CURDIR)/tests/data/corpus/powerapps-news
DEMO_OUTPUTDIR ?= $(CURDIR)/output-demo
# make requirements: pip-compile (in a throwaway venv) turns requirements.in into requirements.txt.
PIP_TOOLS ?= pip-tools==7.6.2
SITEURL ?=
STRICT ?= 0
PYTEST_ARGS ?=
# make test runs the suite in TEST_WORKERS processes (pytest-xdist; one per core here), each taking
# whole test files, so a file's module fixtures are built once; TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
# Publishing to GitHub Pages (README "Publishing"): make github SITEURL=https://USER.github.io/REPO
GITHUB_PAGES_BRANCH ?= gh-pages
GITHUB_PAGES_REMOTE ?= origin
GITHUB_PAGES_CNAME ?=
GHP_IMPORT_OPTS ?=
BENCH_SIZES ?= 1000 10000
BENCH_RUNS ?= 3
BENCH_PROFILE_SIZE ?= 10000
# cold, or a rebuild after one item changed / added / unpublished
BENCH_PROFILE_SCENARIO ?= cold
# Topicfeed settings to profile a variant with, NAME=JSON each: BENCH_PROFILE_SETTINGS=MEMORY_BUDGET_MB=2000
BENCH_PROFILE_SETTINGS ?=
# 1: record benchmark results even when the machine is busy (marked "measured under load")
BENCH_ALLOW_LOAD ?= 0

ifneq ($(SITEURL),)
  SITEOPTS := -e 'SITEURL="$(SITEURL)"' 'FEED_DOMAIN="$(SITEURL)"'
endif
ifeq ($(STRICT),1)
  PELICANOPTS += --fatal errors
endif
PREVIEWOPTS := -o $(PREVIEWDIR) -s $(PREVIEWCONF) -e 'PREVIEW_OUTPUT="$(abspath $(PREVIEWDIR))"'
ifeq ($(PREVIEW),1)
  DEVSERVEROPTS := $(PREVIEWOPTS)
else
  DEVSERVEROPTS := -o $(OUTPUTDIR) -s $(CONFFILE) $(SITEOPTS)
endif

.PHONY: help venv requirements testdeps html demo regenerate clean serve devserver publish github github-siteurl settle test lint bench bench-full bench-profile
.PHONY: preview not-a-preview

help:
	@echo 'make html        build $(INPUTDIR) into $(OUTPUTDIR) (INPUTDIR, OUTPUTDIR, SITEURL, STRICT=1)'
	@echo 'make demo        build the shipped real corpus into $(DEMO_OUTPUTDIR) and serve it on http://127.0.0.1:$(PORT)/'
	@echo 'make publish     build with publishconf.py, absolute URLs: make publish SITEURL=https://...'
	@echo 'make github      publish and push $(OUTPUTDIR) to the $(GITHUB_PAGES_BRANCH) branch (SITEURL required)'
	@echo 'make settle      wait until the site the last build replaced is emptied into the next build'"'"'s folders'
	@echo 'make serve       serve $(OUTPUTDIR) on http://127.0.0.1:$(PORT)/'
	@echo 'make devserver   rebuild on change and serve (PREVIEW=1: the preview)'
	@echo 'make preview     build unpublished items too into $(PREVIEWDIR), for editors only (docs/preview.md)'
	@echo 'make clean       remove $(OUTPUTDIR), $(DEMO_OUTPUTDIR) and the content cache'
	@echo 'make test        run the whole test suite'
	@echo 'make lint        ruff'
	@echo 'make venv        make or repair .venv/ and install requirements.txt (hash-checked)'
	@echo 'make requirements  regenerate requirements.txt (pins + hashes) from requirements.in'
	@echo 'make bench       Topicfeed vs plain Pelican vs Hugo into BENCHMARKS.md (BENCH_SIZES="1000 10000" BENCH_RUNS=3 BENCH_ALLOW_LOAD=0)'
	@echo 'make bench-full  the same rounds with REBUILD_FROM_MODEL=false (the full rebuild), stored as a variant beside them'
	@echo 'make bench-profile  profile a build of BENCH_PROFILE_SIZE items (py-spy, .bench/; BENCH_PROFILE_SCENARIO=cold|changed|added|unpublished; BENCH_PROFILE_SETTINGS=NAME=JSON ...)'

# Runs on every make (fast when nothing changed); see tools/ensure-venv.sh for what it repairs.
# `make -o $(VENV)/.installed ...` skips it (the tests do, to use the venv they run in as it is).
venv: $(VENV)/.installed

$(VENV)/.installed: FORCE
	@bash $(CURDIR)/tools/ensure-venv.sh '$(VENV)' '$(CURDIR)/requirements.txt' '$(PY)'

FORCE:

# pip-tools lives in a throwaway venv, so it never mixes with the pins it resolves.
requirements:
	@tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m venv "$$tmp/venv" && "$$tmp/venv/bin/pip" install --quiet '$(PIP_TOOLS)' && \
	cd '$(CURDIR)' && "$$tmp/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file=requirements.txt requirements.in

html: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(SITEOPTS) $(PELICANOPTS)

demo: venv
	@test -d '$(DEMO_INPUTDIR)' || { echo 'make demo: no corpus at $(DEMO_INPUTDIR) (set DEMO_INPUTDIR)' >&2; exit 2; }
	$(PELICAN) '$(DEMO_INPUTDIR)' -o '$(DEMO_OUTPUTDIR)' -s $(CONFFILE) $(PELICANOPTS)
	@echo 'make demo: serving $(DEMO_OUTPUTDIR) on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)'
	$(PELICAN) -l '$(DEMO_INPUTDIR)' -o '$(DEMO_OUTPUTDIR)' -s $(CONFFILE) -b 127.0.0.1 -p $(PORT)

regenerate: venv
	$(PELICAN) -r $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(SITEOPTS) $(PELICANOPTS)

clean:
	rm -rf $(OUTPUTDIR) $(DEMO_OUTPUTDIR) $(CURDIR)/cache

serve: venv
	$(PELICAN) -l $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) -b 127.0.0.1 -p $(PORT)

devserver: venv
	$(PELICAN) -lr $(INPUTDIR) $(DEVSERVEROPTS) -b 127.0.0.1 -p $(PORT) $(PELICANOPTS)

preview: venv
	$(PELICAN) $(INPUTDIR) $(PREVIEWOPTS) $(PELICANOPTS)

# A preview holds unpublished items: publish and github refuse its folder, before building anything.
not-a-preview:
	@test ! -e '$(OUTPUTDIR)/$(PREVIEW_MARKER)' || { echo 'refusing to publish $(OUTPUTDIR): it holds a preview build ($(PREVIEW_MARKER)) with unpublished items; publish into another OUTPUTDIR' >&2; exit 2; }
	@test '$(abspath $(OUTPUTDIR))' != '$(abspath $(PREVIEWDIR))' || { echo 'refusing to publish $(OUTPUTDIR): it is the preview folder (PREVIEWDIR); publish into another OUTPUTDIR' >&2; exit 2; }

publish: venv not-a-preview
	SITEURL='$(SITEURL)' GITHUB_PAGES_CNAME='$(GITHUB_PAGES_CNAME)' $(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) $(SITEOPTS) $(PELICANOPTS)

# ghp-import commits the finished $(OUTPUTDIR) (atomic_output has swapped it in) as the whole tree
# of $(GITHUB_PAGES_BRANCH) and pushes it; GHP_IMPORT_OPTS='--no-history' keeps one commit only.
github: github-siteurl not-a-preview publish
	@test ! -e '$(OUTPUTDIR)/$(PREVIEW_MARKER)' || { echo 'refusing to push $(OUTPUTDIR): it holds a preview build' >&2; exit 2; }
	$(BIN)/ghp-import -m 'Publish $(SITEURL)' -b '$(GITHUB_PAGES_BRANCH)' -r '$(GITHUB_PAGES_REMOTE)' -p $(GHP_IMPORT_OPTS) '$(OUTPUTDIR)'

# A build empties the site it replaced in the background and keeps its folders for the next build
# (.output.skeleton); CI waits for that before it saves the build state (docs/publishing.md).
settle: venv
	PYTHONPATH=$(CURDIR)/plugins $(BIN)/python -m topicfeed.atomic_output.settle '$(OUTPUTDIR)'

github-siteurl:
	@test -n '$(SITEURL)' || { echo 'make github needs the site URL: make github SITEURL=https://USER.github.io/REPO' >&2; exit 2; }

lint: venv
	$(BIN)/ruff check plugins tests bench pelicanconf.py publishconf.py previewconf.py

testdeps: venv
	bash tools/install-test-deps.sh

test: venv testdeps
	$(BIN)/ruff check plugins tests bench pelicanconf.py publishconf.py previewconf.py
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Benchmark (issues 8, 12): generated sets and outputs go to .bench/, results to bench/results/
# and BENCHMARKS.md. 100,000 items: make bench BENCH_SIZES=100000 (long; not part of make test).
# bench/ is a package run from the repository root; PYTHONPATH=plugins makes `topicfeed` importable.
# It refuses to record results while the 1-minute load stays above 1.0, or while a CPU probe runs
# more than 1.5 times slower than in the results it would replace, unless BENCH_ALLOW_LOAD=1.
bench: venv
	bash tools/install-bench-deps.sh
	cd $(CURDIR) && PYTHONPATH=$(CURDIR)/plugins $(BIN)/python -m bench.run --sizes $(BENCH_SIZES) \
	  --runs $(BENCH_RUNS) $(if $(filter 1,$(BENCH_ALLOW_LOAD)),--allow-load)

# The same rounds, Topicfeed only, with every rebuild a full one (REBUILD_FROM_MODEL=false: Pelican's
# whole pipeline with its own reuse): a variant beside the default build's results, which
# BENCHMARKS.md shows next to them. (Until 2026-12-04 the default was the full rebuild and
# bench/results/variants/rebuild-from-model holds the model path measured as a variant.)
bench-full: venv
	cd $(CURDIR) && PYTHONPATH=$(CURDIR)/plugins $(BIN)/python -m bench.run --sizes $(BENCH_SIZES) \
	  --runs $(BENCH_RUNS) --systems topicfeed --topicfeed-setting REBUILD_FROM_MODEL=false \
	  --results bench/results/variants/full-rebuild $(if $(filter 1,$(BENCH_ALLOW_LOAD)),--allow-load)

bench-profile: venv
	cd $(CURDIR) && PYTHONPATH=$(CURDIR)/plugins $(BIN)/python -m bench.profile_build --size $(BENCH_PROFILE_SIZE) \
		--scenario $(BENCH_PROFILE_SCENARIO) $(foreach s,$(BENCH_PROFILE_SETTINGS),--topicfeed-setting $(s))
