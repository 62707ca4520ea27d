package ferry.cli.transfer;

/** A walk of files cannot go on: the connection is gone for good (already reported). */
public final class WalkAborted extends Exception {
    private static final long serialVersionUID = 1L;

    public WalkAborted() {
        super(null, null, false, false);
    }
}
