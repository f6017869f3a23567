package com.partnermix.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.ZoneOffset;

/** One order line -> one typed order version, or a rejection with its reason. */
public final class OrderParser implements Serializable {

    public static final DecimalType MONEY = DataTypes.createDecimalType(18, 4);

    public static final StructType SCHEMA = new StructType()
            .add("order_id", DataTypes.StringType)
            .add("order_ts", DataTypes.TimestampType)
            .add("order_date", DataTypes.DateType)
            .add("updated_ts", DataTypes.TimestampType)
            .add("status", DataTypes.StringType)
            .add("revenue", MONEY)
            .add("currency", DataTypes.StringType)
            .add("anonymous_id", DataTypes.StringType)
            .add("user_id", DataTypes.StringType)
            .add("coupon_code", DataTypes.StringType)
            .add("items", DataTypes.IntegerType)
            .add("is_new_customer", DataTypes.BooleanType)
            .add("country", DataTypes.StringType);

    private final int maxIdLength;

    public OrderParser(int maxIdLength) {
        this.maxIdLength = maxIdLength;
    }

    /** @throws Rejection when the line breaks the contract */
    public Row parse(String line) {
        JsonNode node = TouchpointParser.JsonLines.object(line);
        FieldReader f = new FieldReader(node, maxIdLength);
        String orderId = f.id("order_id", true);
        String orderTsText = f.required("order_ts");
        String updatedTsText = f.required("updated_ts");
        String status = f.enumValue("status", Contract.ORDER_STATUSES, true);
        BigDecimal revenue = f.decimal("revenue", true);
        String currency = FieldReader.currency("currency", f.required("currency"));
        String anonymousId = f.id("anonymous_id", true);
        Timestamp orderTs = FieldReader.parseTimestamp("order_ts", orderTsText);
        Timestamp updatedTs = FieldReader.parseTimestamp("updated_ts", updatedTsText);
        if (revenue.signum() < 0) {
            throw new Rejection("negative_revenue", "revenue " + f.required("revenue") + " is negative");
        }
        BigDecimal money = FieldReader.fit("revenue", revenue, MONEY);
        return RowFactory.create(
                orderId,
                orderTs,
                Date.valueOf(orderTs.toInstant().atZone(ZoneOffset.UTC).toLocalDate()),
                updatedTs,
                status,
                money,
                currency,
                anonymousId,
                f.id("user_id", false),
                f.id("coupon_code", false),
                f.positiveInt("items"),
                f.bool("is_new_customer"),
                f.country("country"));
    }
}
