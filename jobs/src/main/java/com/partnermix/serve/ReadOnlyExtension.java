package com.partnermix.serve;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.DeltaLogFileIndex;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.Function1;
import scala.collection.JavaConverters;
import scala.runtime.BoxedUnit;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Makes the serve endpoint read-only ({@code spark.sql.extensions}): a check rule, run on every
 * analysed statement before it executes, refuses any command that is not a read (INSERT, CREATE,
 * DROP, ALTER, DELETE, UPDATE, MERGE, CACHE, ADD JAR, CREATE FUNCTION, ...) and any read of a table
 * version that is not the published one ({@code delta.`path`} would show a night that did not pass the
 * gate). The published views read exactly their pinned versions, so they pass. Only the server's own
 * session, which registers the views, is exempt.
 */
public final class ReadOnlyExtension implements Function1<SparkSessionExtensions, BoxedUnit> {

    /** Commands that only read the catalog or set session options (allow-list: anything new is refused). */
    static final Set<String> READ_COMMANDS = Set.of(
            "DescribeTableCommand", "DescribeRelation", "DescribeColumnCommand", "DescribeColumn",
            "DescribeDatabaseCommand", "DescribeNamespace", "DescribeFunctionCommand", "DescribeFunction",
            "DescribeQueryCommand", "ShowTablesCommand", "ShowTables", "ShowTableExtended", "ShowNamespaces",
            "ShowViews", "ShowViewsCommand", "ShowColumns", "ShowColumnsCommand", "ShowTableProperties",
            "ShowTablePropertiesCommand", "ShowCreateTable", "ShowCreateTableCommand", "ShowFunctions",
            "ShowFunctionsCommand", "ShowPartitions", "ShowPartitionsCommand", "ShowCatalogs", "ShowCatalogsCommand",
            "ShowCurrentNamespace", "ShowCurrentNamespaceCommand", "SetCommand", "ResetCommand",
            "SetCatalogAndNamespace", "SetNamespaceCommand", "SetCatalogCommand", "ExplainCommand");

    private static final Set<SparkSession> WRITERS = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /** {@code <Delta data path>@<version>} of every published table: the only table reads allowed. */
    private static volatile Set<String> published = Set.of();

    /** Called by the catalog refresh with the pins it serves. */
    static void publish(Set<String> pins) {
        published = Set.copyOf(pins);
    }

    static Set<String> published() {
        return published;
    }

    static String pin(String deltaDataPath, long version) {
        return deltaDataPath + "@" + version;
    }

    /** The server's own session, which (re)registers the published views. JDBC sessions are never added. */
    public static void allowWrites(SparkSession session) {
        WRITERS.add(session);
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectCheckRule(session -> plan -> {
            if (!WRITERS.contains(session)) {
                String refusal = refusal(plan);
                if (refusal != null) {
                    throw new UnsupportedOperationException(refusal);
                }
            }
            return BoxedUnit.UNIT;
        });
        return BoxedUnit.UNIT;
    }

    /** @return why the statement is refused; null: it only reads published data */
    static String refusal(LogicalPlan plan) {
        String name = plan.getClass().getSimpleName();
        if (plan instanceof Command || name.startsWith("InsertInto")) {
            return READ_COMMANDS.contains(name) ? null
                    : "partnermix serve is read-only: " + name + " refused. The endpoint serves the published "
                    + "gold and dq tables for reading; the warehouse is written only by the nightly jobs.";
        }
        if (plan instanceof LogicalRelation || plan instanceof DataSourceV2Relation || plan instanceof HiveTableRelation) {
            return publishedPin(plan) || deltaLogRead(plan) ? null
                    : "partnermix serve reads only the published tables (gold.<table>, dq.check_results): this read is "
                    + "refused, it could show a version that did not pass the data-quality gate.";
        }
        for (Expression expression : JavaConverters.seqAsJavaList(plan.expressions())) {
            String found = refusal(expression);
            if (found != null) {
                return found;
            }
        }
        for (LogicalPlan child : JavaConverters.seqAsJavaList(plan.children())) {
            String found = refusal(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** A Delta read time-travelled to a published version (what the views do). */
    private static boolean publishedPin(LogicalPlan plan) {
        return plan instanceof LogicalRelation relation
                && relation.relation() instanceof HadoopFsRelation files
                && files.location() instanceof TahoeLogFileIndex index
                && index.isTimeTravelQuery()
                && published.contains(pin(index.deltaLog().dataPath().toString(), index.version()));
    }

    /**
     * Delta reading a table's own transaction log (its JSON commits and checkpoints) to find a version's files:
     * runs in the querying session, so the rule sees it too. SQL cannot build this relation.
     */
    private static boolean deltaLogRead(LogicalPlan plan) {
        return plan instanceof LogicalRelation relation
                && relation.relation() instanceof HadoopFsRelation files
                && files.location() instanceof DeltaLogFileIndex;
    }

    private static String refusal(Expression expression) {
        if (expression instanceof CallMethodViaReflection) {
            // reflect()/java_method() call any static Java method in the server (System.exit, ...).
            return "partnermix serve is read-only: reflect()/java_method() refused.";
        }
        if (expression instanceof SubqueryExpression subquery) {
            String found = refusal(subquery.plan());
            if (found != null) {
                return found;
            }
        }
        for (Expression child : JavaConverters.seqAsJavaList(expression.children())) {
            String found = refusal(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
