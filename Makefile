# Ferry: the two commands a newcomer needs are `make run` and `make test`.
MVN        ?= mvn
MVN_FLAGS  ?= -B -q
JAR        := reactor/target/ferry.jar
SOURCES    := $(shell find protocol/src/main reactor/src/main -type f 2>/dev/null) pom.xml protocol/pom.xml reactor/pom.xml

.PHONY: build run test clean

## build: compile and package bin/ferry's jar (skips tests)
build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) $(MVN_FLAGS) -DskipTests package -pl reactor -am

## run: start a server on 127.0.0.1:$(PORT) serving ./data (make run PORT=0 picks a free port;
##      ARGS="--verbose" passes more serve options). Its users live in ./config, outside the served
##      folder; the first run creates user "demo" and prints its password once (also saved, owner-only,
##      in config/demo-credentials, which bin/ferry uses by itself for 127.0.0.1 from this folder).
PORT ?= 7373
ARGS ?=
run: build
	bin/ferry serve --root data --config-dir config --demo-user --listen 127.0.0.1:$(PORT) $(ARGS)

## test: the whole test suite
test:
	$(MVN) $(MVN_FLAGS) verify

clean:
	$(MVN) $(MVN_FLAGS) clean
