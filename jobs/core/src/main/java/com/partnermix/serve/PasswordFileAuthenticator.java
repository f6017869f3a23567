package com.partnermix.serve;

import org.apache.hive.service.auth.PasswdAuthenticationProvider;

import javax.security.sasl.AuthenticationException;
import java.nio.file.Path;

/**
 * HiveServer2's CUSTOM authentication ({@code hive.server2.authentication=CUSTOM}): the user name and password
 * a JDBC/ODBC client sends (SASL PLAIN) are checked against {@link PasswordFile}. Hive creates one instance per
 * login with no way to pass it settings, so serve names the file once, at start ({@link #use}); the file is read
 * at each login, so a user added with {@code serve --add-user} can log in without a restart.
 */
public final class PasswordFileAuthenticator implements PasswdAuthenticationProvider {

    private static volatile Path file;

    static void use(Path passwordFile) {
        file = passwordFile;
    }

    @Override
    public void Authenticate(String user, String password) throws AuthenticationException {
        Path current = file;
        if (current == null) {
            throw new AuthenticationException("partnermix serve: no password file configured");
        }
        boolean ok;
        try {
            ok = PasswordFile.verify(current, user, password);
        } catch (RuntimeException e) {
            throw new AuthenticationException("partnermix serve: cannot check the password", e);
        }
        if (!ok) {
            throw new AuthenticationException("partnermix serve: wrong user name or password");
        }
    }
}
