package ferry.services.file;

/**
 * What happened to uploads and temp files, for logs, metrics and tests (which wait on these
 * instead of sleeping). Paths are root-relative with '/' separators.
 *
 * <p>Threading contract: called on loop or worker threads; implementations must be thread-safe,
 * quick and must not throw.
 */
public interface FileServiceEvents {
    FileServiceEvents NONE = new FileServiceEvents() {};

    /** An upload claimed its target and is receiving its body (from {@code offset}). */
    default void uploadStarted(String path, long offset) {}

    /** An upload's connection dropped; its temp keeps {@code bytes} bytes for a resume. */
    default void uploadSuspended(String path, long bytes) {}

    /** An upload was renamed into place under {@code path}. */
    default void uploadCommitted(String path, long fileSize) {}

    /** An upload failed ({@code code} is the ERROR code sent) and its temp was removed. */
    default void uploadFailed(String path, String code) {}

    /** The sweeper deleted a stale temp file. */
    default void tempRemoved(String path) {}
}
