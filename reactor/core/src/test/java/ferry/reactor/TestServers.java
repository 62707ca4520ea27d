package ferry.reactor;

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
}
