package io.pgrouter.pipeline.readsplit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.testkit.FakeSession;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code readsplit} block's consistency settings, and their errors at the right place. */
class ReadsplitPipelineFactoryTest {
    private static final PipelineContext CONTEXT = () -> () -> FakeSession.snapshot(1, FakeSession.PRIMARY);

    private static PluginConfig block(String key, String value) {
        return new PluginConfig("readsplit", "pgrouter.conf:7:1", Map.of(key, new Setting(value, "pgrouter.conf:8:15")));
    }

    @Test
    void consistencySettingsAreAccepted() {
        assertNotNull(new ReadsplitPipelineFactory().create(block("consistency", "strong"), CONTEXT));
        assertNotNull(new ReadsplitPipelineFactory().create(block("consistency_wait", "20ms"), CONTEXT));
    }

    @Test
    void badValuesPointAtTheirPlace() {
        ConfigException mode = assertThrows(ConfigException.class,
                () -> new ReadsplitPipelineFactory().create(block("consistency", "sometimes"), CONTEXT));
        assertEquals("pgrouter.conf:8:15", mode.location());
        assertTrue(mode.getMessage().contains("eventual, session or strong"), mode.getMessage());
        ConfigException wait = assertThrows(ConfigException.class,
                () -> new ReadsplitPipelineFactory().create(block("consistency_wait", "2h"), CONTEXT));
        assertTrue(wait.getMessage().contains("between 0 and 1m"), wait.getMessage());
        assertThrows(ConfigException.class,
                () -> new ReadsplitPipelineFactory().create(block("consistency_wait", "soon"), CONTEXT));
    }

    @Test
    void failoverWaitIsADurationUpToTenMinutes() {
        assertNotNull(new ReadsplitPipelineFactory().create(block("failover_wait", "0"), CONTEXT));
        assertNotNull(new ReadsplitPipelineFactory().create(block("failover_wait", "45s"), CONTEXT));
        ConfigException tooLong = assertThrows(ConfigException.class,
                () -> new ReadsplitPipelineFactory().create(block("failover_wait", "1h"), CONTEXT));
        assertEquals("pgrouter.conf:8:15", tooLong.location());
        assertTrue(tooLong.getMessage().contains("between 0 and 10m"), tooLong.getMessage());
        ConfigException notADuration = assertThrows(ConfigException.class,
                () -> new ReadsplitPipelineFactory().create(block("failover_wait", "a while"), CONTEXT));
        assertTrue(notADuration.getMessage().contains("failover_wait: expected a duration"), notADuration.getMessage());
    }
}
