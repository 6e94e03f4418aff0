package io.pgrouter.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthDbTest {
    @Test
    void loadsEachKindOfSecretWithQuotingAndComments() throws Exception {
        Path file = Path.of(getClass().getResource("/auth/authdb.txt").toURI());
        AuthDb db = AuthDb.load(file);
        assertEquals(5, db.size());
        UserSecret.Scram alice = assertInstanceOf(UserSecret.Scram.class, db.lookup("alice").orElseThrow());
        assertEquals(ScramExchangeTest.ALICE, alice.verifier().format());
        assertEquals(Md5PasswordTest.BOB, assertInstanceOf(UserSecret.Md5Hash.class, db.lookup("bob").orElseThrow()).hash());
        assertEquals("plain", assertInstanceOf(UserSecret.Plaintext.class, db.lookup("carol").orElseThrow()).password());
        assertEquals("with \"quotes\" # and hash", assertInstanceOf(UserSecret.Plaintext.class,
                db.lookup("dave smith").orElseThrow()).password());
        assertEquals("md5NOTAHASH", assertInstanceOf(UserSecret.Plaintext.class, db.lookup("eve").orElseThrow()).password());
        assertTrue(db.lookup("mallory").isEmpty());
        assertTrue(db.lookup("Alice").isEmpty(), "user names are case-sensitive");
    }

    @Test
    void secretsNeverShowInToString() throws Exception {
        AuthDb db = AuthDb.parse("carol hunter2\n", "t");
        assertTrue(!db.lookup("carol").orElseThrow().toString().contains("hunter2"));
    }

    private static ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> AuthDb.parse(text, "authdb"));
    }

    @Test
    void errorsPointAtFileLineAndColumn() {
        assertEquals("authdb:2:6", error("# c\nalice\n").location());
        assertEquals("missing secret for user \"alice\"", error("# c\nalice\n").problem());
        assertEquals("authdb:1:11", error("alice  pw extra\n").location());
        assertEquals("authdb:1:6", error("alice   # no secret\n").location());
        assertEquals("authdb:1:7", error("alice \"pw\n").location());
        assertEquals("unterminated quoted string", error("alice \"pw\n").problem());
        assertEquals("authdb:3:1", error("a x\nb y\na z\n").location());
        assertEquals("user \"a\" already defined on line 1", error("a x\nb y\na z\n").problem());
        assertEquals("authdb:1:1", error("\"\" pw").location());
        assertEquals("authdb:1:5", error("bob \"\"").location());
    }

    @Test
    void brokenScramVerifierIsAnErrorAtThePartThatIsWrong() {
        // iterations start after "a SCRAM-SHA-256$": column 3 + 14
        ConfigException e = error("a SCRAM-SHA-256$x:c2FsdA==$AAAA:BBBB");
        assertEquals("authdb:1:17", e.location());
        assertEquals("SCRAM iteration count must be a positive integer", e.problem());
        e = error("a SCRAM-SHA-256$4096:c2FsdA==$AAAA:BBBB");
        assertEquals("authdb:1:31", e.location());
        assertTrue(e.problem().startsWith("SCRAM StoredKey must be 32 bytes"), e.problem());
        e = error("a \"SCRAM-SHA-256$4096:???$AAAA:BBBB\"");
        assertEquals("authdb:1:23", e.location());
        assertEquals("SCRAM salt is not valid base64", e.problem());
        e = error("a SCRAM-SHA-256$4096");
        assertEquals("authdb:1:17", e.location());
    }

    @Test
    void unreadableFileIsAConfigError(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> AuthDb.load(dir.resolve("missing")));
        assertTrue(e.problem().startsWith("cannot read authdb"));
    }

    @Test
    void crlfAndTabsAreBlanks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("authdb");
        Files.writeString(file, "alice\tpw\r\n\r\n bob  \"x y\"  # comment\r\n");
        AuthDb db = AuthDb.load(file);
        assertEquals("pw", ((UserSecret.Plaintext) db.lookup("alice").orElseThrow()).password());
        assertEquals("x y", ((UserSecret.Plaintext) db.lookup("bob").orElseThrow()).password());
    }
}
