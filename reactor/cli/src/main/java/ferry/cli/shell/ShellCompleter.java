package ferry.cli.shell;

import ferry.cli.command.CliException;
import ferry.cli.args.UsageException;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Tab completion for the shell: command names as the first word; after a command that takes a
 * remote path ({@code ls cd get stat mkdir rm mv}) the last word against a listing of its folder
 * on the server; after {@code put} and {@code lcd} against the local folder. Options
 * ({@code -x}) and quoted words are left alone. Names with spaces, quotes or backslashes come
 * back escaped with {@code \}, as {@link ShellLexer} reads them.
 *
 * <p>A listing that fails (the server said no, the connection is gone or too slow — the
 * session's read timeout bounds the wait) offers nothing; Tab never fails a command, and never
 * reconnects a lost connection (that might ask for a password): the next command does.
 *
 * <p>Thread safety: none; the shell's thread.
 */
final class ShellCompleter implements Completer {
    /** A folder's entries, by name; {@code folder} is "" for the working folder. */
    @FunctionalInterface
    interface Lister {
        List<Entry> list(String folder) throws IOException;
    }

    record Entry(String name, boolean folder) {}

    static final Set<String> REMOTE_PATH_COMMANDS = Set.of("ls", "cd", "get", "stat", "mkdir", "rm", "mv");
    static final Set<String> LOCAL_PATH_COMMANDS = Set.of("put", "lcd");
    /** Characters a completed name escapes with a backslash, so the lexer reads them back as one word. */
    private static final String SPECIAL = " \t'\"\\";

    private final Collection<String> commands;
    private final Lister remote;
    private final Lister local;

    ShellCompleter(Collection<String> commands, Lister remote, Lister local) {
        this.commands = commands;
        this.remote = remote;
        this.local = local;
    }

    /** Completes against {@code session}'s server (over its connection) and its local working folder. */
    static ShellCompleter of(ShellSession session, Collection<String> commands) {
        return new ShellCompleter(commands, folder -> remoteList(session, folder), folder -> localList(session, folder));
    }

    private static List<Entry> remoteList(ShellSession session, String folder) throws IOException {
        if (!session.connected()) {
            // a reconnect may have to ask for a password, and the terminal is raw: the next command reconnects
            throw new IOException("not connected");
        }
        List<FileInfo> infos;
        try {
            infos = session.files().list(session.remotePath(folder.isEmpty() ? "." : folder));
        } catch (UsageException | CliException e) {
            throw new IOException(e.getMessage(), e);
        } catch (RemoteException e) {
            throw e; // the server said no; the connection is fine
        } catch (IOException e) {
            session.disconnect(); // as a command would: the next one reconnects
            throw e;
        }
        List<Entry> out = new ArrayList<>(infos.size());
        for (FileInfo i : infos) {
            out.add(new Entry(i.name(), i.isDir()));
        }
        return out;
    }

    private static List<Entry> localList(ShellSession session, String folder) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(session.localCwd().resolve(folder))) {
            for (Path p : d) {
                out.add(new Entry(p.getFileName().toString(), Files.isDirectory(p)));
            }
        }
        return out;
    }

    @Override
    public Completion complete(String before) {
        int start = wordStart(before);
        String word = before.substring(start);
        if (word.startsWith("'") || word.startsWith("\"") || word.startsWith("-")) {
            return Completion.none(before);
        }
        String first = before.substring(0, start).strip();
        if (first.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (String c : commands) {
                if (c.startsWith(word)) {
                    names.add(c);
                }
            }
            names.sort(null);
            return new Completion(start, names);
        }
        String command = first.split("[ \t]+", 2)[0];
        Lister lister = REMOTE_PATH_COMMANDS.contains(command) ? remote
                : LOCAL_PATH_COMMANDS.contains(command) ? local : null;
        return lister == null ? Completion.none(before) : new Completion(start, paths(lister, unescape(word)));
    }

    private static List<String> paths(Lister lister, String path) {
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String prefix = path.substring(slash + 1);
        List<Entry> entries;
        try {
            entries = lister.list(dir);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            String n = e.name();
            if (n.equals(".") || n.equals("..") || !n.startsWith(prefix) || (n.startsWith(".") && !prefix.startsWith("."))) {
                continue;
            }
            out.add(escape(dir + n) + (e.folder() ? "/" : ""));
        }
        out.sort(null);
        return out;
    }

    /** Where the last word starts: after the last space not escaped by a backslash. */
    static int wordStart(String s) {
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ' ' || c == '\t') {
                start = i + 1;
            }
        }
        return start;
    }

    static String escape(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static String unescape(String word) {
        StringBuilder b = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '\\' && i + 1 < word.length()) {
                c = word.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }
}
