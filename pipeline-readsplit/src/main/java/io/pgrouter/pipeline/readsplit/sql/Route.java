package io.pgrouter.pipeline.readsplit.sql;

/** Where a statement may run. */
public enum Route {
    /** Read-only: any replica within its lag threshold may run it (or the primary, if none can). */
    REPLICA,
    /** Writes, transactions, session effects or anything unsure: only the primary may run it. */
    PRIMARY
}
