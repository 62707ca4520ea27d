# Ferry: the two commands a newcomer needs are `make run` and `make test`.
MVN        ?= mvn
MVN_FLAGS  ?= -B -q -Dstyle.color=never
# Maven 3.8's console library writes an ANSI reset per module even in batch mode; keep logs plain.
export MAVEN_OPTS := $(MAVEN_OPTS) -Djansi.noreset=true
JAR        := reactor/cli/target/ferry.jar
SOURCES    := $(shell find protocol/src/main reactor -path '*/src/main/*' -type f 2>/dev/null) pom.xml protocol/pom.xml $(shell find reactor -name pom.xml -not -path '*/target/*')

.PHONY: build run test clean fuzz fuzz-frames fuzz-files bench-dribble bench-files

## build: compile and package bin/ferry's jar (skips tests)
build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl reactor/cli -am

## run: start a server on 127.0.0.1:$(PORT) serving ./data (make run PORT=0 picks a free port;
##      ARGS="--verbose" passes more serve options). Its users live in ./config, outside the served
##      folder; the first run creates user "demo" and prints its password once (also saved, owner-only,
##      in config/demo-credentials, which bin/ferry uses by itself for 127.0.0.1 from this folder).
PORT ?= 7373
ARGS ?=
run: build
	bin/ferry serve --root data --create-root --config-dir config --demo-user --listen 127.0.0.1:$(PORT) $(ARGS)

## test: the whole test suite, then what it ran: tests per module, whether the multi-host (Docker)
##       tests ran, and a closing "tests: N passed, N failed, N skipped" line
test:
	@stamp=$$(mktemp); $(MVN) $(MVN_FLAGS) verify; status=$$?; .ci/test-summary.sh $$stamp; rm -f $$stamp; exit $$status

## bench-files: file-transfer benchmark vs iperf3 -Z (pinned cores, medians; a few minutes)
bench-files:
	loadtest/bench-files.sh $(ARGS)

clean:
	$(MVN) $(MVN_FLAGS) clean

# ---- load test, benchmarks, loopback ceiling (docs/BENCHMARKS.md) ---------------------------
LOADTEST_JAR     := loadtest/target/ferry-loadtest.jar
BENCH_JAR        := bench/target/ferry-bench.jar
LOADTEST_SOURCES := $(shell find loadtest/src/main bench/src/main -type f 2>/dev/null) loadtest/pom.xml bench/pom.xml
# Short JMH configuration: one fork, 2 x 1 s warm-up, 3 x 2 s measurement, allocation per op.
BENCH_ARGS       ?= -f 1 -wi 2 -w 1s -i 3 -r 2s -prof gc

.PHONY: loadtest bench ceiling benchmarks bench-load-files

$(LOADTEST_JAR) $(BENCH_JAR): $(SOURCES) $(LOADTEST_SOURCES)
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl loadtest,bench -am

## loadtest: run the load generator, e.g. make loadtest ARGS="pipeline -c 64 -d 16 --svg out.svg"
# 10,000 connections need descriptors: raise the soft limit as far as the hard one allows.
loadtest: $(LOADTEST_JAR)
	@ulimit -n 65536 2>/dev/null || ulimit -n $$(ulimit -Hn) 2>/dev/null || true; \
	java $(LOADTEST_JAVA_OPTS) -jar $(LOADTEST_JAR) $(ARGS)

## bench: JMH micro-benchmarks (a few minutes on 2 cores); JSON result in bench/results/jmh.json
bench: $(BENCH_JAR)
	@mkdir -p bench/results
	java -jar $(BENCH_JAR) $(BENCH_ARGS) -rf json -rff bench/results/jmh.json $(BENCH_FILTER)

## ceiling: loopback TCP ceiling with iperf3 -Z and plain iperf3 (installs Debian iperf3 if missing)
ceiling:
	loadtest/scripts/ceiling.sh

