package com.partnermix.serve;

import com.partnermix.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What serve refuses before it starts anything (exit code 2, a clear message), and how users are added. */
class ServeStartupTest {

    @TempDir
    Path tmp;

    @Test
    void refusesToListenBeyondLoopbackWithoutAuthentication() {
        for (String host : List.of("0.0.0.0", "192.0.2.10")) {
            Run run = serve(null, "serve.host=" + host, "serve.auth=none");
            assertEquals(2, run.code, run.err);
            assertTrue(run.err.contains("serve.auth is none"), run.err);
            assertTrue(run.err.contains("serve.auth: password"), run.err);
        }
    }

    @Test
    void refusesPasswordAuthenticationWithoutAUserAndAnUnknownMode() {
        Run noUser = serve(null, "serve.auth=password", "serve.password_file=" + tmp.resolve("missing"));
        assertEquals(2, noUser.code, noUser.err);
        assertTrue(noUser.err.contains("holds no user"), noUser.err);
        Run unknown = serve(null, "serve.auth=kerberos");
        assertEquals(2, unknown.code, unknown.err);
        assertTrue(unknown.err.contains("serve.auth must be none or password"), unknown.err);
    }

    @Test
    void addsUsersWithSaltedHashesOnly() throws Exception {
        Path file = tmp.resolve("users");
        Run added = serve("a long enough password\n", "serve.password_file=" + file, "--add-user", "alice");
        assertEquals(0, added.code, added.err);
        Run second = serve("another long password\n", "serve.password_file=" + file, "--add-user", "bob");
        assertEquals(0, second.code, second.err);
        String content = Files.readString(file);
        assertFalse(content.contains("long enough"), "a password stored as text");
        assertTrue(content.startsWith("alice:pbkdf2-sha256:600000:"), content);
        assertTrue(PasswordFile.verify(file, "alice", "a long enough password"));
        assertTrue(PasswordFile.verify(file, "bob", "another long password"));
        assertFalse(PasswordFile.verify(file, "alice", "another long password"));
        assertFalse(PasswordFile.verify(file, "carol", "a long enough password"));
        assertFalse(PasswordFile.verify(file, "alice:pbkdf2-sha256", "a long enough password"));
        // A new password replaces the old one; a short one is refused.
        assertEquals(0, serve("a replaced password\n", "serve.password_file=" + file, "--add-user", "alice").code);
        assertFalse(PasswordFile.verify(file, "alice", "a long enough password"));
        assertTrue(PasswordFile.verify(file, "alice", "a replaced password"));
        Run shortPassword = serve("short\n", "serve.password_file=" + file, "--add-user", "dave");
        assertEquals(2, shortPassword.code);
        assertTrue(shortPassword.err.contains("at least 12 characters"), shortPassword.err);
        assertEquals(2, PasswordFile.users(file));
    }

    private record Run(int code, String err) {}

    /** Runs {@code partnermix serve} in this JVM with overrides (key=value) and options (--x value). */
    private Run serve(String stdin, String... arguments) {
        List<String> argv = new ArrayList<>(List.of("serve", "--conf", "conf/local.yaml",
                "--set", "paths.warehouse=" + tmp.resolve("warehouse")));
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i].startsWith("--")) {
                argv.add(arguments[i]);
                argv.add(arguments[++i]);
            } else {
                argv.add("--set");
                argv.add(arguments[i]);
            }
        }
        InputStream in = System.in;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code = Main.execute(argv.toArray(String[]::new));
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setErr(err);
        }
    }
}
