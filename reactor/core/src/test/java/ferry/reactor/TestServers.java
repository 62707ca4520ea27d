package ferry.reactor;

import java.util.concurrent.atomic.AtomicLong;

/** Small helpers for starting servers in tests. */
final class TestServers {
    private TestServers() {}

    /** A config on 127.0.0.1, port 0, with short shutdown. */
    static ServerConfig.Builder config() {
        return ServerConfig.builder().port(0).shutdownGraceMillis(2000);
    }

    static FerryServer start(ServerConfig config, FerryService... services) throws Exception {
        FerryServer s = new FerryServer(config);
        for (FerryService svc : services) {
            s.install(svc);
        }
        s.start();
        return s;
    }

    /** A clock the test moves by hand. */
    static final class FakeClock implements Clock {
        private final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advanceMillis(long ms) {
            now.addAndGet(ms * 1_000_000L);
        }
    }
}
