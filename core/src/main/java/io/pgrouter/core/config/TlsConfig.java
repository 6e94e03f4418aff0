package io.pgrouter.core.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code tls { ciphers cert key }} block: TLS offered to clients.
 *
 * @param ciphers OpenSSL-style cipher list to offer, when set
 * @param cert PEM certificate chain
 * @param key PEM private key
 * @param location {@code file:line:column} of the block
 */
public record TlsConfig(Optional<String> ciphers, Path cert, Path key, String location) {
}
