package ferry.cli.shell;

import ferry.cli.command.CliException;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.cli.remote.ExecCommand;
import ferry.cli.remote.RemoteClient;
import ferry.cli.remote.RemoteFileOps;
import ferry.cli.remote.RemotePaths;
import ferry.cli.transfer.FileTransfers;
import ferry.cli.transfer.TransferFlags;
import ferry.client.ExecRequest;
import ferry.client.FileInfo;
import ferry.protocol.DigestAlgorithm;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell's file and exec commands, sftp style: {@code ls}, {@code cd}, {@code pwd},
 * {@code lcd}, {@code lpwd}, {@code get}, {@code put}, {@code stat}, {@code mkdir}, {@code rm},
 * {@code mv}, {@code exec}. Remote paths are relative to the remote working folder ({@code cd};
 * {@code /x} starts at the home folder), local ones to the local working folder ({@code lcd}).
 * Options are those of the {@code ferry} commands of the same names; transfers verify, resume
 * and retry the same way ({@link FileTransfers}).
 *
 * <p>Thread safety: none; the shell's thread.
 */
public final class ShellFileActions {
    private ShellFileActions() {}

    static List<ShellAction> all() {
        return List.of(new Ls(), new Cd(), new Pwd(), new Lcd(), new Lpwd(), new Get(), new Put(), new Stat(),
                new Mkdir(), new Rm(), new Mv(), new Exec());
    }

    static final class Ls extends ShellAction {
        private final Option<Boolean> longFormat = option(Option.flag("long",
                "type, size, modification time and name").shortName('l'));
        private final Option<Boolean> human = option(Option.flag("human", "sizes as 1.5 MiB (with -l)").shortName('H'));

        Ls() {
            super("ls", "list a remote folder (default: the working folder)");
            arguments("[PATH...]");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            List<String> paths = args.positionals().isEmpty() ? List.of(".") : args.positionals();
            for (int i = 0; i < paths.size(); i++) {
                if (paths.size() > 1) {
                    s.out().println((i > 0 ? "\n" : "") + RemotePaths.shown(s.remotePath(paths.get(i))) + ":");
                }
                RemoteFileOps.list(s.files(), s.remotePath(paths.get(i)), s.out(), args.get(longFormat),
                        args.get(human), ZoneId.systemDefault());
            }
        }
    }

    static final class Cd extends ShellAction {
        Cd() {
            super("cd", "change the remote working folder (default: your home folder)");
            arguments("[DIR]");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            String target = s.remotePath(args.positional(0, "/"));
            FileInfo info = s.files().stat(target);
            if (!info.isDir()) {
                throw new CliException("not a folder: " + RemotePaths.shown(target));
            }
            s.setRemoteCwd(target);
        }
    }

    static final class Pwd extends ShellAction {
        Pwd() {
            super("pwd", "show the remote working folder");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) {
            s.out().println(RemotePaths.shown(s.remoteCwd()));
        }
    }

    static final class Lcd extends ShellAction {
        Lcd() {
            super("lcd", "change the local working folder (default: your home folder)");
            arguments("[DIR]");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            Path target = s.localCwd().resolve(args.positional(0, System.getProperty("user.home")));
            if (!Files.isDirectory(target)) {
                throw new CliException((Files.exists(target) ? "not a folder: " : "no such folder: ") + target);
            }
            s.setLocalCwd(target);
        }
    }

    static final class Lpwd extends ShellAction {
        Lpwd() {
            super("lpwd", "show the local working folder");
            arguments();
        }

        @Override
        void run(ShellSession s, ParsedArgs args) {
            s.out().println(s.localCwd());
        }
    }

    static final class Get extends ShellAction {
        private final TransferFlags transfer = new TransferFlags(this, true);

        Get() {
            super("get", "download files or folders (-r) to the local working folder");
            arguments("REMOTE...", "[LOCAL]");
        }

        @Override
        public String description() {
            return "Download REMOTE (relative to the remote working folder) to LOCAL (default: the local working "
                    + "folder); with several arguments the last is LOCAL. Verified, resumed and retried like "
                    + "'ferry get'.";
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            List<String> pos = args.positionals();
            String local = pos.size() >= 2 ? pos.get(pos.size() - 1) : null;
            List<String> remotes = pos.size() >= 2 ? pos.subList(0, pos.size() - 1) : pos;
            FileTransfers.Side side = new FileTransfers.Side(s.source(), s.remote().hostPort());
            List<FileTransfers.RemoteFile> files = new ArrayList<>();
            for (String r : remotes) {
                files.add(new FileTransfers.RemoteFile(side, s.remotePath(r)));
            }
            FileTransfers.of(s.console(), name(), transfer, args).reportingTo(s.errors())
                    .get(files, local, s.localCwd());
        }
    }

    static final class Put extends ShellAction {
        private final TransferFlags transfer = new TransferFlags(this, true);

        Put() {
            super("put", "upload files or folders (-r) to the remote working folder");
            arguments("LOCAL...", "[REMOTE]");
        }

