package ferry.cli.args;

import java.util.Collection;

/**
 * "Did you mean ...?" for mistyped option, command and config key names: the closest candidate
 * by edit distance (Damerau–Levenshtein, optimal string alignment: insert, delete, substitute,
 * swap two neighbours), when it is close enough to be a plausible typo.
 *
 * <p>Thread safety: stateless.
 */
public final class Suggest {
    private Suggest() {}

    /**
     * The candidate closest to {@code typed}, or null when none is within
     * {@link #maxDistance(String)}. Ties go to the earlier candidate. A candidate that starts with
     * what was typed (an abbreviation such as {@code --max-conn}) counts as close.
     */
    public static String closest(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(typed, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= maxDistance(typed)) {
            return best;
        }
        for (String c : candidates) {
            if (typed.length() >= 3 && c.startsWith(typed)) {
                return c;
            }
        }
        return null;
    }

    /** Typos allowed for a word: 1 for short words, about one per three letters, at most 3. */
    static int maxDistance(String typed) {
        return Math.max(1, Math.min(3, typed.length() / 3));
    }

    /** Optimal-string-alignment distance between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[n][m];
    }
}
