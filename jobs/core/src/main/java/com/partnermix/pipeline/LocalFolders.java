package com.partnermix.pipeline;

import com.partnermix.common.RunStoppedException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Wiping of local scratch folders (demo and benchmark only; never used on object storage). */
public final class LocalFolders {

    private LocalFolders() {}

    public static Path localPath(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            throw new RunStoppedException("refusing to wipe " + location + ": demo and bench only use local folders");
        }
        return Path.of(uri.getPath()).toAbsolutePath().normalize();
    }

    public static void wipe(String location) {
        Path path = localPath(location);
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new RunStoppedException("cannot wipe " + path + ": " + e.getMessage(), e);
        }
    }
}
