package ferry.cli.command;

import ferry.cli.args.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a command's help: usage line, description, subcommands, options grouped under
 * headings with their defaults, the global options, and the command's epilog. Long descriptions
 * wrap at the terminal width (at most {@value #MAX_WIDTH} columns, which reads best).
 *
 * <p>Thread safety: stateless.
 */
public final class HelpPrinter {
    static final int MAX_WIDTH = 100;
    /** Option synopses longer than this put their description on the next line. */
    static final int MAX_SYNOPSIS = 28;

    private HelpPrinter() {}

    public static String usageLine(String path, Command c) {
        StringBuilder sb = new StringBuilder("usage: ").append(path);
        if (!c.options().isEmpty() || !c.subcommands().isEmpty()) {
            sb.append(" [OPTIONS]");
        }
        if (!c.subcommands().isEmpty()) {
            sb.append(" COMMAND [ARGS]");
        }
        for (String a : c.argNames()) {
            sb.append(' ').append(a);
        }
        return sb.toString();
    }

    public static String help(String path, Command c, List<Option<?>> globals, int columns) {
        int width = Math.min(MAX_WIDTH, columns);
        StringBuilder sb = new StringBuilder();
        sb.append(usageLine(path, c)).append("\n\n");
        String[] paras = c.description().split("\n\n");
        for (int i = 0; i < paras.length; i++) {
            sb.append(i > 0 ? "\n" : "").append(paragraph(paras[i], width)).append('\n');
        }
        if (!c.subcommands().isEmpty()) {
            sb.append("\ncommands:\n");
            int w = 0;
            for (Command s : c.subcommands()) {
                w = Math.max(w, s.name().length());
            }
            for (Command s : c.subcommands()) {
                sb.append(wrap(pad("  " + s.name(), w + 4), s.summary(), " ".repeat(w + 4), width)).append('\n');
            }
        }
        Map<String, List<Option<?>>> groups = new LinkedHashMap<>();
        for (Option<?> o : c.options()) {
            groups.computeIfAbsent(o.group(), g -> new ArrayList<>()).add(o);
        }
        int synWidth = 0;
        for (Option<?> o : c.options()) {
            synWidth = Math.max(synWidth, Math.min(MAX_SYNOPSIS, o.synopsis().length()));
        }
        for (Option<?> o : globals) {
            synWidth = Math.max(synWidth, Math.min(MAX_SYNOPSIS, o.synopsis().length()));
        }
        for (Map.Entry<String, List<Option<?>>> g : groups.entrySet()) {
            sb.append('\n').append(g.getKey().isEmpty() ? "options" : g.getKey()).append(":\n");
            for (Option<?> o : g.getValue()) {
                sb.append(optionLine(o, synWidth, width));
            }
        }
        if (!globals.isEmpty()) {
            sb.append("\nglobal options (before or after the command):\n");
            for (Option<?> o : globals) {
                sb.append(optionLine(o, synWidth, width));
            }
        }
        String epilog = c.epilog();
        if (!epilog.isEmpty()) {
            sb.append('\n');
            for (String para : epilog.split("\n\n")) {
                sb.append(paragraph(para, width)).append("\n\n");
            }
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private static String optionLine(Option<?> o, int synWidth, int width) {
        String text = o.help();
        if (o.defaultText() != null && !o.defaultText().isEmpty()) {
            text += " (default " + o.defaultText() + ")";
        }
        String syn = "  " + o.synopsis();
        String indent = " ".repeat(synWidth + 4);
        if (syn.length() > synWidth + 2) {
            return syn + "\n" + wrap(indent, text, indent, width) + "\n";
        }
        return wrap(pad(syn, synWidth + 4), text, indent, width) + "\n";
    }

    /** A paragraph: wrapped, unless it starts with a space (preformatted: examples, formats). */
    private static String paragraph(String para, int width) {
        return para.startsWith(" ") ? para : wrap("", para.replace('\n', ' '), "", width);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }

    /**
     * Word-wraps {@code text} to {@code width} columns: the first line starts with
     * {@code prefix} (kept as is), the others with {@code indent}.
     */
    static String wrap(String prefix, String text, String indent, int width) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(prefix);
        boolean lineHasWord = false;
        for (String word : text.trim().split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            if (lineHasWord && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line.setLength(0);
                line.append(indent);
                lineHasWord = false;
            }
            if (lineHasWord) {
                line.append(' ');
            }
            line.append(word);
            lineHasWord = true;
        }
        out.append(line);
        return out.toString();
    }
}
