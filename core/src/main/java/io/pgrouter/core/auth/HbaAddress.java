package io.pgrouter.core.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The ADDRESS of an hba rule: {@code all}, or an address and a mask of the same family.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) are the IPv4 address they carry: an IPv4
 * rule matches such a client, as PostgreSQL's check_ip does, and a rule written in mapped form
 * matches plain IPv4 clients. Otherwise families never match each other: {@code 0.0.0.0/0} is all of
 * IPv4 and {@code ::/0} all of IPv6, as PostgreSQL documents.
 */
final class HbaAddress {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    static final HbaAddress ALL = new HbaAddress(null, null);

    /** Address bytes (4 or 16) already masked, or null for all. */
    private final byte[] network;
    private final byte[] mask;

    private HbaAddress(byte[] network, byte[] mask) {
        this.network = network;
        this.mask = mask;
    }

    /**
     * Parses an IP literal without ever resolving a name (an hba file must not trigger DNS); null
     * when {@code text} is not one. A mapped IPv6 literal keeps its 16 bytes.
     */
    static byte[] parseLiteral(String text) {
        if (IPV4.matcher(text).matches()) {
            byte[] out = new byte[4];
            String[] parts = text.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                out[i] = (byte) v;
            }
            return out;
        }
        if (text.indexOf(':') < 0 || text.indexOf('%') >= 0 || !text.matches("[0-9A-Fa-f:.]+")) {
            return null; // not IPv6 either, or a zone id, which hba has no use for
        }
        try {
            // With a colon and only hex, colons and dots this is parsed as a literal: no lookup.
            InetAddress parsed = InetAddress.getByName(text);
            return parsed instanceof Inet4Address v4 ? mapped(v4.getAddress()) : parsed.getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** A CIDR prefix length as a mask of {@code bytes} bytes. */
    static byte[] prefixMask(int bits, int bytes) {
        byte[] mask = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            int inByte = Math.max(0, Math.min(8, bits - 8 * i));
            mask[i] = (byte) (0xff << (8 - inByte));
        }
        return mask;
    }

    static HbaAddress of(byte[] address, byte[] mask) {
        if (address.length != mask.length) {
            throw new IllegalArgumentException("address and mask families differ");
        }
        byte[] network = new byte[address.length];
        for (int i = 0; i < network.length; i++) {
            network[i] = (byte) (address[i] & mask[i]);
        }
        return new HbaAddress(network, mask.clone());
    }

    boolean matches(InetAddress client) {
        if (network == null) {
            return true;
        }
        byte[] c = client.getAddress();
        if (client instanceof Inet6Address && isMapped(c)) {
            c = Arrays.copyOfRange(c, 12, 16);
        }
        if (c.length == 4 && network.length == 16) {
            if (!mappedRule()) {
                return false;
            }
            c = mapped(c);
        } else if (c.length != network.length) {
            return false;
        }
        for (int i = 0; i < c.length; i++) {
            if ((c[i] & mask[i]) != network[i]) {
                return false;
            }
        }
        return true;
    }

    /** An IPv6 rule that fixes the whole {@code ::ffff:0:0/96} prefix: it is about IPv4 clients. */
    private boolean mappedRule() {
        for (int i = 0; i < 12; i++) {
            if (mask[i] != (byte) 0xff || network[i] != MAPPED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMapped(byte[] a) {
        return a.length == 16 && Arrays.equals(a, 0, 12, MAPPED_PREFIX, 0, 12);
    }

    private static byte[] mapped(byte[] v4) {
        byte[] out = Arrays.copyOf(MAPPED_PREFIX, 16);
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    @Override
    public String toString() {
        return network == null ? "all" : Arrays.toString(network) + "/" + Arrays.toString(mask);
    }
}
