package com.partnermix.serve;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * The parser of every session of serve (wrapping Delta's, which wraps Spark's): a client's statement
 * ({@link #parsePlan}) is checked by {@link ReadOnlyExtension#parsedRefusal} before it is analysed, so a
 * refused statement never makes Spark look at a file or a catalog. A view's body is parsed through
 * {@link #parseQuery} by the catalog: only the server's own session creates views, so those pass.
 */
final class GuardedParser implements ParserInterface {

    private final SparkSession session;
    private final ParserInterface delegate;

    GuardedParser(SparkSession session, ParserInterface delegate) {
        this.session = session;
        this.delegate = delegate;
    }

    @Override
    public LogicalPlan parsePlan(String sqlText) throws ParseException {
        if (ReadOnlyExtension.isWriter(session)) {
            return delegate.parsePlan(sqlText);
        }
        String refusal = ReadOnlyExtension.sessionRefusal(session.sessionState().conf());
        if (refusal != null) {
            throw new UnsupportedOperationException(refusal);
        }
        LogicalPlan plan = delegate.parsePlan(sqlText);
        refusal = ReadOnlyExtension.parsedRefusal(plan);
        if (refusal != null) {
            throw new UnsupportedOperationException(refusal);
        }
        return plan;
    }

    @Override
    public LogicalPlan parseQuery(String sqlText) throws ParseException {
        return delegate.parseQuery(sqlText);
    }

    @Override
    public Expression parseExpression(String sqlText) throws ParseException {
        return delegate.parseExpression(sqlText);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
        return delegate.parseTableIdentifier(sqlText);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
        return delegate.parseFunctionIdentifier(sqlText);
    }

    @Override
    public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
        return delegate.parseMultipartIdentifier(sqlText);
    }

    @Override
    public StructType parseTableSchema(String sqlText) throws ParseException {
        return delegate.parseTableSchema(sqlText);
    }

    @Override
    public DataType parseDataType(String sqlText) throws ParseException {
        return delegate.parseDataType(sqlText);
    }
}
