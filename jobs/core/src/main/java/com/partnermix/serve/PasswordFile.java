package com.partnermix.serve;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The users of the SQL endpoint ({@code serve.auth: password}): one line per user,
 * {@code name:pbkdf2-sha256:<iterations>:<salt, base64>:<hash, base64>}. Passwords are never stored, only a salted
 * PBKDF2-HMAC-SHA256 hash, compared in constant time. Lines starting with # are comments.
 */
public final class PasswordFile {

    static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023); each login costs one hash. */
    static final int ITERATIONS = 600_000;
    static final int MIN_PASSWORD_LENGTH = 12;
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Hashed when the user is unknown, so a wrong name takes as long as a wrong password. */
    private static final String DUMMY = entry("-", "-".toCharArray(), ITERATIONS).substring(2);

    private PasswordFile() {}

    /** Adds the user or replaces its password; the file is created readable by its owner only. */
    public static void put(Path file, String user, char[] password) throws IOException {
        if (!USER_NAME.matcher(user).matches()) {
            throw new IllegalArgumentException("a user name is 1-64 characters of A-Z a-z 0-9 _ . @ -, got '" + user + "'");
        }
        if (password.length < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        List<String> lines = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.startsWith(user + ":")) {   // the names are checked: no colon in them
                    lines.add(line);
                }
            }
        }
        lines.add(entry(user, password, ITERATIONS));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path next = Files.createTempFile(parent, ".serve-users", ".tmp");
        try {
            setOwnerOnly(next);
            Files.write(next, lines, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(next);
        }
    }

    /** @return whether {@code password} is the password of {@code user} in the file (false for an unknown user) */
    public static boolean verify(Path file, String user, String password) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("serve: cannot read the password file " + file, e);
        }
        String stored = null;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (user != null && !line.startsWith("#") && colon > 0 && line.substring(0, colon).equals(user)) {
                stored = line.substring(colon + 1);
            }
        }
        boolean known = stored != null;
        boolean matches = matches(known ? stored : DUMMY, password == null ? "" : password);
        return known && matches;
    }

    /** @return how many users the file holds (0 when it is missing) */
    public static int users(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        return (int) Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).count();
    }

    static String entry(String user, char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":" + SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(hash(password, salt, iterations));
    }

    private static boolean matches(String stored, String password) {
        String[] parts = stored.split(":");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            char[] chars = password.toCharArray();
            try {
                return MessageDigest.isEqual(expected, hash(chars, salt, iterations));   // constant time
            } finally {
                Arrays.fill(chars, '\0');
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] hash(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's permissions protect it
        }
    }
}
