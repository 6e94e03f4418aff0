package io.pgrouter.core.auth;

import java.util.Locale;

/** The authentication methods an hba rule can name. */
public enum HbaMethod {
    /** Let in without a password. */
    TRUST("trust"),
    /** Refuse (also what no matching rule means). */
    REJECT("reject"),
    /** Cleartext password (only sensible over TLS). */
    PASSWORD("password"),
    /** md5 challenge; a user whose secret is a SCRAM verifier gets SCRAM instead, as in PostgreSQL. */
    MD5("md5"),
    /** SCRAM-SHA-256, with SCRAM-SHA-256-PLUS offered over TLS. */
    SCRAM_SHA_256("scram-sha-256");

    private final String configName;

    HbaMethod(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The method for a config word, or null. */
    static HbaMethod forName(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        for (HbaMethod m : values()) {
            if (m.configName.equals(lower)) {
                return m;
            }
        }
        return null;
    }
}
