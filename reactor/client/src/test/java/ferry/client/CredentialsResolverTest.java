package ferry.client;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsResolverTest {
    @TempDir
    Path dir;

    final Map<String, String> env = new HashMap<>();
    final List<String> prompts = new ArrayList<>();

    final CredentialsResolver.Prompter terminal = new CredentialsResolver.Prompter() {
        @Override
        public String readLine(String prompt) {
            prompts.add(prompt);
            return "typed-user";
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            return "typed-password".toCharArray();
        }
    };

    private Path file(String name, String content, String perms) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    @Test
    void environmentComesFirst() throws Exception {
        env.put("FERRY_USER", "alice");
        env.put("FERRY_PASSWORD", "from-env");
        Path f = file("cred", "user=alice\npassword=from-file\n", "rw-------");
        try (Credentials c = new CredentialsResolver(env, f, terminal).resolve(null, null)) {
            assertEquals("alice", c.user());
            assertEquals("from-env", new String(c.password()));
            assertEquals("environment", c.source());
        }
        assertTrue(prompts.isEmpty());
    }

    @Test
    void aPasswordWithoutAUserIsAnError() {
        env.put("FERRY_PASSWORD", "x");
        IOException e = assertThrows(IOException.class, () -> new CredentialsResolver(env, null, null).resolve(null, null));
        assertTrue(e.getMessage().contains("FERRY_USER"), e.getMessage());
    }

    @Test
    void aCredentialsFileKeepsSpacesInThePasswordAndIgnoresComments() throws Exception {
        Path f = file("cred", "# mine\r\nuser = bob\r\npassword= two words \r\n", "rw-------");
        env.put("FERRY_CREDENTIALS", f.toString());
        try (Credentials c = new CredentialsResolver(env, null, terminal).resolve(null, null)) {
            assertEquals("bob", c.user());
            assertEquals(" two words ", new String(c.password()));
            assertTrue(c.source().contains(f.toString()));
            assertFalse(c.toString().contains("two words"));
        }
    }

    @Test
    void aFileOthersCanReadIsRefused() throws Exception {
        Path f = file("cred", "user=bob\npassword=secret\n", "rw-r--r--");
        IOException e = assertThrows(IOException.class, () -> new CredentialsResolver(env, null, terminal).resolve(null, f));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertTrue(prompts.isEmpty(), "a refused file is an error, not a silent fall back to the prompt");
    }

    @Test
    void theDefaultFileIsUsedOnlyForItsOwnUser() throws Exception {
        Path f = file("cred", "user=bob\npassword=secret\n", "rw-------");
        try (Credentials c = new CredentialsResolver(env, f, terminal).resolve(null, null)) {
            assertEquals("bob", c.user());
        }
        try (Credentials c = new CredentialsResolver(env, f, terminal).resolve("carol", null)) {
            assertEquals("carol", c.user());
            assertEquals("prompt", c.source());
            assertEquals(List.of("Password for carol: "), prompts);
        }
        assertThrows(IOException.class, () -> new CredentialsResolver(env, f, terminal).resolve("carol", f),
                "an explicitly named file for another user is an error");
    }

    @Test
    void malformedFilesAreRefused() throws Exception {
        for (String content : new String[] {"user=bob\n", "password=x\n", "user=bob\npassword=x\nhost=y\n", "just text\n"}) {
            Path f = file("bad", content, "rw-------");
            assertThrows(IOException.class, () -> CredentialsFile.read(f), content);
        }
    }

    @Test
    void thePromptAsksForUserAndPassword() throws Exception {
        try (Credentials c = new CredentialsResolver(env, dir.resolve("absent"), terminal).resolve(null, null)) {
            assertEquals("typed-user", c.user());
            assertEquals("typed-password", new String(c.password()));
        }
        assertEquals(List.of("Ferry user: ", "Password for typed-user: "), prompts);
    }

    @Test
    void withNothingTheErrorListsTheWays() {
        IOException e = assertThrows(IOException.class,
                () -> new CredentialsResolver(env, dir.resolve("absent"), null).resolve(null, null));
        assertTrue(e.getMessage().contains("FERRY_USER") && e.getMessage().contains("credentials file")
                && e.getMessage().contains("terminal"), e.getMessage());
    }

    @Test
    void closeZeroesThePassword() {
        char[] pw = "secret".toCharArray();
        new Credentials("u", pw, "test").close();
        assertArrayEquals(new char[6], pw);
    }
}
