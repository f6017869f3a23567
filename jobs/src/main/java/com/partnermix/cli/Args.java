package com.partnermix.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Command line of one job: {@code <subcommand> --date YYYY-MM-DD --conf FILE [--set key=value]...}
 * plus the subcommand's own {@code --name value} options and {@code --flag}s.
 */
public record Args(String command, LocalDate date, String conf, List<String> overrides, Map<String, String> options) {

    public static Args parse(String[] argv) {
        if (argv.length == 0) {
            throw new UsageException("no subcommand given");
        }
        String command = argv[0];
        LocalDate date = null;
        String conf = null;
        List<String> overrides = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("set")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            }
            switch (name) {
                case "date" -> date = parseDate(require(name, value));
                case "conf" -> conf = require(name, value);
                case "set" -> overrides.add(require(name, value));
                default -> options.put(name, value == null ? "true" : value);
            }
        }
        return new Args(command, date, conf, List.copyOf(overrides), options);
    }

    private static String require(String name, String value) {
        if (value == null) {
            throw new UsageException("--" + name + " needs a value");
        }
        return value;
    }

    private static LocalDate parseDate(String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new UsageException("--date must be YYYY-MM-DD, got '" + text + "'");
        }
    }

    public LocalDate requireDate() {
        if (date == null) {
            throw new UsageException(command + " needs --date YYYY-MM-DD (the run date; jobs never assume today)");
        }
        return date;
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public int intOption(String name, int fallback) {
        return option(name).map(v -> parseNumber(name, v)).map(Long::intValue).orElse(fallback);
    }

    public long longOption(String name, long fallback) {
        return option(name).map(v -> parseNumber(name, v)).orElse(fallback);
    }

    public boolean flag(String name) {
        return option(name).map(Boolean::parseBoolean).orElse(false);
    }

    private static long parseNumber(String name, String value) {
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    /** A mistake on the command line: printed with the usage, exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
