package io.pgrouter.core.auth;

import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Host-based access rules in pg_hba.conf's form, restricted to what a TCP proxy can honour:
 * <pre>
 * host|hostssl|hostnossl  DATABASE  USER  ADDRESS [NETMASK]  METHOD
 * </pre>
 * DATABASE is {@code all}, {@code sameuser} or a comma-separated list of names; USER is
 * {@code all} or a list of names; quoted words are always names. ADDRESS is {@code all}, a CIDR
 * (IPv4 or IPv6) or an address followed by a NETMASK column. The first rule that matches decides;
 * when none does, the connection is rejected.
 *
 * <p>Anything else PostgreSQL knows (local lines, groups, {@code @file}, host names,
 * {@code samenet}, options such as {@code clientcert=}) is a configuration error rather than
 * ignored: silently dropping part of an access rule would weaken it. Immutable; reloads build a
 * new instance.
 */
public final class HbaRules {
    /**
     * The outcome of {@link #match}: the method to run and the 1-based line of the rule that
     * decided, or {@link HbaMethod#REJECT} with line 0 when no rule matched.
     */
    public record Decision(HbaMethod method, int line) {
        public boolean matched() {
            return line > 0;
        }
    }

    private static final Decision NO_MATCH = new Decision(HbaMethod.REJECT, 0);

    private enum ConnectionType { ANY, SSL, NOSSL }

    private record Rule(int line, ConnectionType type, Set<String> databases, boolean allDatabases,
            boolean sameUser, Set<String> users, HbaAddress address, HbaMethod method) {
        boolean matches(InetAddress client, boolean tls, String database, String user) {
            return (type == ConnectionType.ANY || (type == ConnectionType.SSL) == tls)
                    && (allDatabases || (sameUser && database.equals(user)) || databases.contains(database))
                    && (users == null || users.contains(user))
                    && address.matches(client);
        }
    }

    private final List<Rule> rules;

