package ferry.cli.serve;

import ferry.cli.Launcher;
import ferry.cli.args.Option;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/CLI.md against the option definitions: every {@code ferry serve} flag is in its settings
 * table with the default the flag really has (the one {@code --help} and {@code --print-config}
 * show), so the two cannot drift apart again.
 */
public class ServeDocsTest {
    @Test
    void everyServeFlagIsDocumentedWithItsDefault() throws Exception {
        String doc = Files.readString(Launcher.repoRoot().resolve("docs/CLI.md"));
        int start = doc.indexOf("| group | settings |", doc.indexOf("## `ferry serve`"));
        int end = doc.indexOf("\n\n", start);
        String serve = doc.substring(start, end);
        List<String> wrong = new ArrayList<>();
        for (Option<?> o : new ServeCommand().options()) {
            // `--name`, `--name VALUE` or `--[no-]name`, then " (DEFAULT)" or " (DEFAULT, more words)"
            Matcher m = Pattern.compile("`--(\\[no-\\])?" + Pattern.quote(o.name()) + "( [^`]*)?`( \\(([^)]*)\\))?")
                    .matcher(serve);
            if (!m.find()) {
                wrong.add("--" + o.name() + ": missing");
                continue;
            }
            String def = o.defaultText();
            if (def == null || def.isEmpty()) {
                continue; // a plain switch, a list empty by default, a flag with no value
            }
            String documented = m.group(4);
            boolean same = documented != null && (documented.equals(def) || documented.startsWith(def)
                    && ",;: ".indexOf(documented.charAt(def.length())) >= 0);
            if (!same) {
                wrong.add("--" + o.name() + ": documented (" + m.group(4) + "), defaults to (" + def + ")");
            }
        }
        assertEquals(List.of(), wrong, "docs/CLI.md, section ferry serve, against ServeOptions");
    }
}
