package ferry.cli.serve;

import ferry.cli.command.ErrorMessages;
import ferry.cli.args.UsageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code ferry serve} config file. The format, one setting per line:
 *
 * <pre>
 * # comments start with '#', on their own line or after a value (after a space)
 * listen  = 0.0.0.0:7373
 * root    = ~/share             # relative paths are relative to this file's folder; ~/ is home
 * workers = 16
 * idle-timeout = 5m              # durations: 500ms, 30s, 5m, 1h, 1m30s
 * high-water   = 128k            # sizes: 512, 64k, 1m, 2g (powers of 1024)
 * tcp-nodelay  = true            # switches: true/false, yes/no, on/off
 * exec-allow   = ls,df,uptime    # lists: comma-separated
 * server-name  = "ferry #2"      # double quotes keep '#' and spaces; \" and \\ inside
 * </pre>
 *
 * Keys are the {@code serve} flags without {@code --}. A key may appear once; an unknown key is an
 * error (with a suggestion), as is a line without {@code =}. The file is UTF-8.
 *
 * <p>Thread safety: stateless.
 */
public final class ConfigFile {
    /** One {@code key = value} line. */
    record Entry(String key, String value, int line) {}

    private ConfigFile() {}

    /** Reads and parses {@code file}; an unreadable file is a usage error naming it. */
    static List<Entry> read(Path file) throws UsageException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException("config file " + file + " is not valid UTF-8");
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + ErrorMessages.reason(e));
        }
        return parse(text, file.toString());
    }

    /** Parses config text; errors say {@code name:LINE: what}. */
    static List<Entry> parse(String text, String name) throws UsageException {
        List<Entry> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a BOM some editors add
            }
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                throw new UsageException(name + ":" + lineNo + ": expected 'key = value', got '" + t + "'");
            }
            String key = t.substring(0, eq).strip();
            if (key.isEmpty() || !key.matches("[a-z0-9][a-z0-9-]*")) {
                throw new UsageException(name + ":" + lineNo + ": '" + key + "' is not a key (keys are the serve "
                        + "flags without --, like workers or idle-timeout)");
            }
            String value = value(t.substring(eq + 1).strip(), name, lineNo);
            Integer before = seen.put(key, lineNo);
            if (before != null) {
                throw new UsageException(name + ":" + lineNo + ": '" + key + "' was already set on line " + before);
            }
            out.add(new Entry(key, value, lineNo));
        }
        return out;
    }

    /** The value: quoted text taken literally, or bare text up to a {@code " #"} comment. */
    private static String value(String raw, String name, int lineNo) throws UsageException {
        if (raw.startsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            while (true) {
                if (i >= raw.length()) {
                    throw new UsageException(name + ":" + lineNo + ": unterminated quoted value");
                }
                char c = raw.charAt(i);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i + 1 < raw.length() && (raw.charAt(i + 1) == '"' || raw.charAt(i + 1) == '\\')) {
                    c = raw.charAt(++i);
                }
                sb.append(c);
                i++;
            }
            String after = raw.substring(i + 1).strip();
            if (!after.isEmpty() && !after.startsWith("#")) {
                throw new UsageException(name + ":" + lineNo + ": unexpected text after the quoted value: '" + after + "'");
            }
            return sb.toString();
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && (i == 0 || Character.isWhitespace(raw.charAt(i - 1)))) {
                return raw.substring(0, i).strip();
            }
        }
        return raw;
    }
}
