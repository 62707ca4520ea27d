package ferry.cli.transfer;

/** A walk of files cannot go on: the connection is gone for good (already reported). */
final class WalkAborted extends Exception {
    private static final long serialVersionUID = 1L;

    WalkAborted() {
        super(null, null, false, false);
    }
}
