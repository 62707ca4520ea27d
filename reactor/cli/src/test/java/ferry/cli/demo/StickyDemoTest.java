package ferry.cli.demo;

import ferry.cli.command.Command;
import ferry.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.*;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

public class StickyDemoTest {
    @Test
    void showsGluedAndCutReadsThenIntactFrames() {
        CliRunner.Result r = CliRunner.run("demo", "sticky");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        // 1: two sends, one recv
        assertTrue(out.contains("receiver:  recv(1024) -> 11 bytes: \"ls -lwhoami\""), out);
        // 2: a big message cut at the read size; a split send read in two pieces
        assertTrue(out.contains("receiver:  recv(1024) -> 1024 bytes, ending in the middle of a line"), out);
        Matcher more = Pattern.compile("(\\d+) more recv\\(1024\\) calls to collect the other 98976 bytes").matcher(out);
        assertTrue(more.find(), out);
        assertTrue(Integer.parseInt(more.group(1)) >= 97, "at least ceil(98976 / 1024) reads");
        assertTrue(out.contains("receiver:  recv(1024) -> 7 bytes: \"get vid\""), out);
        assertTrue(out.contains("receiver:  recv(1024) -> 6 bytes: \"eo.mp4\""), out);
        // 3: frames come back whole, one by one, in order
        int m1 = out.indexOf("message 1 complete: 5 bytes \"ls -l\", intact");
        int m2 = out.indexOf("message 2 complete: 6 bytes \"whoami\", intact");
        int m3 = out.indexOf("message 3 complete: 100000 bytes <command output>, intact");
        int wait = out.indexOf("the start of message 4: the decoder keeps it and waits for the rest");
        int m4 = out.indexOf("message 4 complete: 13 bytes \"get video.mp4\", intact");
        assertTrue(m1 > 0 && m1 < m2 && m2 < m3 && m3 < wait && wait < m4, out);
        assertTrue(out.contains("4 messages sent, 4 received, every one intact and in order"), out);
        assertFalse(out.contains("seed"), "no project history in what a user reads: " + out);
    }

    @Test
    void sizesAreAdjustable() {
        CliRunner.Result r = CliRunner.run("demo", "sticky", "--size", "64k", "--read", "4k");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("recv(4096) -> 11 bytes: \"ls -lwhoami\""), r.out());
        assertTrue(r.out().contains("message 3 complete: 65536 bytes"), r.out());
        CliRunner.Result bad = CliRunner.run("demo", "sticky", "--size", "4k", "--read", "4k");
        assertEquals(Command.EXIT_USAGE, bad.status());
        assertEquals("ferry demo sticky: --size (4096) must be larger than --read (4096) to show a cut\n", bad.err());
    }

    @Test
    void commandOutputIsDeterministicText() {
        assertArrayEquals(StickyDemo.commandOutput(5000), StickyDemo.commandOutput(5000));
        assertEquals(5000, StickyDemo.commandOutput(5000).length);
        assertEquals("\"ab\\n\\x01\\\"\"", StickyDemo.quote(new byte[] {'a', 'b', '\n', 1, '"'}, 0, 5));
    }
}
