# Ferry: the two commands a newcomer needs are `make run` and `make test`.
MVN        ?= mvn
MVN_FLAGS  ?= -B -q
JAR        := reactor/target/ferry.jar
SOURCES    := $(shell find protocol/src/main reactor/src/main -type f 2>/dev/null) pom.xml protocol/pom.xml reactor/pom.xml

.PHONY: build run test clean fuzz bench-dribble

## build: compile and package bin/ferry's jar (skips tests)
build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl reactor -am

## run: start a server on 127.0.0.1 with the default data folder ./data
run: build
	bin/ferry serve --root data

## test: the whole test suite
test:
	$(MVN) $(MVN_FLAGS) verify

clean:
	$(MVN) $(MVN_FLAGS) clean

## fuzz: long run of the frame decoder / JSON reader fuzzer (FUZZ_INPUTS inputs); prints protocol/target/fuzz-report.txt
FUZZ_INPUTS ?= 1000000
FUZZ_SEED   ?= 15933478
fuzz:
	$(MVN) $(MVN_FLAGS) test -pl protocol -Dtest=FrameFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dferry.fuzz.iterations=$(FUZZ_INPUTS) -Dferry.fuzz.seed=$(FUZZ_SEED); status=$$?; \
	  cat protocol/target/fuzz-report.txt; exit $$status

## bench-dribble: other clients' PING latency quiet vs with 1,000 one-byte-a-second dribblers (docs/BENCHMARKS.md, Slow peers)
DRIBBLE_ARGS ?=
bench-dribble:
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl loadtest -am
	java -cp loadtest/target/ferry-loadtest.jar ferry.loadtest.DribbleBench $(DRIBBLE_ARGS)
