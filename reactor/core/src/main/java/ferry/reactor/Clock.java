package ferry.reactor;

/**
 * Monotonic time source in nanoseconds. Timeout logic takes {@code nowNanos} from a Clock instead
 * of calling {@link System#nanoTime()} so tests can drive it with a fake clock instead of sleeping.
 */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
