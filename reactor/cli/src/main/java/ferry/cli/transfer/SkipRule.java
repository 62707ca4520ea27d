package ferry.cli.transfer;

/**
 * When a file the destination has already is left alone rather than sent again.
 *
 * <p>{@code get}, {@code put} and {@code cp} send every file, as scp and cp do, unless
 * {@code --update} or {@code --checksum}; {@code ferry sync} skips unchanged files by default, as
 * rsync does, unless {@code --ignore-times}.
 */
public enum SkipRule {
    /** Send every file. */
    NEVER,
    /** Skip a file whose destination has the same size and modification time (rsync's quick check). */
    SAME_SIZE_AND_TIME,
    /** Skip a file whose destination has the same size and digest (rsync's --checksum). */
    SAME_DIGEST;

    /** Whether two files of these sizes and modification times count as the same for this rule (digests aside). */
    public boolean quickMatch(long size, long mtimeMillis, long otherSize, long otherMtimeMillis) {
        return switch (this) {
            case NEVER -> false;
            case SAME_SIZE_AND_TIME -> size == otherSize && mtimeMillis == otherMtimeMillis;
            case SAME_DIGEST -> size == otherSize;
        };
    }
}
