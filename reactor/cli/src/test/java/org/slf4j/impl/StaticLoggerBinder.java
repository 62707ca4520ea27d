package org.slf4j.impl;

import org.slf4j.ILoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.LoggerFactoryBinder;

/**
 * The slf4j 1.7 binding Testcontainers' logging finds on the test classpath: discards everything,
 * exactly like slf4j's own fallback, but without the three "SLF4J: Failed to load class" lines that
 * fallback prints. The multi-host tests' output is shown even under {@code make test}'s {@code -q}
 * (so their one skip line is seen), and those lines would be the only noise in it. The project may
 * depend on no logging library, hence this stand-in. Testcontainers' failures still reach the
 * tests as exceptions.
 */
public final class StaticLoggerBinder implements LoggerFactoryBinder {
    /** Read by slf4j-api to check compatibility. Not final, as slf4j requires. */
    public static String REQUESTED_API_VERSION = "1.7.36";

    private static final StaticLoggerBinder SINGLETON = new StaticLoggerBinder();
    private final ILoggerFactory factory = new NOPLoggerFactory();

    private StaticLoggerBinder() {
    }

    public static StaticLoggerBinder getSingleton() {
        return SINGLETON;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public String getLoggerFactoryClassStr() {
        return NOPLoggerFactory.class.getName();
    }
}
