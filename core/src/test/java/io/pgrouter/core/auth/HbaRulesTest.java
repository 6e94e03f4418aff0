package io.pgrouter.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HbaRulesTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no lookup
    }

    /** An IPv4-mapped IPv6 address as such (InetAddress.getByName would turn it into IPv4). */
    private static InetAddress mapped(String v4) throws Exception {
        byte[] a = ip(v4).getAddress();
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(a, 0, b, 12, 4);
        return Inet6Address.getByAddress(null, b, -1);
    }

    private static HbaRules sample() throws Exception {
        return HbaRules.load(Path.of(HbaRulesTest.class.getResource("/auth/hba.conf").toURI()));
    }

    @Test
    void firstMatchWinsAndReportsItsLine() throws Exception {
        HbaRules rules = sample();
        assertEquals(6, rules.size());
        assertEquals(new HbaRules.Decision(HbaMethod.SCRAM_SHA_256, 2), rules.match(ip("10.1.2.3"), true, "x", "admin"));
        assertEquals(new HbaRules.Decision(HbaMethod.REJECT, 3), rules.match(ip("10.1.2.3"), false, "x", "admin"));
        assertEquals(new HbaRules.Decision(HbaMethod.MD5, 4), rules.match(ip("192.168.1.77"), false, "my db", "Bob"));
        assertEquals(7, rules.match(ip("192.168.1.77"), true, "my db", "Bob").line(), "hostnossl skips TLS");
        assertEquals(7, rules.match(ip("192.168.1.77"), false, "my db", "bob").line(), "names are case-sensitive");
        assertEquals(7, rules.match(ip("192.168.2.1"), false, "app", "alice").line());
        assertEquals(new HbaRules.Decision(HbaMethod.TRUST, 5), rules.match(ip("::1"), false, "carol", "carol"));
        assertEquals(0, rules.match(ip("::1"), false, "carol", "dave").line(), "sameuser, and ::1 is not IPv4");
    }

    @Test
    void noMatchIsARejectionWithPostgresWording() throws Exception {
        HbaRules.Decision d = sample().match(ip("2001:db8::5"), true, "db", "u");
        assertFalse(d.matched());
        assertEquals(HbaMethod.REJECT, d.method());
        AuthenticationException e = AuthErrors.forDecision(d, "2001:db8::5", "u", "db", true);
        assertEquals("28000", e.sqlState());
        assertEquals("no pg_hba.conf entry for host \"2001:db8::5\", user \"u\", database \"db\", SSL encryption",
                e.getMessage());
        AuthenticationException r = AuthErrors.forDecision(new HbaRules.Decision(HbaMethod.REJECT, 3), "h", "u", "d", false);
        assertEquals("pg_hba.conf rejects connection for host \"h\", user \"u\", database \"d\", no encryption",
                r.getMessage());
        assertEquals(null, AuthErrors.forDecision(new HbaRules.Decision(HbaMethod.MD5, 1), "h", "u", "d", false));
        assertEquals("password authentication failed for user \"u\"", AuthErrors.passwordFailed("u").getMessage());
        assertEquals("28P01", AuthErrors.passwordFailed("u").sqlState());
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0,        203.0.113.9,   true",
        "0.0.0.0/0,        ::1,           false",
        "::/0,             ::1,           true",
        "::/0,             203.0.113.9,   false",
        "203.0.113.9/32,   203.0.113.9,   true",
        "203.0.113.9/32,   203.0.113.8,   false",
        "10.0.0.0/8,       10.255.255.255, true",
        "10.0.0.0/8,       11.0.0.0,      false",
        "10.1.2.3/8,       10.9.9.9,      true",
        "2001:db8::1/128,  2001:db8::1,   true",
        "2001:db8::1/128,  2001:db8::2,   false",
        "2001:db8::/32,    2001:db8:ffff::1, true",
        "fe80::/10,        febf::1,       true",
        "fe80::/10,        fec0::1,       false",
        "::ffff:10.0.0.0/104, 10.2.3.4,   true",
        "::ffff:10.0.0.0/104, 11.2.3.4,   false",
    })
    void cidrEdgeCases(String cidr, String client, boolean matches) throws Exception {
        HbaRules rules = HbaRules.parse("host all all " + cidr + " trust", "hba");
        assertEquals(matches, rules.match(ip(client), false, "d", "u").matched());
    }

    @Test
    void ipv4RulesMatchIpv4MappedClients() throws Exception {
        HbaRules rules = HbaRules.parse("host all all 10.0.0.0/8 trust\nhost all all ::/0 md5", "hba");
        assertEquals(1, rules.match(mapped("10.1.2.3"), false, "d", "u").line());
        assertEquals(0, HbaRules.parse("host all all ::/0 md5", "hba").match(mapped("10.1.2.3"), false, "d", "u").line(),
                "a mapped client is an IPv4 client, which ::/0 does not cover");
        assertEquals(1, HbaRules.parse("host all all 0.0.0.0/0 md5", "hba").match(mapped("8.8.8.8"), false, "d", "u").line());
    }

    @Test
    void separateNetmaskColumn() throws Exception {
        HbaRules rules = HbaRules.parse("host all all 2001:db8:: ffff:ffff:: trust", "hba");
        assertTrue(rules.match(ip("2001:db8:1::1"), false, "d", "u").matched());
        assertFalse(rules.match(ip("2001:db9::1"), false, "d", "u").matched());
    }

    @Test
    void quotedKeywordsAreNames() throws Exception {
        HbaRules rules = HbaRules.parse("host \"all\" \"all\" all trust", "hba");
        assertFalse(rules.match(ip("1.2.3.4"), false, "db", "u").matched());
        assertTrue(rules.match(ip("1.2.3.4"), false, "all", "all").matched());
    }

    private static ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> HbaRules.parse(text, "hba"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "local all all trust                       | hba:1:1  | invalid connection type \"local\" (pgrouter accepts host, hostssl and hostnossl)",
        "host all all 10.0.0.0/33 md5              | hba:1:23 | invalid CIDR mask in address \"10.0.0.0/33\" (expected 0 to 32)",
        "host all all ::1/129 md5                  | hba:1:18 | invalid CIDR mask in address \"::1/129\" (expected 0 to 128)",
        "host all all 10.0.0.0/x md5               | hba:1:23 | invalid CIDR mask in address \"10.0.0.0/x\" (expected 0 to 32)",
        "host all all 300.0.0.0/8 md5              | hba:1:14 | invalid IP address \"300.0.0.0/8\"",
        "host all all db.example.com md5           | hba:1:14 | invalid IP address \"db.example.com\" (host names are not supported: give an IP address and a mask or a CIDR)",
        "host all all 10.0.0.0 md5                 | hba:1:23 | invalid IP mask \"md5\"",
        "host all all 10.0.0.0 ffff:: md5          | hba:1:23 | IP address and mask do not match",
        "host all all 10.0.0.0/8 ident             | hba:1:25 | unsupported authentication method \"ident\" (expected trust, reject, password, md5 or scram-sha-256)",
        "host all all 10.0.0.0/8 md5 clientcert=1  | hba:1:29 | authentication options are not supported: \"clientcert=1\"",
        "host all all                              | hba:1:13 | end-of-line before address",
        "host all                                  | hba:1:9  | end-of-line before user",
        "host all all   # the address is missing   | hba:1:13 | end-of-line before address",
        "host all all 10.0.0.0/8                   | hba:1:24 | end-of-line before authentication method",
        "host all +admins all md5                  | hba:1:10 | group membership is not supported in user names (quote the name if it is one)",
        "host @dbs all all md5                     | hba:1:6  | @file inclusion is not supported in database names (quote the name if it is one)",
        "host replication all all md5              | hba:1:6  | \"replication\" is not supported (quote the name if it is one)",
        "host a all 1.2.3.4/32,all md5             | hba:1:23 | a list is not allowed here",
        "host \"db all all md5                     | hba:1:6  | unterminated quoted string",
        "host a, # x                               | hba:1:9  | list ends with a comma",
    })
    void errorsNameFileLineColumnAndProblem(String line, String location, String problem) {
        ConfigException e = error(line.strip());
        assertEquals(location, e.location());
        assertEquals(problem, e.problem());
    }

    @Test
    void errorLineNumbersCountCommentsAndBlanks() {
        assertEquals("hba:3:1", error("# c\n\nhostgssenc all all all md5\n").location());
    }
}
