package ferry.cli.serve;

import ferry.services.auth.AuthSettings;

/**
 * The login service's knobs as {@code ferry serve} was given them ({@code --login-delay 500ms},
 * {@code login-max-failures = 3}), starting from {@link AuthSettings}' own defaults, turned into
 * an {@link AuthSettings} by {@link #build()}.
 *
 * <p>Kept here rather than in an {@link AuthSettings.Builder} because the builder has no getters:
 * help and {@code --print-config} read the effective values back from this object.
 *
 * <p>Thread safety: filled while settings are read, read-only afterwards.
 */
public final class LoginSettings {
    private int freeFailures = AuthSettings.DEFAULT_FREE_FAILURES;
    private long baseDelayMillis = AuthSettings.DEFAULT_BASE_DELAY_MILLIS;
    private long maxDelayMillis = AuthSettings.DEFAULT_MAX_DELAY_MILLIS;
    private long forgetAfterMillis = AuthSettings.DEFAULT_FORGET_AFTER_MILLIS;
    private int maxTracked = AuthSettings.DEFAULT_MAX_TRACKED;
    private int maxFailuresPerConnection = AuthSettings.DEFAULT_MAX_FAILURES_PER_CONNECTION;
    private long exchangeTimeoutMillis = AuthSettings.DEFAULT_EXCHANGE_TIMEOUT_MILLIS;
    private int maxSessionsPerUser = AuthSettings.DEFAULT_MAX_SESSIONS_PER_USER;

    int freeFailures() { return freeFailures; }
    long baseDelayMillis() { return baseDelayMillis; }
    long maxDelayMillis() { return maxDelayMillis; }
    long forgetAfterMillis() { return forgetAfterMillis; }
    int maxTracked() { return maxTracked; }
    int maxFailuresPerConnection() { return maxFailuresPerConnection; }
    long exchangeTimeoutMillis() { return exchangeTimeoutMillis; }
    int maxSessionsPerUser() { return maxSessionsPerUser; }

    void setFreeFailures(int v) { freeFailures = v; }
    void setBaseDelayMillis(long v) { baseDelayMillis = v; }
    void setMaxDelayMillis(long v) { maxDelayMillis = v; }
    void setForgetAfterMillis(long v) { forgetAfterMillis = v; }
    void setMaxTracked(int v) { maxTracked = v; }
    void setMaxFailuresPerConnection(int v) { maxFailuresPerConnection = v; }
    void setExchangeTimeoutMillis(long v) { exchangeTimeoutMillis = v; }
    void setMaxSessionsPerUser(int v) { maxSessionsPerUser = v; }

    /**
     * The login service's settings; throws IllegalArgumentException (in AuthSettings' property
     * names, which {@link ServeOptions#translate} turns into flags) for a bad combination.
     */
    AuthSettings build() {
        return AuthSettings.builder()
                .freeFailures(freeFailures)
                .baseDelayMillis(baseDelayMillis)
                .maxDelayMillis(maxDelayMillis)
                .forgetAfterMillis(forgetAfterMillis)
                .maxTracked(maxTracked)
                .maxFailuresPerConnection(maxFailuresPerConnection)
                .exchangeTimeoutMillis(exchangeTimeoutMillis)
                .maxSessionsPerUser(maxSessionsPerUser)
                .build();
    }
}
