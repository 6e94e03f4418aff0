package io.pgrouter.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Md5PasswordTest {
    /** {@code SET password_encryption = md5; CREATE ROLE bob PASSWORD 'battery staple'} on PostgreSQL 15. */
    static final String BOB = "md5ffb640bdd3eae857b142179f628eebd1";
    private static final byte[] SALT = {0x01, (byte) 0xA2, 0x7F, (byte) 0xFF};

    private static String md5Hex(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void storedHashMatchesPostgres() {
        assertEquals(BOB, Md5Password.hash("bob", "battery staple"));
    }

    @Test
    void wireAnswerIsMd5OfStoredHexAndSalt() throws Exception {
        String inner = md5Hex("battery staplebob".getBytes(StandardCharsets.UTF_8));
        byte[] salted = new byte[36];
        System.arraycopy(inner.getBytes(StandardCharsets.US_ASCII), 0, salted, 0, 32);
        System.arraycopy(SALT, 0, salted, 32, 4);
        String expected = "md5" + md5Hex(salted);
        assertEquals(expected, Md5Password.encode("bob", "battery staple", SALT));
        assertEquals(expected, Md5Password.fromStoredHash(BOB, SALT));
    }

    @Test
    void verifiesAgainstEachKindOfSecret() {
        String answer = Md5Password.encode("bob", "battery staple", SALT);
        assertTrue(Md5Password.verify(new UserSecret.Md5Hash(BOB), "bob", SALT, answer));
        assertTrue(Md5Password.verify(new UserSecret.Plaintext("battery staple"), "bob", SALT, answer));
        assertFalse(Md5Password.verify(new UserSecret.Md5Hash(BOB), "bob", new byte[4], answer), "other salt");
        assertFalse(Md5Password.verify(new UserSecret.Md5Hash(BOB), "bob", SALT, answer.substring(1)));
        assertFalse(Md5Password.verify(null, "bob", SALT, answer), "unknown user");
    }

    @Test
    void tellsHashesFromPasswordsAsPostgresDoes() {
        assertTrue(Md5Password.isMd5Hash(BOB));
        assertFalse(Md5Password.isMd5Hash(BOB.toUpperCase()));
        assertFalse(Md5Password.isMd5Hash(BOB + "0"));
        assertFalse(Md5Password.isMd5Hash("md5" + "g".repeat(32)));
    }

    @Test
    void cleartextCheckWorksWithEveryKindOfSecret() throws Exception {
        assertTrue(CleartextPassword.verify(new UserSecret.Md5Hash(BOB), "bob", "battery staple"));
        assertFalse(CleartextPassword.verify(new UserSecret.Md5Hash(BOB), "alice", "battery staple"));
        assertTrue(CleartextPassword.verify(new UserSecret.Plaintext("pw"), "x", "pw"));
        assertFalse(CleartextPassword.verify(new UserSecret.Plaintext("pw"), "x", "pW"));
        UserSecret alice = new UserSecret.Scram(ScramExchangeTest.alice());
        assertTrue(CleartextPassword.verify(alice, "alice", "correct horse"));
        assertFalse(CleartextPassword.verify(alice, "alice", "correct horsE"));
        assertFalse(CleartextPassword.verify(null, "ghost", "x"));
    }

    @Test
    void planFollowsPostgresRules() throws Exception {
        var scram = java.util.Optional.<UserSecret>of(new UserSecret.Scram(ScramExchangeTest.alice()));
        var md5 = java.util.Optional.<UserSecret>of(new UserSecret.Md5Hash(BOB));
        assertEquals(ClientAuthPlan.SCRAM, ClientAuthPlan.choose(HbaMethod.MD5, scram));
        assertEquals(ClientAuthPlan.MD5, ClientAuthPlan.choose(HbaMethod.MD5, md5));
        assertEquals(ClientAuthPlan.MD5, ClientAuthPlan.choose(HbaMethod.MD5, java.util.Optional.empty()));
        assertEquals(ClientAuthPlan.SCRAM, ClientAuthPlan.choose(HbaMethod.SCRAM_SHA_256, md5));
        assertEquals(ClientAuthPlan.CLEARTEXT, ClientAuthPlan.choose(HbaMethod.PASSWORD, scram));
        assertEquals(ClientAuthPlan.TRUST, ClientAuthPlan.choose(HbaMethod.TRUST, java.util.Optional.empty()));
    }
}
