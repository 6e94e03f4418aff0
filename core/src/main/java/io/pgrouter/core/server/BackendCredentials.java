package io.pgrouter.core.server;

import java.util.Optional;

/**
 * The secrets pgrouter uses to log into backends on a client's behalf. Until pgrouter's own
 * authentication and authdb land it holds none: logins then work against backends that trust
 * pgrouter (a password request fails the login with a clear error).
 */
@FunctionalInterface
interface BackendCredentials {
    BackendCredentials NONE = user -> Optional.empty();

    /** The plaintext password of a user, when known. */
    Optional<String> password(String user);
}
