package ferry.client;

import static ferry.protocol.FileProtocol.FILE_SIZE;
import static ferry.protocol.FileProtocol.LIST;
import static ferry.protocol.FileProtocol.MTIME;
import static ferry.protocol.FileProtocol.NAME;
import static ferry.protocol.FileProtocol.PATH;
import static ferry.protocol.FileProtocol.TYPE;

import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LIST on one connection: one folder, or many pipelined (a tree walk's folders one level at a
 * time), which is what makes comparing two trees cost round trips per level, not per folder.
 *
 * <p>Thread safety: as the {@link FerryClient}, one thread at a time.
 */
public final class Listings {
    private final FerryClient client;

    public Listings(FerryClient client) {
        this.client = client;
    }

    /** The entries of a folder ("" is the home folder), sorted by name. */
    public List<FileInfo> list(String remote) throws IOException {
        Header req = Header.op(LIST).put(Header.ID, client.nextId()).put(PATH, remote);
        client.send(req);
        return readListing(client.expect(client.readHeader(), LIST, req.id()));
    }

    /**
     * One folder's answer to {@link #list(List, int)}: its entries, or the server's refusal
     * ({@code not_found}, {@code bad_request} for a file, {@code too_large}, ...).
     *
     * @param path    the folder as asked
     * @param entries its entries sorted by name, or null when {@code error} is set
     * @param error   the refusal, or null
     */
    public record Listing(String path, List<FileInfo> entries, RemoteException error) {
    }

    /**
     * LISTs each folder of {@code remotes}, pipelined: up to {@code window} requests travel ahead
     * of the answer being read, and answers come back in request order (PROTOCOL.md), so a tree of
     * many folders costs about one round trip per window instead of one per folder. A refusal of
     * one folder is returned in its {@link Listing}; a lost connection throws. Requests are small
     * and bounded by {@code window}, so sending them ahead cannot fill the socket while the
     * server waits for answers to be read.
     */
    public List<Listing> list(List<String> remotes, int window) throws IOException {
        if (window < 1) {
            throw new IllegalArgumentException("window " + window + " < 1");
        }
        long[] ids = new long[remotes.size()];
        List<Listing> out = new ArrayList<>(remotes.size());
        int sent = 0;
        while (out.size() < remotes.size()) {
            while (sent < remotes.size() && sent - out.size() < window) {
                ids[sent] = client.nextId();
                client.send(Header.op(LIST).put(Header.ID, ids[sent]).put(PATH, remotes.get(sent)));
                sent++;
            }
            int i = out.size();
            try {
                out.add(new Listing(remotes.get(i), readListing(client.expect(client.readHeader(), LIST, ids[i])), null));
            } catch (RemoteException e) {
                if (e.header().id() != ids[i]) {
                    throw new ProtocolException("answer id " + e.header().id() + " does not match request id " + ids[i]);
                }
                out.add(new Listing(remotes.get(i), null, e));
            }
        }
        return out;
    }

    /** The body of the LIST answer {@code h}: a JSON array of entries. */
    @SuppressWarnings("unchecked")
    private List<FileInfo> readListing(Header h) throws IOException {
        long size = h.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new ProtocolException("LIST body of " + size + " bytes is too large to hold");
        }
        ByteBuffer body = ByteBuffer.allocate((int) size);
        while (body.hasRemaining() && client.readBody(body) >= 0) {
            // keep reading
        }
        Object parsed = Json.parse(body.array());
        if (!(parsed instanceof List)) {
            throw new ProtocolException("LIST body is not a JSON array");
        }
        List<FileInfo> out = new ArrayList<>();
        for (Object o : (List<Object>) parsed) {
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(new FileInfo((String) m.get(NAME), (String) m.get(TYPE), (Long) m.get(FILE_SIZE),
                    (Long) m.get(MTIME), null));
        }
        return out;
    }
}
