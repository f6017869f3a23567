package com.partnermix.ingest;

import com.partnermix.cli.Main;
import com.partnermix.common.ConfigLoaderAccess;
import com.partnermix.common.PartnermixConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public demo salt hashes personal data only in the embedded demo; an empty salt never. */
class SaltPolicyTest {

    private static final String HOME = "/srv/pm";
    private static final String DEMO = PartnermixConfig.Privacy.DEMO_SALT;

    private static PartnermixConfig local(Map<String, String> env, String... overrides) {
        return ConfigLoaderAccess.load(Path.of("conf/local.yaml"), List.of(overrides), env);
    }

    private static String refusal(PartnermixConfig config) {
        return assertThrows(IllegalArgumentException.class, () -> config.privacy().saltFor(config.paths(), HOME))
                .getMessage();
    }

    @Test
    void theEmbeddedDemoMayUseTheDemoSalt() {
        PartnermixConfig config = local(Map.of("PARTNERMIX_HOME", HOME));
        assertEquals(DEMO, config.privacy().saltFor(config.paths(), HOME));
    }

    @Test
    void theDemoSaltIsRefusedForFoldersOutsideTheEmbeddedVarFolders() {
        String message = refusal(local(Map.of("PARTNERMIX_HOME", HOME), "paths.warehouse=/data/prod/warehouse"));
        assertTrue(message.contains("demo salt") && message.contains("/data/prod/warehouse")
                && message.contains("PARTNERMIX_SALT"), message);
        assertTrue(refusal(local(Map.of("PARTNERMIX_HOME", HOME), "paths.landing=s3a://landing/feeds"))
                .contains("s3a://landing/feeds"));
        assertTrue(refusal(local(Map.of("PARTNERMIX_HOME", HOME), "paths.warehouse=/srv/pm/var/../../etc/wh"))
                .contains("demo salt"));
    }

    @Test
    void theDagAndClusterConfigurationsRefuseTheDemoSalt() {
        // the DAG passes privacy.allow_demo_salt=false; a cluster configuration inherits false from business.yaml
        String dag = refusal(local(Map.of("PARTNERMIX_HOME", HOME), "privacy.allow_demo_salt=false"));
        assertTrue(dag.contains("allow_demo_salt") && dag.contains("PARTNERMIX_SALT"), dag);
        PartnermixConfig cluster = ConfigLoaderAccess.load(Path.of("conf/cluster.example.yaml"), List.of(),
                Map.of("PARTNERMIX_SALT", DEMO));
        assertTrue(refusal(cluster).contains("allow_demo_salt"));
        PartnermixConfig real = ConfigLoaderAccess.load(Path.of("conf/cluster.example.yaml"), List.of(),
                Map.of("PARTNERMIX_SALT", "9c1e0d..a-real-secret"));
        assertEquals("9c1e0d..a-real-secret", real.privacy().saltFor(real.paths(), HOME));
    }

    @Test
    void anEmptySaltIsRefusedEverywhere() {
        String message = refusal(local(Map.of("PARTNERMIX_HOME", HOME), "privacy.salt="));
        assertTrue(message.contains("empty") && message.contains("PARTNERMIX_SALT"), message);
        // an empty PARTNERMIX_SALT counts as unset: the cluster configuration has no fallback at all
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoaderAccess.load(
                Path.of("conf/cluster.example.yaml"), List.of(), Map.of("PARTNERMIX_SALT", "")));
        assertTrue(e.getMessage().contains("PARTNERMIX_SALT"), e.getMessage());
    }

    @Test
    void theIngestSubcommandStopsWithAConfigurationErrorBeforeStartingSpark() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(new String[] {"ingest", "--date", "2026-11-20", "--conf", "conf/local.yaml",
                    "--set", "privacy.salt=" + DEMO, "--set", "paths.warehouse=/tmp/partnermix-salt-test/warehouse"});
        } finally {
            System.setErr(original);
        }
        assertEquals(2, code);   // a configuration error: the DAG does not retry it
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("partnermix ingest: privacy.salt is the public demo salt"), message);
    }
}
