package com.partnermix.serve;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.analysis.ExpressionWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.PlanWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableOrView;
import org.apache.spark.sql.catalyst.analysis.UnresolvedView;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.xml.XPathExtract;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ScriptTransformation;
import org.apache.spark.sql.catalyst.plans.logical.ShowColumns;
import org.apache.spark.sql.delta.DeltaLogFileIndex;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.execution.command.ResetCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.internal.SQLConf;
import scala.Function1;
import scala.Option;
import scala.Product;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.runtime.BoxedUnit;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;

/**
 * Makes the serve endpoint read-only ({@code spark.sql.extensions}), in two places, for every session but the
 * server's own (which registers the published views):
 * <ul>
 *   <li>the parser ({@link GuardedParser}) sees each statement a client sends before anything is analysed, so
 *       before Spark looks at a file: only queries and catalog browsing of the published databases pass
 *       ({@link #parsedRefusal}); path-based tables ({@code delta.`/p`}, {@code csv.`/p`}, ...), other catalogs
 *       and databases, time travel, {@code IDENTIFIER(...)}, script transformation, reflection and the xpath
 *       functions are refused, and SET only on an allow-list of harmless keys. The published views' own bodies
 *       (which read {@code delta.`<path>` VERSION AS OF n}) are parsed by the catalog through
 *       {@code parseQuery}, never {@code parsePlan}, and pass;</li>
 *   <li>a check rule on every analysed plan before it executes ({@link #refusal}): no command but reads, no script
 *       transformation anywhere (views included), no relation but the published versions.</li>
 * </ul>
 */
public final class ReadOnlyExtension implements Function1<SparkSessionExtensions, BoxedUnit> {

    /** Session settings a client may SET (or read): they change how results are shown, never what is read. */
    static final Set<String> SESSION_SETTINGS = Set.of("spark.sql.session.timeZone", "spark.sql.ansi.enabled");

    /** The databases the endpoint serves (and default, where a client starts). */
    static final Set<String> DATABASES = Set.of("gold", "dq", "default");

    /** Analysed commands that only read the catalog or set session options (allow-list: anything new is refused). */
    static final Set<String> READ_COMMANDS = Set.of(
            "DescribeTableCommand", "DescribeRelation", "DescribeColumnCommand", "DescribeColumn",
            "DescribeDatabaseCommand", "DescribeNamespace", "DescribeFunctionCommand", "DescribeFunction",
            "DescribeQueryCommand", "ShowTablesCommand", "ShowTables", "ShowTableExtended", "ShowNamespaces",
            "ShowViews", "ShowViewsCommand", "ShowColumns", "ShowColumnsCommand", "ShowTableProperties",
            "ShowTablePropertiesCommand", "ShowCreateTable", "ShowCreateTableCommand", "ShowFunctions",
            "ShowFunctionsCommand", "ShowPartitions", "ShowPartitionsCommand", "ShowCatalogs", "ShowCatalogsCommand",
            "ShowCurrentNamespace", "ShowCurrentNamespaceCommand", "SetCommand", "ResetCommand",
            "SetCatalogAndNamespace", "SetNamespaceCommand", "ExplainCommand");

    /** Statements as parsed that a client may send besides queries (then checked again once analysed). */
    static final Set<String> PARSED_READ_COMMANDS = Set.of(
            "DescribeRelation", "DescribeColumn", "DescribeNamespace", "DescribeFunction", "DescribeQueryCommand",
            "ShowTables", "ShowTableExtended", "ShowNamespaces", "ShowViews", "ShowColumns", "ShowTableProperties",
            "ShowCreateTable", "ShowFunctions", "ShowPartitions", "ShowCatalogs", "ShowCatalogsCommand",
            "ShowCurrentNamespace", "ShowCurrentNamespaceCommand", "SetCommand", "ResetCommand",
            "SetCatalogAndNamespace", "ExplainCommand");

    /** The parsed plan nodes of a query (allow-list: a statement holding any other node is refused). */
    static final Set<String> PARSED_QUERY_NODES = Set.of(
            "Project", "Filter", "Aggregate", "Join", "LateralJoin", "Sort", "GlobalLimit", "LocalLimit", "Offset",
            "Tail", "Distinct", "Deduplicate", "Union", "Intersect", "Except", "UnresolvedWith", "SubqueryAlias",
            "UnresolvedRelation", "OneRowRelation", "LocalRelation", "UnresolvedInlineTable", "WithWindowDefinition",
            "Window", "Generate", "UnresolvedHint", "Pivot", "Unpivot", "Sample", "RepartitionByExpression",
            "Repartition", "RebalancePartitions", "Range", "UnresolvedTableValuedFunction", "UnresolvedTVFAliases",
            "UnresolvedSubqueryColumnAliases", "UnresolvedHaving",
            // the names read commands point at, checked like table names
            "UnresolvedTableOrView", "UnresolvedTable", "UnresolvedView", "UnresolvedNamespace",
            "UnresolvedIdentifier", "UnresolvedFunctionName", "UnresolvedPartitionSpec", "CurrentNamespace");

