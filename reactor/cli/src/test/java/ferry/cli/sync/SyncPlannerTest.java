package ferry.cli.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.transfer.SkipRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync plan from two listings, without sockets or disks. */
class SyncPlannerTest {
    private static final long T = 1_764_057_600_000L;

    private static Tree tree(TreeEntry... entries) {
        Tree t = new Tree();
        for (TreeEntry e : entries) {
            t.add(e);
        }
        return t;
    }

    private static List<String> paths(List<TreeEntry> entries) {
        return entries.stream().map(TreeEntry::path).toList();
    }

    private static List<String> sent(SyncPlan p) {
        return p.sends().stream().map(s -> s.source().path() + (s.isNew() ? " new" : " changed")).toList();
    }

    private static SyncPlan plan(SkipRule rule, boolean delete, Tree source, Tree dest) {
        return new SyncPlanner(rule, delete).plan(source, dest);
    }

    @Test
    void anEmptyDestinationGetsEveryFolderParentsFirstAndEveryFile() {
        Tree src = tree(TreeEntry.dir("a"), TreeEntry.dir("a/b"), TreeEntry.file("a/b/c.txt", 3, T),
                TreeEntry.file("top.txt", 1, T));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, false, src, new Tree());
        assertEquals(List.of("a", "a/b"), paths(p.mkdirs()));
        assertEquals(List.of("a/b/c.txt new", "top.txt new"), sent(p));
        assertEquals(0, p.unchanged());
    }

    @Test
    void theQuickCheckSkipsFilesOfTheSameSizeAndTimeAndSendsTheRest() {
        Tree src = tree(TreeEntry.file("same", 5, T), TreeEntry.file("newer", 5, T + 1), TreeEntry.file("longer", 6, T));
        Tree dst = tree(TreeEntry.file("same", 5, T), TreeEntry.file("newer", 5, T), TreeEntry.file("longer", 5, T));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, false, src, dst);
        assertEquals(List.of("longer changed", "newer changed"), sent(p));
        assertEquals(1, p.unchanged());
        assertTrue(p.compares().isEmpty());
    }

    @Test
    void checksumComparesDigestsOfSameSizedFilesWhateverTheirTimes() {
        Tree src = tree(TreeEntry.file("same-size", 5, T + 9), TreeEntry.file("other-size", 6, T));
        Tree dst = tree(TreeEntry.file("same-size", 5, T), TreeEntry.file("other-size", 5, T));
        SyncPlan p = plan(SkipRule.SAME_DIGEST, false, src, dst);
        assertEquals(List.of("same-size"), paths(p.compares()));
        assertEquals(List.of("other-size changed"), sent(p));
    }

    @Test
    void ignoreTimesSendsEveryFile() {
        Tree src = tree(TreeEntry.file("same", 5, T));
        SyncPlan p = plan(SkipRule.NEVER, false, src, tree(TreeEntry.file("same", 5, T)));
        assertEquals(List.of("same changed"), sent(p));
    }

    @Test
    void withoutDeleteNothingIsDeleted() {
        Tree dst = tree(TreeEntry.file("gone.txt", 1, T), TreeEntry.dir("old"));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, false, new Tree(), dst);
        assertTrue(p.deletes().isEmpty());
        assertTrue(p.inSync());
    }

    @Test
    void deleteRemovesWhatTheSourceLacksAFolderWithItsContentsInOneStep() {
        Tree src = tree(TreeEntry.file("kept", 1, T));
        Tree dst = tree(TreeEntry.file("kept", 1, T), TreeEntry.dir("old"), TreeEntry.dir("old/sub"),
                TreeEntry.file("old/sub/x", 1, T), TreeEntry.file("old.txt", 1, T), TreeEntry.file("z", 1, T));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, true, src, dst);
        // "old.txt" sorts between "old" and "old/sub": its deletion must not hide that old/... goes with old
        assertEquals(List.of("z", "old.txt", "old"), paths(p.deletes()), "deepest and last first, contents with their folder");
        assertEquals(1, p.unchanged());
    }

    @Test
    void excludedEntriesAreNeitherSentNorDeletedAndKeepTheirFolder() {
        Tree src = tree(TreeEntry.file("a.tmp", 1, T).asExcluded(), TreeEntry.file("b", 1, T));
        Tree dst = tree(TreeEntry.dir("cache"), TreeEntry.file("cache/keep.tmp", 1, T).asExcluded(),
                TreeEntry.file("cache/drop", 1, T), TreeEntry.file("x.tmp", 1, T).asExcluded());
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, true, src, dst);
        assertEquals(List.of("b new"), sent(p));
        assertEquals(List.of("cache/drop"), paths(p.deletes()), "the folder stays for its excluded file");
    }

    @Test
    void anEntryOfAnotherKindIsAConflictWithoutDeleteAndReplacedWithIt() {
        Tree src = tree(TreeEntry.dir("d"), TreeEntry.file("d/f", 1, T), TreeEntry.file("x", 1, T));
        Tree dst = tree(TreeEntry.file("d", 9, T), TreeEntry.dir("x"), TreeEntry.file("x/inner", 1, T));

        SyncPlan keep = plan(SkipRule.SAME_SIZE_AND_TIME, false, src, dst);
        assertEquals(2, keep.conflicts().size(), keep.conflicts().toString());
        assertTrue(keep.conflicts().get(0).startsWith("d: the destination has a file there"), keep.conflicts().get(0));
        assertTrue(keep.sends().isEmpty() && keep.mkdirs().isEmpty(), "nothing under a conflict is sent");

        SyncPlan replace = plan(SkipRule.SAME_SIZE_AND_TIME, true, src, dst);
        assertEquals(List.of("d", "x"), paths(replace.replaced()));
        assertEquals(List.of("d"), paths(replace.mkdirs()));
        assertEquals(List.of("d/f new", "x new"), sent(replace));
        assertTrue(replace.deletes().isEmpty(), "x/inner goes with x: " + replace.deletes());
    }

    @Test
    void linksAndSpecialFilesAreSkipped() {
        Tree src = tree(new TreeEntry("link", TreeEntry.Kind.OTHER, 0, 0, false));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, true, src, new Tree());
        assertEquals(List.of("link"), paths(p.skipped()));
        assertTrue(p.sends().isEmpty());
    }

    @Test
    void aSourceThatLacksNothingIsInSync() {
        Tree both = tree(TreeEntry.dir("a"), TreeEntry.file("a/f", 1, T));
        Tree dst = tree(TreeEntry.dir("a"), TreeEntry.file("a/f", 1, T));
        SyncPlan p = plan(SkipRule.SAME_SIZE_AND_TIME, true, both, dst);
        assertTrue(p.inSync());
        assertEquals(1, p.unchanged());
    }
}
