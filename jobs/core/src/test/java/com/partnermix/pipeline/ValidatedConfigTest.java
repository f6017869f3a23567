package com.partnermix.pipeline;

import com.partnermix.testing.Launcher;
import com.partnermix.testing.Launcher.Output;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration is checked once, when the launcher loads it: a job never starts on settings it cannot use. */
class ValidatedConfigTest {

    @Test
    void aBadFraudRuleSettingStopsEverySubcommandAtLoadNamingTheSetting() {
        // ingest does not run the fraud rules, yet the configuration it was given is refused as a whole
        Output out = Launcher.run("ingest", "--date", "2026-11-20", "--set", "fraud.rules.stand_down.severity=urgent");
        assertEquals(2, out.code(), out.err());
        assertTrue(out.err().contains("fraud settings: fraud.rules.stand_down needs severity low|medium|high and action "
                + "flag|withhold|reassign, got urgent/reassign"), out.err());
    }

    @Test
    void anUnknownCreditModelStopsTheLauncherAtLoad() {
        Output out = Launcher.run("journeys", "--date", "2026-11-20", "--set", "attribution.models=[last_click, last_touch]");
        assertEquals(2, out.code(), out.err());
        assertTrue(out.err().contains("attribution.models: unknown model 'last_touch'"), out.err());
    }
}
