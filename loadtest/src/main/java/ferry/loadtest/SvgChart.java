package ferry.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The report as a self-contained SVG a browser shows: latency percentiles per setting (grouped
 * bars, log scale) beside throughput per setting (for {@code idle}: server RSS per connection).
 * No scripts, fonts or external references; every value is also written as text on its bar.
 */
public final class SvgChart {
    static final int WIDTH = 1000;
    static final int HEIGHT = 460;
    private static final String[] COLORS = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096", "#b7791f"};
    private static final String[] PCT_LABELS = {"p50", "p90", "p99", "p99.9", "max"};
    private static final String[] PCT_KEYS = {RunResult.P50, RunResult.P90, RunResult.P99, RunResult.P999, RunResult.MAX};
    // panel geometry (pixels)
    private static final int TOP = 110;
    private static final int BOTTOM = 400;
    private static final int LAT_LEFT = 80;
    private static final int LAT_RIGHT = 600;
    private static final int TP_LEFT = 700;
    private static final int TP_RIGHT = 960;
    /** Room above the top gridline for a value written over the tallest bar. */
    private static final int LABEL_HEADROOM = 16;

    private SvgChart() {}

    public static String render(Report report) {
        List<Report.Column> cols = report.columns();
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<title>").append(esc(report.title())).append("</title>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(sb, WIDTH / 2, 28, "middle", 18, "bold", report.title());
        Options o = report.options();
        text(sb, WIDTH / 2, 50, "middle", 12, "normal", o.connections + " connection(s) · " + o.depth + " in flight each · "
                + o.bodyBytes + "-byte bodies · " + cols.get(0).summary().str(RunResult.TARGET)
                + (o.repeat > 1 ? " · medians of " + o.repeat + " runs" : ""));
        // legend
        int lx = LAT_LEFT;
        for (int i = 0; i < cols.size(); i++) {
            String label = cols.get(i).variant().label();
            sb.append("<rect x=\"").append(lx).append("\" y=\"68\" width=\"14\" height=\"14\" fill=\"").append(color(i)).append("\"/>\n");
            text(sb, lx + 20, 80, "start", 12, "normal", label);
            lx += 40 + 7 * label.length();
        }
        latencyPanel(sb, cols);
        if ("idle".equals(o.scenario)) {
            barPanel(sb, cols, new String[] {RunResult.RSS_PER_CONN_IDLE, RunResult.RSS_PER_CONN_PING},
                    new String[] {"idle", "after a PING"}, "Server RSS per connection", Format::bytes, 1024);
        } else {
            barPanel(sb, cols, new String[] {RunResult.REQ_PER_SEC}, new String[] {""}, "Throughput (requests/s)", Format::rate, 1);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void latencyPanel(StringBuilder sb, List<Report.Column> cols) {
        text(sb, (LAT_LEFT + LAT_RIGHT) / 2, TOP - 8, "middle", 14, "bold", "Latency percentiles (log scale)");
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Report.Column c : cols) {
            for (String k : PCT_KEYS) {
                double v = c.summary().num(k);
                if (v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        axisLine(sb, LAT_LEFT, LAT_RIGHT);
        if (hi == 0) {
            text(sb, (LAT_LEFT + LAT_RIGHT) / 2, (TOP + BOTTOM) / 2, "middle", 14, "normal", "no latency recorded");
            return;
        }
        int decLo = (int) Math.floor(Math.log10(lo));
        int decHi = (int) Math.ceil(Math.log10(hi) + 1e-9);
        if (decHi == decLo) {
            decHi++;
        }
        for (int d = decLo; d <= decHi; d++) {
            double y = logY(Math.pow(10, d), decLo, decHi);
            sb.append("<line x1=\"").append(LAT_LEFT).append("\" x2=\"").append(LAT_RIGHT).append("\" y1=\"").append(f(y))
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e2e8f0\"/>\n");
            text(sb, LAT_LEFT - 6, y + 4, "end", 11, "normal", Format.micros(Math.pow(10, d)));
        }
        double groupW = (LAT_RIGHT - LAT_LEFT) / (double) PCT_KEYS.length;
        double barW = Math.min(40, (groupW - 16) / cols.size());
        for (int g = 0; g < PCT_KEYS.length; g++) {
            double gx = LAT_LEFT + g * groupW + (groupW - barW * cols.size()) / 2;
            for (int i = 0; i < cols.size(); i++) {
                double v = cols.get(i).summary().num(PCT_KEYS[g]);
                if (!(v > 0)) {
                    continue;
                }
                double y = logY(v, decLo, decHi);
                double x = gx + i * barW;
                bar(sb, x, y, barW - 2, BOTTOM - y, color(i), PCT_LABELS[g] + " " + cols.get(i).variant().label() + ": " + Format.micros(v));
                valueLabel(sb, x, barW - 2, y, BOTTOM - y, Format.micros(v));
            }
            text(sb, LAT_LEFT + g * groupW + groupW / 2, BOTTOM + 18, "middle", 12, "normal", PCT_LABELS[g]);
        }
    }

    /**
     * Bars on a linear axis from 0: one group per key, one bar per setting in each group.
     * {@code unit} is what the axis rounds to (1024 for bytes, so ticks read 2 KiB, not 2.44 KiB).
     */
    private static void barPanel(StringBuilder sb, List<Report.Column> cols, String[] keys, String[] groupLabels,
                                 String title, DoubleFunction<String> fmt, double unit) {
        text(sb, (TP_LEFT + TP_RIGHT) / 2, TOP - 8, "middle", 14, "bold", title);
        axisLine(sb, TP_LEFT, TP_RIGHT);
        double hi = 0;
        for (Report.Column c : cols) {
            for (String k : keys) {
                double v = c.summary().num(k);
                if (v > hi) {
                    hi = v;
                }
            }
        }
        if (!(hi > 0)) {
            text(sb, (TP_LEFT + TP_RIGHT) / 2, (TOP + BOTTOM) / 2, "middle", 14, "normal", "no data");
            return;
        }
        double top = niceCeiling(hi * 1.1 / unit) * unit; // headroom for the value written above the tallest bar
        for (int t = 0; t <= 4; t++) {
            double v = top * t / 4;
            double y = BOTTOM - (BOTTOM - TOP) * v / top;
            sb.append("<line x1=\"").append(TP_LEFT).append("\" x2=\"").append(TP_RIGHT).append("\" y1=\"").append(f(y))
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e2e8f0\"/>\n");
            text(sb, TP_LEFT - 6, y + 4, "end", 11, "normal", fmt.apply(v));
        }
        double groupW = (TP_RIGHT - TP_LEFT) / (double) keys.length;
        double barW = Math.min(60, (groupW - 12) / cols.size());
        for (int g = 0; g < keys.length; g++) {
            double gx = TP_LEFT + g * groupW + (groupW - barW * cols.size()) / 2;
            for (int i = 0; i < cols.size(); i++) {
                double v = cols.get(i).summary().num(keys[g]);
                if (!(v >= 0)) {
                    continue;
                }
                double h = (BOTTOM - TOP) * v / top;
                double x = gx + i * barW;
                String label = fmt.apply(v);
                bar(sb, x, BOTTOM - h, barW - 2, h, color(i), cols.get(i).variant().label() + " " + groupLabels[g] + ": " + label);
                valueLabel(sb, x, barW - 2, BOTTOM - h, h, label);
            }
            if (!groupLabels[g].isEmpty()) {
                text(sb, TP_LEFT + g * groupW + groupW / 2, BOTTOM + 18, "middle", 12, "normal", groupLabels[g]);
            }
        }
    }

    /**
     * A bar's value: above it when the bar is wide enough for the text; otherwise turned upright,
     * inside the bar in white when it is tall enough, else above it.
     */
    private static void valueLabel(StringBuilder sb, double x, double w, double y, double h, String label) {
        double textW = label.length() * 5.5; // ~ width of 10 px sans-serif digits
        if (textW <= w + 4) {
            text(sb, x + w / 2, y - 4, "middle", 10, "normal", label);
            return;
        }
        double cx = x + w / 2 + 3.5;
        boolean inside = h > textW + 8;
        double ty = inside ? y + 4 : y - 4;
        sb.append("<text transform=\"translate(").append(f(cx)).append(' ').append(f(ty)).append(") rotate(-90)\" text-anchor=\"")
                .append(inside ? "end" : "start").append("\" font-size=\"10\" fill=\"").append(inside ? "#ffffff" : "#1a202c")
                .append("\">").append(esc(label)).append("</text>\n");
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static double logY(double v, int decLo, int decHi) {
        double frac = (Math.log10(v) - decLo) / (decHi - decLo);
        return BOTTOM - frac * (BOTTOM - TOP - LABEL_HEADROOM);
    }

    private static void axisLine(StringBuilder sb, int left, int right) {
        sb.append("<line x1=\"").append(left).append("\" x2=\"").append(right).append("\" y1=\"").append(BOTTOM)
                .append("\" y2=\"").append(BOTTOM).append("\" stroke=\"#4a5568\"/>\n");
        sb.append("<line x1=\"").append(left).append("\" x2=\"").append(left).append("\" y1=\"").append(TOP)
                .append("\" y2=\"").append(BOTTOM).append("\" stroke=\"#4a5568\"/>\n");
    }

    private static void bar(StringBuilder sb, double x, double y, double w, double h, String color, String tooltip) {
        sb.append("<rect x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" width=\"").append(f(Math.max(1, w)))
                .append("\" height=\"").append(f(Math.max(0, h))).append("\" fill=\"").append(color).append("\"><title>")
                .append(esc(tooltip)).append("</title></rect>\n");
    }

    private static void text(StringBuilder sb, double x, double y, String anchor, int size, String weight, String s) {
        sb.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"").append(anchor)
                .append("\" font-size=\"").append(size).append("\" font-weight=\"").append(weight).append("\" fill=\"#1a202c\">")
                .append(esc(s)).append("</text>\n");
    }

    private static String color(int i) {
        return COLORS[i % COLORS.length];
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