## bench-load-files: ferry-loadtest get/put/mixed vs iperf3 -Z, pinned, 3 alternating rounds (~12 min; ROUNDS= WARMUP= DURATION=)
bench-load-files: $(LOADTEST_JAR)
	loadtest/scripts/file-load.sh

## benchmarks: the whole measurement session behind docs/BENCHMARKS.md (~10-15 min; results in loadtest/results/)
benchmarks: $(LOADTEST_JAR) $(BENCH_JAR)
	loadtest/scripts/benchmarks.sh

## fuzz: long runs of every fuzzer: the frame decoder / JSON reader, then the file, login and exec services
fuzz: fuzz-frames fuzz-files

## fuzz-frames: long run of the frame decoder / JSON reader fuzzer (FUZZ_INPUTS inputs); prints protocol/target/fuzz-report.txt
FUZZ_INPUTS ?= 1000000
FUZZ_SEED   ?= 15933478
fuzz-frames:
	$(MVN) $(MVN_FLAGS) test -pl protocol -Dtest=FrameFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dferry.fuzz.iterations=$(FUZZ_INPUTS) -Dferry.fuzz.seed=$(FUZZ_SEED); status=$$?; \
	  cat protocol/target/fuzz-report.txt; exit $$status

## fuzz-files: long runs of the service fuzzers through a real server: file-op requests (FUZZ_FILE_INPUTS),
##             the path resolver on a trap tree (FUZZ_PATH_INPUTS), login (FUZZ_AUTH_INPUTS), exec
##             (FUZZ_EXEC_INPUTS), pipelined-vs-sequential request order (FUZZ_ORDER_SEQUENCES), PROXY headers
##             (FUZZ_PROXY_INPUTS); a few minutes; prints the reports (reactor/**/target/*-fuzz-report.txt)
FUZZ_FILE_INPUTS ?= 100000
FUZZ_PATH_INPUTS ?= 300000
FUZZ_AUTH_INPUTS ?= 50000
FUZZ_EXEC_INPUTS ?= 3000
FUZZ_ORDER_SEQUENCES ?= 100000
FUZZ_PROXY_INPUTS ?= 2000000
FUZZ_REPORTS     := $(foreach r,file path,reactor/services/file/target/$(r)-fuzz-report.txt) reactor/services/auth/target/auth-fuzz-report.txt \
                    reactor/services/exec/target/exec-fuzz-report.txt reactor/core/target/proxy-fuzz-report.txt
fuzz-files:
	@rm -f $(FUZZ_REPORTS)
	$(MVN) $(MVN_FLAGS) test -pl reactor/core,reactor/services/file,reactor/services/auth,reactor/services/exec -am -Dtest='FileOpsFuzzTest,PathResolverFuzzTest,AuthFuzzTest,ExecFuzzTest,PipelineOrderTest,ProxyHeaderFuzzTest' \
	  -Dsurefire.failIfNoSpecifiedTests=false -Dferry.fuzz.seed=$(FUZZ_SEED) \
	  -Dferry.fuzz.files.inputs=$(FUZZ_FILE_INPUTS) -Dferry.fuzz.paths.inputs=$(FUZZ_PATH_INPUTS) \
	  -Dferry.fuzz.auth.inputs=$(FUZZ_AUTH_INPUTS) -Dferry.fuzz.exec.inputs=$(FUZZ_EXEC_INPUTS) \
	  -Dferry.fuzz.order.sequences=$(FUZZ_ORDER_SEQUENCES) -Dferry.fuzz.proxy.inputs=$(FUZZ_PROXY_INPUTS); status=$$?; \
	  for r in $(FUZZ_REPORTS); do [ -f $$r ] && { cat $$r; echo; }; done; exit $$status

## bench-dribble: other clients' PING latency quiet vs with 1,000 one-byte-a-second dribblers (docs/BENCHMARKS.md, Slow peers)
DRIBBLE_ARGS ?=
bench-dribble:
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl loadtest -am
	java -cp loadtest/target/ferry-loadtest.jar ferry.loadtest.DribbleBench $(DRIBBLE_ARGS)