    /** Functions refused by name (reflection runs any static Java method; XML documents can name files). */
    static final Set<String> REFUSED_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect", "xpath",
            "xpath_boolean", "xpath_double", "xpath_float", "xpath_int", "xpath_long", "xpath_number",
            "xpath_short", "xpath_string");

    static final String READ_ONLY = "partnermix serve is read-only: %s refused. The endpoint serves the published "
            + "gold and dq tables for reading; the warehouse is written only by the nightly jobs.";
    static final String BY_NAME = "partnermix serve reads only the published tables (gold.<table>, dq.check_results), "
            + "by name: path-based tables (delta.`...`, parquet.`...`, csv.`...`), other catalogs and other "
            + "databases are refused.";
    static final String SCRIPT = "partnermix serve is read-only: script transformation (TRANSFORM ... USING) "
            + "refused: it would run a program on the server.";
    static final String TIME_TRAVEL = "partnermix serve reads only the published tables (gold.<table>, "
            + "dq.check_results) at their published version: time travel (VERSION AS OF, TIMESTAMP AS OF) is refused.";
    static final String IDENTIFIER = "partnermix serve refuses IDENTIFIER(...): name the table in the statement "
            + "(gold.<table>).";
    static final String REFLECTION = "partnermix serve is read-only: reflect()/java_method() refused.";
    static final String XPATH = "partnermix serve refuses the xpath functions (an XML document can make the "
            + "server read a file).";
    static final String SET = "partnermix serve refuses this SET: a session may set or read only "
            + String.join(" and ", new TreeSet<>(SESSION_SETTINGS)) + " (listing the settings is refused too).";
    static final String HIVE_FUNCTION = "partnermix serve refuses Hive functions (UDF, UDTF).";

    private static final Set<SparkSession> WRITERS = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /** {@code <Delta data path>@<version>} of every published table: the only table reads allowed. */
    private static volatile Set<String> published = Set.of();

    /** The settings of a new client session of the server (what a session may not stray from but for SESSION_SETTINGS). */
    private static volatile Map<String, String> sessionBaseline;

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
        sessionBaseline = JavaConverters.mapAsJavaMap(session.newSession().sessionState().conf().getAllConfs());
    }

    static boolean isWriter(SparkSession session) {
        return WRITERS.contains(session);
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectParser((session, delegate) -> new GuardedParser(session, delegate));
        extensions.injectCheckRule(session -> plan -> {
            if (!isWriter(session)) {
                String refusal = refusal(plan);
                if (refusal != null) {
                    throw new UnsupportedOperationException(refusal);
                }
            }
            return BoxedUnit.UNIT;
        });
        return BoxedUnit.UNIT;
    }

    // ---- before analysis: the statement as the client wrote it ------------------------------------------------

    /**
     * A client session's settings, checked before each of its statements: whatever path changed them (SET, the
     * connection's settings), variable substitution stays off and no catalog was added or changed. (Not every
     * other setting: Delta itself changes some in the querying session.)
     *
     * @return why the session may run nothing; null: it may
     */
    static String sessionRefusal(SQLConf conf) {
        if (conf.variableSubstituteEnabled()) {
            return "partnermix serve refuses this session: variable substitution was turned on.";
        }
        Map<String, String> baseline = sessionBaseline;
        for (Map.Entry<String, String> setting : JavaConverters.mapAsJavaMap(conf.getAllConfs()).entrySet()) {
            String key = setting.getKey();
            if (key.startsWith("spark.sql.catalog.")
                    && (baseline == null || !Objects.equals(baseline.get(key), setting.getValue()))) {
                return "partnermix serve refuses this session: its setting " + key + " was changed.";
            }
        }
        return null;
    }

    /** @return why the statement (as parsed, before analysis) is refused; null: it may be analysed */
    static String parsedRefusal(LogicalPlan statement) {
        String name = statement.getClass().getSimpleName();
        if (statement instanceof SetCommand set) {
            return setRefusal(set.kv());
        }
        if (statement instanceof ResetCommand reset) {
            return reset.config().isEmpty() || SESSION_SETTINGS.contains(reset.config().get()) ? null : SET;
        }
        if (PARSED_READ_COMMANDS.contains(name)) {
            return walk(statement, true);
        }
        if (statement instanceof Command || !PARSED_QUERY_NODES.contains(name)) {
            return refusedNode(statement);
        }
        return walk(statement, false);
    }

    private static String setRefusal(Option<Tuple2<String, Option<String>>> kv) {
        return kv.isDefined() && SESSION_SETTINGS.contains(kv.get()._1().trim()) ? null : SET;
    }

    /** What a node outside the allow-lists gets: the specific reason where there is one. */
    private static String refusedNode(LogicalPlan node) {
        if (node instanceof ScriptTransformation) {
            return SCRIPT;
        }
        if (node instanceof RelationTimeTravel) {
            return TIME_TRAVEL;
        }
        if (node instanceof PlanWithUnresolvedIdentifier) {
            return IDENTIFIER;
        }
        return String.format(READ_ONLY, node.getClass().getSimpleName());
    }

    /** Every node, expression and nested plan of a parsed statement (children, CTE definitions, subqueries, ...). */
    private static String walk(Object node, boolean top) {
        if (node instanceof LogicalPlan plan) {
            String name = plan.getClass().getSimpleName();
            if (!top && !PARSED_QUERY_NODES.contains(name)) {
                return refusedNode(plan);
            }
            String found = nameRefusal(plan);
            if (found != null) {
                return found;
            }
            return walkFields((Product) plan);
        }
        if (node instanceof Expression expression) {
            if (expression instanceof UnresolvedFunction function) {
                List<String> parts = JavaConverters.seqAsJavaList(function.nameParts());
                String last = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
                if (REFUSED_FUNCTIONS.contains(last)) {
                    return last.startsWith("xpath") ? XPATH : REFLECTION;
                }
            }
            if (expression instanceof ExpressionWithUnresolvedIdentifier) {
                return IDENTIFIER;
            }
            return walkFields(expression);
        }
        if (node instanceof scala.collection.Iterable<?> items) {
            for (Object item : JavaConverters.asJavaIterable(items)) {
                String found = walk(item, false);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (node instanceof Option<?> option) {
            return option.isDefined() ? walk(option.get(), false) : null;
        }
        if (node instanceof Product product && product.getClass().getName().startsWith("scala.Tuple")) {
            return walkFields(product);
        }
        return null;
    }

    private static String walkFields(Product product) {
        java.util.Iterator<Object> fields = JavaConverters.asJavaIterator(product.productIterator());
        while (fields.hasNext()) {
            String found = walk(fields.next(), false);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The table and namespace names a parsed node points at: only the served databases of the session catalog. */
    private static String nameRefusal(LogicalPlan plan) {
        scala.collection.Seq<String> table = null;
        if (plan instanceof UnresolvedRelation relation) {
            table = relation.multipartIdentifier();
        } else if (plan instanceof UnresolvedTableOrView tableOrView) {
            table = tableOrView.multipartIdentifier();
        } else if (plan instanceof UnresolvedTable unresolvedTable) {
            table = unresolvedTable.multipartIdentifier();
        } else if (plan instanceof UnresolvedView view) {
            table = view.multipartIdentifier();
        } else if (plan instanceof UnresolvedIdentifier identifier) {
            table = identifier.nameParts();
        }
        if (table != null) {
            return servedTable(JavaConverters.seqAsJavaList(table)) ? null : BY_NAME;
        }
        if (plan instanceof UnresolvedNamespace namespace) {
            return servedNamespace(JavaConverters.seqAsJavaList(namespace.multipartIdentifier())) ? null : BY_NAME;
        }
        if (plan instanceof ShowColumns columns && columns.namespace().isDefined()) {
            // SHOW COLUMNS IN t IN db: the analyser joins db and t into one name
            return servedNamespace(JavaConverters.seqAsJavaList(columns.namespace().get())) ? null : BY_NAME;
        }
        String name = plan.getClass().getSimpleName();
        if (name.startsWith("Unresolved") && name.contains("Path")) {   // Delta's path-based table names
            return BY_NAME;
        }
        return null;
    }

    /** {@code t}, {@code gold.t}, {@code spark_catalog.gold.t}. */
    private static boolean servedTable(List<String> parts) {
        return parts.size() == 1 || servedNamespace(parts.subList(0, parts.size() - 1));
    }

    /** (none), {@code gold}, {@code spark_catalog.gold}. */
    private static boolean servedNamespace(List<String> parts) {
        List<String> namespace = !parts.isEmpty() && parts.get(0).equalsIgnoreCase("spark_catalog") && parts.size() > 1
                ? parts.subList(1, parts.size()) : parts;
        return namespace.isEmpty() || namespace.size() == 1 && DATABASES.contains(namespace.get(0).toLowerCase(Locale.ROOT));
    }

    // ---- after analysis: every plan the session runs ----------------------------------------------------------

    /** @return why the analysed statement is refused; null: it only reads published data */
    static String refusal(LogicalPlan plan) {
        String name = plan.getClass().getSimpleName();
        if (plan instanceof ScriptTransformation || name.contains("ScriptTransformation")) {
            return SCRIPT;
        }
        if (plan instanceof Command || name.startsWith("InsertInto") || name.endsWith("Statement")) {
            return READ_COMMANDS.contains(name) ? null : String.format(READ_ONLY, name);
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
        for (Object inner : JavaConverters.seqAsJavaList(plan.innerChildren())) {
            if (inner instanceof LogicalPlan innerPlan) {
                String found = refusal(innerPlan);
                if (found != null) {
                    return found;
                }
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
            // reflect()/java_method() call any static Java method in the server (System.exit, System.getenv, ...).
            return REFLECTION;
        }
        if (expression instanceof XPathExtract) {
            return XPATH;
        }
        if (expression.getClass().getName().startsWith("org.apache.spark.sql.hive.Hive")) {
            return HIVE_FUNCTION;   // HiveSimpleUDF, HiveGenericUDF, HiveGenericUDTF, HiveUDAFFunction
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
