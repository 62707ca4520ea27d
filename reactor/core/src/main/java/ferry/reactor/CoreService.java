package ferry.reactor;

import ferry.protocol.CoreProtocol;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.tls.ChannelBinding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The ops every Ferry server has: {@code HELLO} (who are you, what can you do), {@code PING}
 * (echo; the body comes back as {@code PONG}'s body) and {@code BYE} (close after answering).
 * All three are allowed before login.
 */
final class CoreService implements FerryService {
    private final FerryServer server;

    CoreService(FerryServer server) {
        this.server = server;
    }

    @Override
    public void install(ServerContext ctx) {
        ctx.registerPublic(CoreProtocol.HELLO, this::hello, Sequencing.READ);
        ctx.registerPublic(CoreProtocol.PING, CoreService::ping, Sequencing.READ);
        ctx.registerPublic(CoreProtocol.BYE, CoreService::bye, Sequencing.READ);
        ctx.addFeature("ping");
    }

    private BodySink hello(Call call) {
        Session s = call.session();
        List<Object> features = new ArrayList<>(server.features());
        Header hello = Header.reply(CoreProtocol.HELLO, call.id())
                .put("server", server.config().serverName())
                .put("version", Version.VERSION)
                .put("protocol", Preamble.MAJOR + "." + Preamble.MINOR)
                .put("features", features)
                .put("login", server.config().loginRequired() ? "required" : "optional")
                .put("user", s.isLoggedIn() ? s.user() : null)
                .put("maxHeaderBytes", (long) server.config().frameLimits().maxHeaderBytes());
        if (call.channelBinding() != null) {
            // On TLS only: the login proof can be bound to this server's certificate (SCRAM-SHA-256-PLUS).
            hello.put("channelBinding", ChannelBinding.TLS_SERVER_END_POINT);
        }
        call.reply(hello);
        return null;
    }

    /** Echoes the body as it arrives: the PONG header goes first (same size), then each chunk. */
    private static BodySink ping(Call call) {
        long size = call.request().size();
        call.send(call.replyHeader(CoreProtocol.PONG).put(Header.SIZE, size)); // encoded now: the scratch header will do
        if (size == 0) {
            call.end();
            return null;
        }
        return new BodySink() {
            @Override
            public void onData(ByteBuffer chunk) {
                call.sendBody(chunk);
            }

            @Override
            public void onEnd() {
                call.end();
            }
        };
    }

    private static BodySink bye(Call call) {
        call.closeConnectionAfterReply();
        call.reply(Header.reply(CoreProtocol.BYE, call.id()));
        return null;
    }
}
