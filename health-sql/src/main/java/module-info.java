/**
 * Health checks over SQL: {@code health { method sql }}, the default. Asks each backend with
 * pgjdbc whether it is in recovery and how far its WAL has got. PostgreSQL 12 and newer.
 */
module io.pgrouter.health.sql {
    requires io.pgrouter.spi;
    requires java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;

    provides io.pgrouter.spi.health.HealthCheckFactory with io.pgrouter.health.sql.SqlHealthCheckFactory;
}
