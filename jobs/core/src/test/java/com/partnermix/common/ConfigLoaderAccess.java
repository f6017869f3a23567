package com.partnermix.common;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Lets tests load a configuration with a fixed environment (no dependence on the caller's shell). */
public final class ConfigLoaderAccess {
    private ConfigLoaderAccess() {}

    public static PartnermixConfig load(Path file, List<String> overrides) {
        return ConfigLoader.load(file, overrides, Map.of());
    }

    public static PartnermixConfig load(Path file, List<String> overrides, Map<String, String> env) {
        return ConfigLoader.load(file, overrides, env);
    }
}
