package ferry.cli.remote;

import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.client.FileClient;
import ferry.protocol.DigestAlgorithm;
import java.time.ZoneId;

/** {@code ferry stat [-c] REMOTE...}: describes files and folders on a server, with their digest on request. */
public final class StatCommand extends ServerFileCommand {
    private final Option<Boolean> checksum = option(Option.flag("checksum",
            "also show the file's SHA-256 digest (computed by the server, once per version of the file)").shortName('c'));
    private final Option<Boolean> md5 = option(Option.flag("md5", "show the MD5 digest instead (implies -c)"));
    private int shownSoFar;

    public StatCommand() {
        super("stat", "describe files or folders on a server");
        arguments("REMOTE...");
    }

    @Override
    public String description() {
        return "Describe REMOTE ([user@]host[:port]:/path): type, size, modification time, and with -c its digest "
                + "(compare it with sha256sum, or md5sum with --md5).";
    }

    @Override
    void apply(Invocation inv, FileClient fc, Remote remote, int argCount) throws Exception {
        DigestAlgorithm alg = inv.args().get(md5) ? DigestAlgorithm.MD5
                : inv.args().get(checksum) ? DigestAlgorithm.SHA_256 : DigestAlgorithm.NONE;
        if (shownSoFar++ > 0) {
            inv.console().out().println();
        }
        RemoteFileOps.stat(fc, remote.serverPath(), shown(remote), alg, inv.console().out(), ZoneId.systemDefault());
    }
}
