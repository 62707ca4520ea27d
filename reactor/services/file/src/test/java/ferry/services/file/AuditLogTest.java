package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.reactor.AuditLog;
import ferry.reactor.ServerLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a user's rm -r left no trace. The audit log has a JSON line per file operation with
 * who, from where, what, the outcome, the bytes and the verified digest; never a file's contents;
 * and it opens its path again on request (logrotate's SIGHUP).
 */
class AuditLogTest {
    @TempDir
    Path tmp;

    @Test
    void everyFileOperationLeavesALineAndReopenStartsANewFile() throws Exception {
        Path logFile = tmp.resolve("audit.jsonl");
        AuditLog audit = new AuditLog(logFile, ServerLog.NONE);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> { }, ServerLog.NONE, audit);
             FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            c.ping();
            files.mkdir("docs", false);
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "docs/secret.txt").put("fileSize", 11L);
            c.send(put, ByteBuffer.wrap("top secret!".getBytes(StandardCharsets.UTF_8)));
            Header ok = c.expect(c.readHeader(), "OK", put.id());
            files.rename("docs/secret.txt", "docs/old.txt", false);
            RemoteException gone = assertThrows(RemoteException.class, () -> files.delete("docs/nothing", false));
            assertEquals("not_found", gone.code());
            files.delete("docs", true);

            audit.close(); // flushes
            List<Map<String, Object>> lines = read(logFile);
            List<String> ops = new ArrayList<>();
            lines.forEach(l -> ops.add((String) l.get("op")));
            assertEquals(List.of("MKDIR", "PUT", "RENAME", "DELETE", "DELETE"), ops, "PING is not recorded: " + lines);
            Map<String, Object> p = lines.get(1);
            assertEquals("anonymous", p.get("user"));
            assertTrue(((String) p.get("addr")).startsWith("127.0.0.1:"), p.toString());
            assertEquals("docs/secret.txt", p.get("path"));
            assertEquals("OK", p.get("result"));
            assertEquals(11L, p.get("bytesIn"));
            assertEquals(ok.getString("digest", null), p.get("digest"), "the verified digest");
            assertEquals("docs/old.txt", lines.get(2).get("to"));
            assertEquals("ERROR", lines.get(3).get("result"));
            assertEquals("not_found", lines.get(3).get("code"));
            assertEquals("docs", lines.get(4).get("path"), "the rm -r that left no trace before");
            String text = Files.readString(logFile);
            assertFalse(text.contains("top secret"), "never a file's contents");
        }
    }

    @Test
    void reopenWritesToTheSamePathAgainAfterItWasMoved() throws Exception {
        Path logFile = tmp.resolve("audit.jsonl");
        Path rotated = tmp.resolve("audit.jsonl.1");
        AuditLog audit = new AuditLog(logFile, ServerLog.NONE);
        try (FileTestServer s = FileTestServer.start(tmp.resolve("root"), b -> { }, f -> { }, ServerLog.NONE, audit);
             FerryClient c = s.connect()) {
            FileClient files = new FileClient(c);
            files.mkdir("a", false);
            Eventually.until(() -> audit.written() == 1, "the first line is written");
            Files.move(logFile, rotated); // what logrotate does, then SIGHUP
            audit.reopen();
            files.mkdir("b", false);
            audit.close();
            assertEquals("a", read(rotated).get(0).get("path"));
            assertEquals("b", read(logFile).get(0).get("path"));
            assertEquals(0, audit.dropped());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> read(Path file) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add((Map<String, Object>) Json.parse(line));
        }
        return out;
    }
}
