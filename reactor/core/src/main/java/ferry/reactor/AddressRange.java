package ferry.reactor;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}; a bare address
 * is a block of one). Parsing accepts literals only and never asks DNS: a trust list must not
 * depend on what a name server answers.
 *
 * <p>Immutable and thread-safe.
 */
public final class AddressRange {
    private final byte[] network; // the address with the bits past the prefix cleared
    private final int prefixBits;
    private final String text;

    private AddressRange(byte[] network, int prefixBits) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = literal(network) + "/" + prefixBits;
    }

    /**
     * Parses {@code ADDRESS[/BITS]}.
     *
     * @throws IllegalArgumentException naming what is wrong; host bits set past the prefix
     *         ({@code 10.0.0.1/8}) are refused as a likely typo
     */
    public static AddressRange parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String addrText = slash < 0 ? t : t.substring(0, slash);
        byte[] addr = literalBytes(addrText, s);
        int bits = addr.length * 8;
        if (slash >= 0) {
            String b = t.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(b) > addr.length * 8) {
                throw new IllegalArgumentException("bad prefix length in \"" + s + "\": 0 to " + addr.length * 8);
            }
            bits = Integer.parseInt(b);
        }
        byte[] net = mask(addr, bits);
        if (!Arrays.equals(net, addr)) {
            throw new IllegalArgumentException("\"" + s + "\" has bits set past its /" + bits
                    + " prefix; did you mean " + literal(net) + "/" + bits + "?");
        }
        return new AddressRange(net, bits);
    }

    /** Parses a comma-separated list; empty items are refused. */
    public static List<AddressRange> parseList(List<String> items) {
        List<AddressRange> out = new ArrayList<>();
        for (String item : items) {
            for (String part : item.split(",", -1)) {
                if (part.isBlank()) {
                    throw new IllegalArgumentException("empty address range in \"" + item + "\"");
                }
                out.add(parse(part));
            }
        }
        return out;
    }

    /** Whether {@code addr} is in this block (an IPv4 address is never in an IPv6 block, nor the reverse). */
    public boolean contains(InetAddress addr) {
        byte[] a = addr.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefixBits), network);
    }

    private static byte[] mask(byte[] addr, int bits) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xFF00 >> keep);
        }
        return out;
    }

    private static byte[] literalBytes(String a, String whole) {
        boolean v4 = !a.isEmpty() && a.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 = a.indexOf(':') >= 0 && !a.startsWith(".")
                && a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (v4 && a.split("\\.", -1).length != 4) {
            v4 = false; // "10" or "10.1" would be read by getByName as shorthand forms
        }
        if (v4 && Arrays.stream(a.split("\\.")).anyMatch(part -> part.length() > 1 && part.startsWith("0"))) {
            // 010.0.0.1 is 10.0.0.1 to Java and 8.0.0.1 to inet_aton: refuse rather than guess
            throw new IllegalArgumentException("\"" + whole + "\": leading zeros in an IPv4 address are ambiguous");
        }
        if (!v4 && !v6) {
            throw new IllegalArgumentException("\"" + whole + "\" is not an IP address or CIDR block (names are not accepted)");
        }
        try {
            // Digits and dots in four parts, or hex, colons and dots with a colon: literals that
            // getByName parses (or refuses) without a lookup.
            byte[] b = InetAddress.getByName(a).getAddress();
            if (v6 && b.length == 4) {
                throw new IllegalArgumentException("\"" + whole + "\": write IPv4-mapped addresses as IPv4");
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + whole + "\" is not an IP address or CIDR block");
        }
    }

    private static String literal(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && r.prefixBits == prefixBits && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixBits;
    }

    /** The block as {@code ADDRESS/BITS}. */
    @Override
    public String toString() {
        return text;
    }
}
