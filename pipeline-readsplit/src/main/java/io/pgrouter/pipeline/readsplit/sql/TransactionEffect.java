package io.pgrouter.pipeline.readsplit.sql;

/** What a text does to the session's transaction by its own transaction control statements. */
public enum TransactionEffect {
    /** No BEGIN, COMMIT or ROLLBACK: the transaction status stays as it was (autocommit stays autocommit). */
    NONE,
    /** It ends with a transaction open: a BEGIN (or COMMIT AND CHAIN) after its last COMMIT/ROLLBACK. */
    OPENS,
    /** It ends a transaction and begins none after: the session is idle afterwards (when it succeeds). */
    CLOSES;

    /** One statement's effect. */
    static TransactionEffect of(boolean begins, boolean ends) {
        return begins ? OPENS : ends ? CLOSES : NONE;
    }

    /** This effect followed by {@code next}'s: the last statement that touches the transaction decides. */
    public TransactionEffect then(TransactionEffect next) {
        return next == NONE ? this : next;
    }
}
