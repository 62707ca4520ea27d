package ferry.cli.transfer;

import ferry.cli.command.Command;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.Units;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.client.FileClient;
import ferry.client.RetryPolicy;
import ferry.protocol.DigestAlgorithm;

/**
 * The options every transfer shares ({@code get}, {@code put}, {@code cp}, and the shell's
 * {@code get}/{@code put}), declared on the command that creates this: recursion, what to do
 * with an existing destination, verification and its digest, resuming, modification times, and
 * how patiently to reconnect after a lost connection.
 *
 * <p>Decisions (docs/CLI.md "Transfers"): an existing destination file is replaced, as scp and
 * cp do, atomically and only once the new one is complete and verified; {@code -n} keeps it
 * and skips the file instead, as {@code cp -n} does. A partial download or upload is resumed
 * unless {@code --no-resume}. Modification times are kept unless {@code --no-times}. Every file
 * is sent, as scp does, unless {@code --update} (same size and time) or {@code --checksum} (same
 * digest) finds the destination unchanged; {@link #forSync} skips unchanged files by default.
 *
 * <p>Thread safety: immutable after construction.
 */
public final class TransferFlags {
    static final String G_TRANSFER = "transfer";
    static final String G_RETRY = "lost connections";
    /** The most reconnections one may ask for: beyond that, a person should look at the network. */
    static final int MAX_RETRIES = 1000;
    private static final long MAX_WAIT_MILLIS = 3_600_000;

    final Option<Boolean> recursive;
    final Option<Boolean> noClobber;
    final Option<Boolean> verify;
    final Option<Boolean> md5;
    final Option<String> digest;
    final Option<Boolean> resume;
    final Option<Boolean> times;
    final Option<Boolean> update;
    final Option<Boolean> checksum;
    final Option<Boolean> ignoreTimes;
    final Option<Integer> retries;
    final Option<Long> retryWait;
    final Option<Long> retryMaxWait;

    /**
     * @param recursiveToo whether the command takes {@code -r} (get, put, cp)
     */
    public TransferFlags(Command command, boolean recursiveToo) {
        this(command, recursiveToo, false);
    }

    /**
     * The options of {@code ferry sync}: no {@code -r} (it always walks the tree), no {@code -n}
     * and no {@code --update} (it skips unchanged files already), but {@code --ignore-times}.
     */
    public static TransferFlags forSync(Command command) {
        return new TransferFlags(command, false, true);
    }

    private TransferFlags(Command command, boolean recursiveToo, boolean sync) {
        recursive = recursiveToo ? command.option(Option.flag("recursive", "copy folders and everything in them")
                .shortName('r').group(G_TRANSFER)) : null;
        noClobber = sync ? null : command.option(Option.flag("no-clobber",
                "never replace an existing file: skip it (the default replaces it, once the new one is verified)")
                .shortName('n').group(G_TRANSFER));
        verify = command.option(Option.toggle("verify", true,
                "check each file's digest end to end (--no-verify skips it)").group(G_TRANSFER));
        md5 = command.option(Option.flag("md5", "verify with MD5 instead of SHA-256 (same as --digest md5)")
                .group(G_TRANSFER));
        digest = command.option(Option.value("digest", "ALG", ValueType.choice("sha-256", "md5"), "sha-256",
                "digest that verifies transfers: sha-256 or md5").group(G_TRANSFER));
        update = sync ? null : command.option(Option.flag("update", "skip files the destination has with the same "
                + "size and modification time (rsync's quick check; the default sends every file, as scp does)")
                .group(G_TRANSFER));
        ignoreTimes = sync ? command.option(Option.flag("ignore-times", "send every file, even those whose size and "
                + "modification time match (rsync's --ignore-times)").group(G_TRANSFER)) : null;
        checksum = command.option(Option.flag("checksum", "skip files the destination has with the same size and "
                + "digest (the server's digests are cached; local files are read)").group(G_TRANSFER));
        resume = command.option(Option.toggle("resume", true,
                "continue a partial transfer left by an interrupted one (--no-resume starts over)").group(G_TRANSFER));
        times = command.option(Option.toggle("times", true,
                "give copies the modification time of their source").group(G_TRANSFER));
        RetryPolicy d = RetryPolicy.defaults();
        retries = command.option(Option.value("retries", "N", ValueType.integer(0, MAX_RETRIES), d.maxAttempts(),
                "reconnect up to N times in a row after a lost connection, resuming where it stopped (0: never)")
                .group(G_RETRY));
        retryWait = command.option(Option.value("retry-wait", "DURATION", ValueType.duration(0, MAX_WAIT_MILLIS),
                d.initialWaitMillis(), "wait before the first reconnection; doubles each time").group(G_RETRY));
        retryMaxWait = command.option(Option.value("retry-max-wait", "DURATION", ValueType.duration(0, MAX_WAIT_MILLIS),
                d.maxWaitMillis(), "longest wait between reconnections").group(G_RETRY));
    }

    boolean recursive(ParsedArgs a) {
        return recursive != null && a.get(recursive);
    }

    boolean noClobber(ParsedArgs a) {
        return noClobber != null && a.get(noClobber);
    }

    /**
     * Which files that are there already are left alone: for get, put and cp none unless
     * {@code --update} or {@code --checksum}; for sync unchanged ones unless {@code --ignore-times}.
     */
    public SkipRule skipRule(ParsedArgs a) throws UsageException {
        if (a.get(checksum)) {
            if (ignoreTimes != null && a.get(ignoreTimes)) {
                throw new UsageException("--checksum and --ignore-times contradict each other");
            }
            return SkipRule.SAME_DIGEST;
        }
        if (ignoreTimes != null) {
            return a.get(ignoreTimes) ? SkipRule.NEVER : SkipRule.SAME_SIZE_AND_TIME;
        }
        return a.get(update) ? SkipRule.SAME_SIZE_AND_TIME : SkipRule.NEVER;
    }

    /** The digest from {@code --md5}/{@code --digest}; a contradiction is a usage error. */
    DigestAlgorithm algorithm(ParsedArgs a) throws UsageException {
        if (a.get(md5)) {
            if (a.has(digest) && !a.get(digest).equals("md5")) {
                throw new UsageException("--md5 and --digest " + a.get(digest) + " contradict each other");
            }
            return DigestAlgorithm.MD5;
        }
        return a.get(digest).equals("md5") ? DigestAlgorithm.MD5 : DigestAlgorithm.SHA_256;
    }

    /** The file client's options: verification, digest, resume, times; the destination is replaced unless -n. */
    public FileClient.Options fileOptions(ParsedArgs a) throws UsageException {
        return FileClient.Options.defaults()
                .withVerify(a.get(verify))
                .withAlgorithm(algorithm(a))
                .withResume(a.get(resume))
                .withPreserveTimes(a.get(times))
                .withOverwrite(!noClobber(a))
                .withProgressIntervalMillis(ProgressBar.REDRAW_INTERVAL_MILLIS);
    }

    public RetryPolicy retryPolicy(ParsedArgs a) throws UsageException {
        long first = a.get(retryWait);
        long max = a.get(retryMaxWait);
        if (first > max) {
            throw new UsageException("--retry-wait " + Units.formatDurationSetting(first) + " is longer than --retry-max-wait "
                    + Units.formatDurationSetting(max));
        }
        return new RetryPolicy(a.get(retries), first, max);
    }
}
