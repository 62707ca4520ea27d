# Ferry: the two commands a newcomer needs are `make run` and `make test`.
MVN        ?= mvn
MVN_FLAGS  ?= -B -q
JAR        := reactor/target/ferry.jar
SOURCES    := $(shell find protocol/src/main reactor/src/main -type f 2>/dev/null) pom.xml protocol/pom.xml reactor/pom.xml

.PHONY: build run test clean bench-files

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

## bench-files: file-transfer benchmark vs iperf3 -Z (pinned cores, medians; a few minutes)
bench-files:
	loadtest/bench-files.sh $(ARGS)

clean:
	$(MVN) $(MVN_FLAGS) clean
