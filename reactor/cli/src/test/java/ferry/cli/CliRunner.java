package ferry.cli;

import ferry.cli.command.Console;
import ferry.client.CredentialsResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in this JVM with captured streams (fast; the launcher tests cover bin/ferry). */
public final class CliRunner {
    public record Result(int status, String out, String err) {}

    public static Result run(String stdin, Map<String, String> env, String... args) {
        return run(stdin, env, null, args);
    }

    /** With {@code terminal} answering prompts (null: none, as without a terminal). */
    public static Result run(String stdin, Map<String, String> env, CredentialsResolver.Prompter terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env, terminal);
        int status = new Cli(console).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Result run(String... args) {
        return run("", Map.of(), args);
    }

    private CliRunner() {}
}
