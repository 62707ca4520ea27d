package ferry.cli.sync;

import ferry.cli.args.UsageException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * {@code --exclude PATTERN}s, as rsync reads them: a glob ({@code *}, {@code ?}, {@code [ab]},
 * {@code {a,b}}; {@code **} crosses folders). A pattern without {@code /} matches a name at any
 * depth ({@code *.tmp}, {@code node_modules}); one with {@code /} matches the path from the top of
 * the tree ({@code build/out}, {@code /cache}: a leading {@code /} only anchors); a trailing
 * {@code /} matches folders only ({@code logs/}).
 *
 * <p>Thread safety: immutable.
 */
public final class Excludes {
    private record Rule(PathMatcher matcher, boolean byName, boolean dirsOnly) {
    }

    private final List<Rule> rules;

    private Excludes(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Excludes none() {
        return new Excludes(List.of());
    }

    /** Parses the patterns; a malformed one is a usage error naming it. */
    public static Excludes of(List<String> patterns) throws UsageException {
        List<Rule> rules = new ArrayList<>();
        for (String p : patterns) {
            String glob = p;
            boolean dirsOnly = glob.endsWith("/");
            if (dirsOnly) {
                glob = glob.substring(0, glob.length() - 1);
            }
            boolean anchored = glob.startsWith("/");
            if (anchored) {
                glob = glob.substring(1);
            }
            if (glob.isEmpty()) {
                throw new UsageException("--exclude '" + p + "' names nothing");
            }
            try {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                rules.add(new Rule(m, !anchored && !glob.contains("/"), dirsOnly));
            } catch (IllegalArgumentException e) { // PatternSyntaxException among them
                throw new UsageException("--exclude '" + p + "' is not a valid pattern: " + e.getMessage());
            }
        }
        return new Excludes(rules);
    }

    /** Whether the entry at {@code relPath} (a folder when {@code isDir}) is excluded. */
    public boolean excludes(String relPath, boolean isDir) {
        if (rules.isEmpty()) {
            return false;
        }
        int slash = relPath.lastIndexOf('/');
        Path name = Path.of(relPath.substring(slash + 1));
        Path whole = Path.of(relPath);
        for (Rule r : rules) {
            if (r.dirsOnly() && !isDir) {
                continue;
            }
            if (r.matcher().matches(r.byName() ? name : whole)) {
                return true;
            }
        }
        return false;
    }
}
