package ferry.loadtest;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code get}, {@code put} and {@code mixed} scenarios: {@link #prepare} puts the file GETs
 * read in place (written straight into the root of a server the harness started, else uploaded
 * through the protocol unless the server already holds it) and, for a server that needs it, logs
 * in once to derive the keys every connection logs in with; each connection then runs a
 * {@link FileScript}.
 *
 * <p>Threading: the coordinator thread; {@link #newScript} after {@link #prepare}.
 */
final class FileScenario implements Scenario {
    private final String name;
    private long digestSize = -1;
    private String digestHex;
    private FileLoad load;

    FileScenario(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean reportsKinds() {
        return name.equals("mixed");
    }

    @Override
    public void prepare(InetSocketAddress server, Options o, Path fileRoot) throws IOException {
        if (digestSize != o.fileBytes) {
            digestHex = FileContent.get().digestHex(o.fileBytes);
            digestSize = o.fileBytes;
        }
        boolean gets = o.mix().includes(OpKind.GET);
        ScramLogin login = null;
        if (fileRoot != null) {
            Path dir = Files.createDirectories(fileRoot.resolve(FileLoad.DIR));
            Path file = fileRoot.resolve(FileLoad.getPath(o.fileBytes));
            if (gets && !FileContent.get().matches(file, o.fileBytes)) {
                FileContent.get().writeTo(file, o.fileBytes);
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException("cannot create " + dir);
            }
        } else {
            try (FerryClient c = FerryClient.connect(server.getHostString(), server.getPort())) {
                if (o.user != null) {
                    char[] password = ScramLogin.readPassword(Path.of(o.passwordFile));
                    try {
                        login = ScramLogin.derive(c, o.user, password);
                    } finally {
                        Arrays.fill(password, '\0');
                    }
                }
                FileClient files = new FileClient(c);
                boolean folderMade = gets && ensureRemote(files, o.fileBytes);
                if (o.mix().includes(OpKind.PUT) && !folderMade) {
                    files.mkdir(FileLoad.DIR, true); // PUTs need the folder; a read-only GET run does not
                }
            }
        }
        load = new FileLoad(o, digestHex, login);
    }

    /**
     * Uploads the GET file unless the server holds it already (same size and SHA-256), so a
     * read-only account can run {@code get} against a file uploaded before. Returns whether it
     * uploaded (the folder exists then).
     */
    private boolean ensureRemote(FileClient files, long size) throws IOException {
        String path = FileLoad.getPath(size);
        try {
            FileInfo info = files.stat(path, DigestAlgorithm.SHA_256);
            if (info.fileSize() == size && digestHex.equals(info.digest())) {
                return false;
            }
        } catch (RemoteException e) {
            if (!"not_found".equals(e.code())) {
                throw e;
            }
        }
        files.mkdir(FileLoad.DIR, true);
        FerryClient c = files.connection();
        long id = files.beginPut(path, size, 0, digestHex, -1);
        ByteBuffer v = FileContent.get().view();
        for (long sent = 0; sent < size; ) {
            int n = (int) Math.min(size - sent, FileContent.BLOCK_BYTES);
            v.clear().limit(n);
            c.sendBody(v);
            sent += n;
        }
        files.endPut(id, digestHex, path);
        return true;
    }

    @Override
    public ConnectionScript newScript(Options o, int index) {
        if (load == null) {
            throw new IllegalStateException("prepare() first");
        }
        return new FileScript(load, index, o.depth);
    }
}
