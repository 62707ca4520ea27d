package ferry.services.file;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent statement of the lexical path rules of docs/PROTOCOL.md ("Paths"), written from
 * the rules rather than from {@link PathResolver}: the fuzzers compare the two.
 *
 * <ol>
 *   <li>over the path limit (UTF-8 bytes): {@code bad_request};</li>
 *   <li>the first NUL, backslash or control character (Unicode category Cc: below U+0020, U+007F, U+0080-U+009F): {@code bad_request};</li>
 *   <li>a leading '/': {@code forbidden};</li>
 *   <li>segments in order, empty ones and "." dropped: ".." is {@code forbidden}, a name over the name
 *       limit is {@code bad_request}, a reserved upload-temp name is {@code forbidden}; the first
 *       offending segment decides;</li>
 *   <li>otherwise the remaining segments joined by '/' ("" for the home itself).</li>
 * </ol>
 */
final class PathModel {
    /** Either a refusal ({@code code} set) or the normalized path. */
    record Outcome(String code, String normalized) {
        boolean refused() {
            return code != null;
        }
    }

    private PathModel() {}

    static Outcome resolve(String p, int maxPathBytes, int maxNameBytes) {
        if (p.getBytes(StandardCharsets.UTF_8).length > maxPathBytes) {
            return new Outcome("bad_request", null);
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' || c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return new Outcome("bad_request", null);
            }
        }
        if (p.startsWith("/")) {
            return new Outcome("forbidden", null);
        }
        List<String> kept = new ArrayList<>();
        for (String seg : p.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                return new Outcome("forbidden", null);
            }
            if (seg.getBytes(StandardCharsets.UTF_8).length > maxNameBytes) {
                return new Outcome("bad_request", null);
            }
            if (seg.startsWith(UploadTemps.PREFIX)) {
                return new Outcome("forbidden", null);
            }
            kept.add(seg);
        }
        return new Outcome(null, String.join("/", kept));
    }
}
