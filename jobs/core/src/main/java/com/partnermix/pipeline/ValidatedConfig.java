package com.partnermix.pipeline;

import com.partnermix.attribution.CreditModels;
import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.fraud.FraudRules;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration as every job gets it: loaded ({@link ConfigLoader}), then checked once against the registries
 * of the credit models and the fraud rules. The check lives here, not in {@code common}, because the registries
 * belong to their stages and {@code common} sits below every stage.
 */
public final class ValidatedConfig {

    private ValidatedConfig() {}

    /** @throws IllegalArgumentException naming every problem: an unknown model, a rule's missing or unknown setting */
    public static PartnermixConfig load(Path file, List<String> overrides) {
        return checked(ConfigLoader.load(file, overrides));
    }

    /** The same configuration, once the registries accept it. */
    public static PartnermixConfig checked(PartnermixConfig config) {
        CreditModels.requireKnown(config.attribution().models());
        FraudRules.validate(config.fraud());
        return config;
    }
}
