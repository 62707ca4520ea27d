package ferry.services.exec;

import static org.junit.jupiter.api.Assertions.*;

import ferry.cli.remote.ExecCommand;
import ferry.client.FerryClient;
import ferry.reactor.Clock;
import ferry.reactor.Right;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI entry point: streams to the right PrintStream, decodes with the user's charset, returns the exit code. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecCommandTest {
    static final Charset GBK = Charset.forName("GBK");

    @TempDir
    static Path root;
    static ExecHarness h;
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        // 512-byte reads: output is cut into many frames, in the middle of characters.
        h = new ExecHarness(root, ExecPolicy.parse("cat,sh,printf", false, false), b -> b.chunkBytes(512), s -> {},
                Clock.SYSTEM, EnumSet.allOf(Right.class));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private int run(boolean shell, Charset cs, String... argv) throws Exception {
        try (FerryClient c = h.connect()) {
            return ExecCommand.run(c, List.of(argv), shell, out, err, cs);
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void gbkOutputCutAcrossFramesPrintsRight() throws Exception {
        String text = "a" + "中文".repeat(300) + "\n"; // odd length first: 512-byte frames end mid-character
        Files.write(root.resolve("gbk.txt"), text.getBytes(GBK));
        assertEquals(0, run(false, GBK, "cat", "gbk.txt"));
        assertEquals(text, out());
        assertEquals("", err());
    }

    @Test
    void stdoutAndStderrGoToTheirStreamsAndTheExitCodeIsReturned() throws Exception {
        assertEquals(4, run(false, StandardCharsets.UTF_8, "sh", "-c", "printf out; printf err >&2; exit 4"));
        assertEquals("out", out());
        assertEquals("err", err());
    }

    @Test
    void refusalsMapToShellStyleCodesWithTheServersMessage() throws Exception {
        assertEquals(ExecCommand.EXIT_REFUSED, run(false, StandardCharsets.UTF_8, "rm", "-rf", "x"));
        assertTrue(err().contains("not allowed"), err());
        errBytes.reset();
        assertEquals(ExecCommand.EXIT_REFUSED, run(true, StandardCharsets.UTF_8, "echo", "hi"));
        assertTrue(err().contains("shell mode"), err());
        assertEquals(ExecCommand.EXIT_USAGE, run(false, StandardCharsets.UTF_8));
    }

    @Test
    void missingCommandIs127() throws Exception {
        try (ExecHarness all = ExecHarness.allowAll(root)) {
            try (FerryClient c = all.connect()) {
                assertEquals(ExecCommand.EXIT_NOT_FOUND,
                        ExecCommand.run(c, List.of("no-such-ferry-cmd"), false, out, err, StandardCharsets.UTF_8));
            }
            assertTrue(err().contains("not found"), err());
            try (FerryClient c = all.connect()) {
                // Shell mode joins the words into one command line.
                assertEquals(0, ExecCommand.run(c, List.of("echo", "$((1+2))"), true, out, err, StandardCharsets.UTF_8));
            }
            assertEquals("3\n", out());
        }
    }
}
