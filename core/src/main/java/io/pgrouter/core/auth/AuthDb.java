package io.pgrouter.core.auth;

import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The authdb file: who may log in and with what secret. One user per line, {@code USER SECRET},
 * each a bare word or a double-quoted string ({@code ""} for a quote), as PgBouncer's
 * userlist.txt; {@code #} comments and blank lines are ignored. SECRET is classified as
 * PostgreSQL classifies rolpassword: a SCRAM-SHA-256 verifier, an md5 hash, or else a plaintext
 * password.
 *
 * <p>Immutable: a reload builds a new instance with {@link #load(Path)} and swaps it in whole, so
 * sessions in flight keep the one they started with and readers never lock.
 */
public final class AuthDb {
    private final Map<String, UserSecret> users;

    private AuthDb(Map<String, UserSecret> users) {
        this.users = Map.copyOf(users);
    }

    /** Reads and checks the file; every problem is a {@link ConfigException} at {@code file:line:column}. */
    public static AuthDb load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read authdb: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses authdb text; {@code fileName} only names the source in errors. */
    public static AuthDb parse(String text, String fileName) {
        Map<String, UserSecret> users = new HashMap<>();
        Map<String, Integer> definedAt = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            List<ConfigLine.Field> fields = ConfigLine.split(fileName, lineNumber, lines[i], false);
            if (fields.isEmpty()) {
                continue;
            }
            ConfigLine.Item user = fields.get(0).single();
            if (user.text().isEmpty()) {
                throw ConfigLine.error(fileName, lineNumber, user.column(), "user name is empty");
            }
            if (fields.size() < 2) {
                throw ConfigLine.error(fileName, lineNumber, fields.get(0).endColumn(),
                        "missing secret for user \"" + user.text() + "\"");
            }
            if (fields.size() > 2) {
                throw ConfigLine.error(fileName, lineNumber, fields.get(2).column(),
                        "unexpected text after the secret (quote a secret that contains blanks)");
            }
            ConfigLine.Item secret = fields.get(1).single();
            if (secret.text().isEmpty()) {
                throw ConfigLine.error(fileName, lineNumber, secret.column(), "empty secret");
            }
            Integer previous = definedAt.putIfAbsent(user.text(), lineNumber);
            if (previous != null) {
                throw ConfigLine.error(fileName, lineNumber, user.column(),
                        "user \"" + user.text() + "\" already defined on line " + previous);
            }
            users.put(user.text(), classify(secret, fileName, lineNumber));
        }
        return new AuthDb(users);
    }

    private static UserSecret classify(ConfigLine.Item secret, String fileName, int lineNumber) {
        try {
            return UserSecret.of(secret.text());
        } catch (ScramVerifier.FormatException e) {
            // Exact when unquoted; a quoted verifier is off by the opening quote, so count it.
            int column = secret.column() + (secret.quoted() ? 1 : 0) + e.offset();
            throw ConfigLine.error(fileName, lineNumber, column, e.getMessage());
        }
    }

    public Optional<UserSecret> lookup(String user) {
        return Optional.ofNullable(users.get(user));
    }

    public int size() {
        return users.size();
    }

    @Override
    public String toString() {
        return "AuthDb[" + users.size() + " users]";
    }
}
