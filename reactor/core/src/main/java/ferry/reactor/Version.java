package ferry.reactor;

/** Ferry's release version, reported in HELLO and by {@code ferry --version}. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
