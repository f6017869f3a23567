package com.partnermix.maintain;

import com.partnermix.common.Table;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a maintenance run did, table by table. */
public record MaintenanceReport(LocalDate date, List<TableMaintenance.Result> tables, List<Table> missing,
                                List<ScratchCheckpoints.Removed> checkpoints) {

    public long filesDeleted() {
        return tables.stream().mapToLong(TableMaintenance.Result::filesDeleted).sum();
    }

    public long bytesDeleted() {
        return tables.stream().mapToLong(TableMaintenance.Result::bytesDeleted).sum();
    }

    public TableMaintenance.Result table(Table table) {
        return tables.stream().filter(t -> t.table().equals(table)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(table + " was not maintained"));
    }

    public String format() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "maintain %s: %d tables maintained, %d not written yet (skipped); live files %,d -> %,d; %,d files "
                        + "(%s) deleted from storage; scratch checkpoints: %d run folders deleted (%s)%n",
                date, tables.size(), missing.size(), tables.stream().mapToLong(TableMaintenance.Result::liveBefore).sum(),
                tables.stream().mapToLong(TableMaintenance.Result::liveAfter).sum(), filesDeleted(),
                size(bytesDeleted()), checkpoints.size(),
                size(checkpoints.stream().mapToLong(ScratchCheckpoints.Removed::bytes).sum())));
        out.append(String.format("  %-28s %-44s %13s %15s %22s %8s %8s  %s%n", "table", "optimize", "live files",
                "stored files", "deleted", "retain", "seconds", "published versions kept"));
        for (TableMaintenance.Result t : tables) {
            out.append(String.format(Locale.ROOT, "  %-28s %-44s %13s %15s %22s %6d h %8.1f  %s%n", t.table(), t.optimize(),
                    t.liveBefore() + " -> " + t.liveAfter(), t.storedBefore() + " -> " + t.storedAfter(),
                    t.filesDeleted() + " (" + size(t.bytesDeleted()) + ")", t.retentionHours(), t.seconds(),
                    t.keptVersions().isEmpty() ? "-" : t.keptVersions().toString()));
        }
        tables.forEach(t -> t.notes().forEach(n -> out.append("  note: ").append(n).append(System.lineSeparator())));
        checkpoints.forEach(c -> out.append(String.format(Locale.ROOT, "  checkpoints: deleted %s (%d files, %s)%n",
                c.folder(), c.files(), size(c.bytes()))));
        if (!missing.isEmpty()) {
            out.append("  not written yet: ").append(missing.stream().map(Table::toString)
                    .collect(Collectors.joining(", "))).append(System.lineSeparator());
        }
        return out.toString();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