        @Override
        public String description() {
            return "Upload LOCAL (relative to the local working folder) to REMOTE (default: the remote working "
                    + "folder); with several arguments the last is REMOTE. Verified, resumed and retried like "
                    + "'ferry put'.";
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            List<String> pos = args.positionals();
            String remote = pos.size() >= 2 ? pos.get(pos.size() - 1) : ".";
            List<String> locals = pos.size() >= 2 ? pos.subList(0, pos.size() - 1) : pos;
            String target = s.remotePath(remote);
            if (remote.endsWith("/") && !target.isEmpty()) {
                target += "/"; // keeps "must be an existing folder"
            }
            FileTransfers.Side side = new FileTransfers.Side(s.source(), s.remote().hostPort());
            FileTransfers.of(s.console(), name(), transfer, args).reportingTo(s.errors())
                    .put(locals, s.localCwd(), side, target);
        }
    }

    static final class Stat extends ShellAction {
        private final Option<Boolean> checksum = option(Option.flag("checksum", "also show the SHA-256 digest")
                .shortName('c'));
        private final Option<Boolean> md5 = option(Option.flag("md5", "show the MD5 digest instead (implies -c)"));

        Stat() {
            super("stat", "describe remote files or folders");
            arguments("PATH...");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            DigestAlgorithm alg = args.get(md5) ? DigestAlgorithm.MD5
                    : args.get(checksum) ? DigestAlgorithm.SHA_256 : DigestAlgorithm.NONE;
            for (int i = 0; i < args.positionals().size(); i++) {
                String p = s.remotePath(args.positionals().get(i));
                if (i > 0) {
                    s.out().println();
                }
                RemoteFileOps.stat(s.files(), p, RemotePaths.shown(p), alg, s.out(), ZoneId.systemDefault());
            }
        }
    }

    static final class Mkdir extends ShellAction {
        private final Option<Boolean> parents = option(Option.flag("parents",
                "create missing folders on the way; an existing folder is fine").shortName('p'));

        Mkdir() {
            super("mkdir", "create remote folders");
            arguments("PATH...");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            for (String a : args.positionals()) {
                RemoteFileOps.mkdir(s.files(), s.remotePath(a), args.get(parents));
            }
        }
    }

    static final class Rm extends ShellAction {
        private final Option<Boolean> recursive = option(Option.flag("recursive",
                "remove folders and everything in them").shortName('r'));
        private final Option<Boolean> force = option(Option.flag("force", "a missing path is not an error")
                .shortName('f'));

        Rm() {
            super("rm", "remove remote files or folders (-r)");
            arguments("PATH...");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            for (String a : args.positionals()) {
                String p = s.remotePath(a);
                RemoteFileOps.remove(s.files(), p, RemotePaths.shown(p), args.get(recursive), args.get(force));
            }
        }
    }

    static final class Mv extends ShellAction {
        private final Option<Boolean> noClobber = option(Option.flag("no-clobber", "never replace an existing file")
                .shortName('n'));

        Mv() {
            super("mv", "rename or move a remote file or folder");
            arguments("FROM", "TO");
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            RemoteFileOps.move(s.files(), s.remotePath(args.positionals().get(0)),
                    s.remotePath(args.positionals().get(1)), args.get(noClobber));
        }
    }

    static final class Exec extends ShellAction {
        private final Option<Boolean> shellMode = option(Option.flag("shell",
                "send the words as one shell command line (the server must allow shell mode)"));
        private final Option<Long> timeout = option(Option.value("timeout", "DURATION",
                ValueType.duration(1, 24L * 3600 * 1000), null, "stop the command after this long"));
        private final Option<String> charset = option(Option.value("charset", "NAME", ValueType.text(), null,
                "decode the output with this charset (default: this system's)"));
        private final Option<String> cwd = option(Option.value("cwd", "DIR", ValueType.text(), null,
                "run in this remote folder (default: the working folder)").shortName('C'));

        Exec() {
            super("exec", "run a command on the server, in the working folder");
            arguments("COMMAND...");
        }

        @Override
        public String description() {
            return "Run COMMAND with its ARGS on the server, in the remote working folder, as 'ferry exec' does; its "
                    + "output appears as it comes. Options go before COMMAND. A non-zero exit status is reported.";
        }

        @Override
        public int optionsEndAfter(List<String> args) {
            return args.contains("--") ? -1 : 0;
        }

        @Override
        void run(ShellSession s, ParsedArgs args) throws Exception {
            List<String> argv = args.positionals();
            Charset cs;
            try {
                cs = args.has(charset) ? Charset.forName(args.get(charset)) : Charset.defaultCharset();
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown charset '" + args.get(charset) + "'");
            }
            ExecRequest request = args.get(shellMode) ? ExecRequest.shell(String.join(" ", argv)) : ExecRequest.argv(argv);
            String dir = args.has(cwd) ? s.remotePath(args.get(cwd)) : s.remoteCwd();
            if (!dir.isEmpty()) {
                request.cwd(dir);
            }
            if (args.has(timeout)) {
                request.timeoutMillis(args.get(timeout));
            }
            RemoteClient rc = s.connection();
            int status = ExecCommand.run(rc.client(), request, s.out(), s.console().err(), cs);
            if (rc.client().isClosed()) {
                s.disconnect(); // the run lost the connection; the next command reconnects
            }
            if (status != 0) {
                throw new CliException("exit status " + status);
            }
        }
    }
}
