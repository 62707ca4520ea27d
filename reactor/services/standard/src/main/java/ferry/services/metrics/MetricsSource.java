package ferry.services.metrics;

/**
 * Something that writes metric families into a scrape.
 *
 * <p>Threading contract: called on the metrics endpoint's own thread, one scrape at a time, never
 * on an event loop. It may only read what other threads publish safely (LongAdders, atomics,
 * volatiles, MXBeans): it must not run anything on a loop or wait for one.
 */
@FunctionalInterface
public interface MetricsSource {
    void writeTo(PrometheusText out);
}
