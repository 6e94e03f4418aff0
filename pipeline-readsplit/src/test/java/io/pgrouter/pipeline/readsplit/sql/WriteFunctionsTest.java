package io.pgrouter.pipeline.readsplit.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The configurable list of write functions: qualification, case folding and quoting. */
class WriteFunctionsTest {

    private static final StatementClassifier CONFIGURED = new StatementClassifier(
            List.of("audit_write", "billing.charge", "\"CamelCase\"", "\"My Schema\".\"Do It\"", "Upper_Folded"));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "select audit_write(1)|PRIMARY",
            "select AUDIT_WRITE(1)|PRIMARY",
            "select any_schema.audit_write(1)|PRIMARY",
            "select \"audit_write\"(1)|PRIMARY",
            "select \"AUDIT_WRITE\"(1)|REPLICA",
            "select billing.charge(1)|PRIMARY",
            "select BILLING.Charge(1)|PRIMARY",
            "select charge(1)|PRIMARY",
            "select other.charge(1)|REPLICA",
            "select \"CamelCase\"()|PRIMARY",
            "select camelcase()|REPLICA",
            "select \"My Schema\".\"Do It\"()|PRIMARY",
            "select \"Do It\"()|PRIMARY",
            "select \"my schema\".\"Do It\"()|REPLICA",
            "select upper_folded()|PRIMARY",
            "select \"Upper_Folded\"()|REPLICA",
            "select audit_write_not(1)|REPLICA",
            "select audit_write from t|REPLICA",
            "select x from t where y = (select billing.charge(x))|PRIMARY",
    })
    void configuredFunctionsGoToThePrimary(String sql, Route route) {
        assertEquals(route, CONFIGURED.classify(sql).route(), sql);
    }

    @Test
    void configuredCallsHaveTheWriteFunctionReason() {
        assertEquals(RouteReason.WRITE_FUNCTION, CONFIGURED.classify("select audit_write(1)").reason());
    }

    @Test
    void theDefaultClassifierKnowsOnlyBuiltIns() {
        assertEquals(Route.REPLICA, new StatementClassifier().classify("select audit_write(1)").route());
    }

    @Test
    void builtInsStillMatchWhenAQualifiedEntryHasTheirName() {
        StatementClassifier classifier = new StatementClassifier(List.of("myschema.nextval"));
        assertEquals(Route.PRIMARY, classifier.classify("select other.nextval('s')").route());
    }

    @Test
    void theSameNameInSeveralSchemas() {
        StatementClassifier classifier = new StatementClassifier(List.of("a.f", "b.f"));
        assertEquals(Route.PRIMARY, classifier.classify("select a.f()").route());
        assertEquals(Route.PRIMARY, classifier.classify("select b.f()").route());
        assertEquals(Route.REPLICA, classifier.classify("select c.f()").route());
    }

    @Test
    void manyEntriesStillResolve() {
        List<String> many = java.util.stream.IntStream.range(0, 500).mapToObj(i -> "fn_" + i).toList();
        StatementClassifier classifier = new StatementClassifier(many);
        assertEquals(Route.PRIMARY, classifier.classify("select fn_0(), 1").route());
        assertEquals(Route.PRIMARY, classifier.classify("select fn_499()").route());
        assertEquals(Route.REPLICA, classifier.classify("select fn_500()").route());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a.", ".a", "a.b.c", "a b", "f()", "'f'", "\"unterminated", "\"\""})
    void invalidEntriesAreRejected(String entry) {
        assertThrows(IllegalArgumentException.class, () -> new StatementClassifier(List.of(entry)));
    }
}