    private HbaRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Reads and checks the file; every problem is a {@link ConfigException} at {@code file:line:column}. */
    public static HbaRules load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read hba file: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses hba text; {@code fileName} only names the source in errors. */
    public static HbaRules parse(String text, String fileName) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            List<ConfigLine.Field> fields = ConfigLine.split(fileName, i + 1, lines[i], true);
            if (!fields.isEmpty()) {
                rules.add(new LineParser(fileName, i + 1, fields).rule());
            }
        }
        return new HbaRules(rules);
    }

    /** The first rule matching this connection, or a rejection on line 0. Lock-free. */
    public Decision match(InetAddress client, boolean tls, String database, String user) {
        for (Rule rule : rules) {
            if (rule.matches(client, tls, database, user)) {
                return new Decision(rule.method(), rule.line());
            }
        }
        return NO_MATCH;
    }

    public int size() {
        return rules.size();
    }

    /** Parses one non-empty line, keeping the positions for errors. */
    private static final class LineParser {
        private final String file;
        private final int line;
        private final List<ConfigLine.Field> fields;

        LineParser(String file, int line, List<ConfigLine.Field> fields) {
            this.file = file;
            this.line = line;
            this.fields = fields;
        }

        Rule rule() {
            ConnectionType type = type(single(0));
            requireField(1, "database");
            requireField(2, "user");
            requireField(3, "address");
            ConfigLine.Field databases = fields.get(1);
            ConfigLine.Field users = fields.get(2);
            ConfigLine.Item addressItem = single(3);
            int next = 4;
            HbaAddress address;
            byte[] literal = HbaAddress.parseLiteral(addressItem.text());
            if (!addressItem.quoted() && addressItem.text().equals("all")) {
                address = HbaAddress.ALL;
            } else if (literal != null) {
                requireField(4, "netmask");
                ConfigLine.Item maskItem = single(4);
                byte[] mask = HbaAddress.parseLiteral(maskItem.text());
                if (mask == null) {
                    throw error(maskItem.column(), "invalid IP mask \"" + maskItem.text() + "\"");
                }
                if (mask.length != literal.length) {
                    throw error(maskItem.column(), "IP address and mask do not match");
                }
                address = HbaAddress.of(literal, mask);
                next = 5;
            } else {
                address = cidr(addressItem);
            }
            requireField(next, "authentication method");
            ConfigLine.Item methodItem = single(next);
            HbaMethod method = HbaMethod.forName(methodItem.text());
            if (method == null || methodItem.quoted()) {
                throw error(methodItem.column(), "unsupported authentication method \"" + methodItem.text()
                        + "\" (expected trust, reject, password, md5 or scram-sha-256)");
            }
            if (fields.size() > next + 1) {
                throw error(fields.get(next + 1).column(),
                        "authentication options are not supported: \"" + fields.get(next + 1).single().text() + "\"");
            }
            boolean allDbs = false;
            boolean sameUser = false;
            Set<String> dbNames = new HashSet<>();
            for (ConfigLine.Item item : databases.items()) {
                String keyword = keyword(item);
                if ("all".equals(keyword)) {
                    allDbs = true;
                } else if ("sameuser".equals(keyword)) {
                    sameUser = true;
                } else {
                    dbNames.add(name(item, "database"));
                }
            }
            Set<String> userNames = new HashSet<>();
            boolean allUsers = false;
            for (ConfigLine.Item item : users.items()) {
                if ("all".equals(keyword(item))) {
                    allUsers = true;
                } else {
                    userNames.add(name(item, "user"));
                }
            }
            return new Rule(line, type, Set.copyOf(dbNames), allDbs, sameUser,
                    allUsers ? null : Set.copyOf(userNames), address, method);
        }

        private ConnectionType type(ConfigLine.Item item) {
            switch (item.quoted() ? "" : item.text()) {
                case "host": return ConnectionType.ANY;
                case "hostssl": return ConnectionType.SSL;
                case "hostnossl": return ConnectionType.NOSSL;
                default:
                    throw error(item.column(), "invalid connection type \"" + item.text()
                            + "\" (pgrouter accepts host, hostssl and hostnossl)");
            }
        }

        private HbaAddress cidr(ConfigLine.Item item) {
            String text = item.text();
            int slash = text.indexOf('/');
            byte[] address = slash < 0 ? null : HbaAddress.parseLiteral(text.substring(0, slash));
            if (address == null) {
                String why = slash < 0 && !text.isEmpty() && !item.quoted()
                        && !List.of("samehost", "samenet").contains(text)
                        ? " (host names are not supported: give an IP address and a mask or a CIDR)"
                        : "";
                throw error(item.column(), "invalid IP address \"" + text + "\"" + why);
            }
            int max = address.length * 8;
            int bits;
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max || !text.substring(slash + 1).matches("\\d+")) {
                throw error(item.column() + slash + 1, "invalid CIDR mask in address \"" + text
                        + "\" (expected 0 to " + max + ")");
            }
            return HbaAddress.of(address, HbaAddress.prefixMask(bits, address.length));
        }

        /** The keyword an unquoted item stands for, or null for a name. */
        private String keyword(ConfigLine.Item item) {
            return item.quoted() ? null : item.text().toLowerCase(Locale.ROOT);
        }

        private String name(ConfigLine.Item item, String what) {
            if (!item.quoted()) {
                String t = item.text();
                if (t.startsWith("+") || t.startsWith("@")) {
                    throw error(item.column(), (t.startsWith("+") ? "group membership" : "@file inclusion")
                            + " is not supported in " + what + " names (quote the name if it is one)");
                }
                if (List.of("samerole", "samegroup", "replication").contains(t.toLowerCase(Locale.ROOT))) {
                    throw error(item.column(), "\"" + t + "\" is not supported (quote the name if it is one)");
                }
            }
            return item.text();
        }

        private ConfigLine.Item single(int index) {
            ConfigLine.Field field = fields.get(index);
            if (field.items().size() != 1) {
                throw error(field.items().get(1).column(), "a list is not allowed here");
            }
            return field.single();
        }

        private void requireField(int index, String what) {
            if (fields.size() <= index) {
                throw error(fields.get(fields.size() - 1).endColumn(), "end-of-line before " + what);
            }
        }

        private ConfigException error(int column, String problem) {
            return ConfigLine.error(file, line, column, problem);
        }
    }
}
