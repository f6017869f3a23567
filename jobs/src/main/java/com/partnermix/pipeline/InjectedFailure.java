package com.partnermix.pipeline;

import com.partnermix.common.PartnermixConfig;

/**
 * TEST-ONLY: the crash the reliability suite injects with {@code testing.fail_after_stage}. Thrown right after
 * the named stage committed its writes, the way a killed job or a lost driver leaves a night half done.
 */
public final class InjectedFailure extends RuntimeException {

    public InjectedFailure(String stage) {
        super("injected failure after stage " + stage + " (testing.fail_after_stage; test-only, never set it in production)");
    }

    /** Throws when the configuration asks for a failure after {@code stage}. */
    public static void after(PartnermixConfig config, String stage) {
        if (stage.equals(config.testing().failAfterStage())) {
            throw new InjectedFailure(stage);
        }
    }
}
