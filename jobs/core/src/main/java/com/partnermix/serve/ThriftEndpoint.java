package com.partnermix.serve;

import org.apache.hadoop.hive.common.ServerUtils;
import org.apache.hadoop.hive.conf.HiveConf;
import org.apache.hive.service.AbstractService;
import org.apache.hive.service.CompositeService;
import org.apache.hive.service.Service;
import org.apache.hive.service.cli.CLIService;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.hive.service.cli.thrift.ThriftBinaryCLIService;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.server.HiveServer2;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.HiveUtils$;
import org.apache.spark.sql.hive.client.HiveClientImpl;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2$;
import org.apache.spark.sql.hive.thriftserver.SparkSQLCLIService;
import org.apache.spark.sql.hive.thriftserver.ui.HiveThriftServer2AppStatusStore;
import org.apache.spark.sql.hive.thriftserver.ui.HiveThriftServer2EventManager;
import org.apache.spark.sql.hive.thriftserver.ui.HiveThriftServer2Listener;
import org.apache.spark.sql.hive.thriftserver.ui.ThriftServerTab;
import org.apache.spark.sql.hive.thriftserver.ui.ThriftServerTab$;
import org.apache.spark.status.ElementTrackingStore;
import org.apache.thrift.TException;
import org.apache.thrift.server.TServer;
import org.apache.thrift.transport.TServerSocket;
import scala.Option;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Spark Thrift Server as serve runs it. {@code HiveThriftServer2.startWithContext} with two changes that
 * it offers no setting for:
 * <ul>
 *   <li>the address and port are serve.host and serve.port, always: HiveServer2 lets
 *       {@code HIVE_SERVER2_THRIFT_BIND_HOST} and {@code HIVE_SERVER2_THRIFT_PORT} in the environment override
 *       its configuration, and an empty host would bind every interface;</li>
 *   <li>a client's session settings (the OpenSession configuration: {@code ;?k=v} and {@code #k=v} in a JDBC
 *       URL, or anything a raw Thrift client sends) are refused unless allow-listed. HiveServer2 applies them
 *       before any SQL runs and outside the SQL parser: {@code set:system:} sets a JVM system property,
 *       {@code set:hiveconf:} and {@code set:hivevar:} become Spark session settings (variable substitution,
 *       catalogs), with {@code ${env:...}} expanded in their values.</li>
 * </ul>
 */
final class ThriftEndpoint {

    /** Session settings a connection may send: what the Hive JDBC driver always sends, and harmless SQL keys. */
    static final Set<String> CONNECTION_SETTINGS = Set.of("hive.server2.thrift.resultset.default.fetch.size");

    private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private ThriftEndpoint() {}

    /** @return the running server and the socket address it listens on */
    static Started start(SparkSession spark, InetAddress address, int port) {
        SparkContext sc = spark.sparkContext();
        SQLContext sqlContext = spark.sqlContext();
        HiveClientImpl executionHive = HiveUtils$.MODULE$.newClientForExecution(sc.conf(),
                spark.sessionState().newHadoopConf());
        ServerUtils.cleanUpScratchDir(executionHive.conf());
        Server server = new Server(sqlContext, address, port);
        server.init(executionHive.conf());
        // The statement and session events the server reports (startWithContext sets them up after start; a
        // connection arriving in between would find them missing).
        ElementTrackingStore store = (ElementTrackingStore) sc.statusStore().store();
        HiveThriftServer2$.MODULE$.eventManager_$eq(new HiveThriftServer2EventManager(sc));
        HiveThriftServer2Listener listener = new HiveThriftServer2Listener(store, sc.conf(),
                Option.<HiveServer2>apply(server), true);
        HiveThriftServer2$.MODULE$.listener_$eq(listener);
        sc.listenerBus().addToStatusQueue(listener);
        server.start();
        if (sc.ui().isDefined()) {
            HiveThriftServer2$.MODULE$.uiTab_$eq(Option.<ThriftServerTab>apply(new ThriftServerTab(
                    new HiveThriftServer2AppStatusStore(store), ThriftServerTab$.MODULE$.getSparkUI(sc))));
        } else {
            HiveThriftServer2$.MODULE$.uiTab_$eq(Option.empty());
        }
        return new Started(server, server.thrift.boundAddress());
    }

    record Started(HiveThriftServer2 server, InetSocketAddress address) {}

    /** @return why a connection with these session settings is refused; null: it may open */
    static String sessionRefusal(Map<String, String> configuration) {
        if (configuration == null) {
            return null;
        }
        for (String key : new TreeSet<>(configuration.keySet())) {
            String value = String.valueOf(configuration.get(key));
            if (key.equals("use:database") && DATABASE.matcher(value).matches()) {
                continue;
            }
            String setting = key.startsWith("set:hiveconf:") ? key.substring("set:hiveconf:".length()) : null;
            if (setting != null && !value.contains("${")
                    && (CONNECTION_SETTINGS.contains(setting) || ReadOnlyExtension.SESSION_SETTINGS.contains(setting))) {
                continue;
            }
            String shown = key.length() > 100 ? key.substring(0, 100) + "..." : key;
            return "partnermix serve refuses the connection setting '" + shown + "': a connection may set only "
                    + String.join(", ", new TreeSet<>(ReadOnlyExtension.SESSION_SETTINGS))
                    + " (plain values, in the JDBC URL as ;?key=value) and its database (gold or dq)";
        }
        return null;
    }

    /** HiveThriftServer2 with {@link Thrift} as its Thrift service (what HiveThriftServer2.init builds, binary only). */
    private static final class Server extends HiveThriftServer2 {

        private final SQLContext sqlContext;
        private final InetAddress address;
        private final int port;
        private Thrift thrift;

        Server(SQLContext sqlContext, InetAddress address, int port) {
            super(sqlContext);
            this.sqlContext = sqlContext;
            this.address = address;
            this.port = port;
        }

        @Override
        public void init(HiveConf hiveConf) {
            SparkSQLCLIService cli = new SparkSQLCLIService(this, sqlContext);
            setHiveServer2Field("cliService", cli);
            addService(cli);
            thrift = new Thrift(cli, address, port);
            setHiveServer2Field("thriftCLIService", thrift);
            addService(thrift);
            initServices(hiveConf);
        }

        private void setHiveServer2Field(String name, Object value) {
            try {
                Field field = HiveServer2.class.getDeclaredField(name);
                field.setAccessible(true);
                field.set(this, value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("serve: this Spark Thrift Server has no HiveServer2." + name, e);
            }
        }

        /**
         * CompositeService.init without HiveServer2.init (which would build its own services), as
         * HiveThriftServer2's initCompositeService does; that one finds the fields a fixed number of superclasses up
         * from the object's class, which this subclass shifts, so the classes are named here.
         */
        @SuppressWarnings("unchecked")
        private void initServices(HiveConf hiveConf) {
            try {
                Field services = CompositeService.class.getDeclaredField("serviceList");
                services.setAccessible(true);
                for (Service service : (List<Service>) services.get(this)) {
                    service.init(hiveConf);
                }
                Method ensureState = AbstractService.class.getDeclaredMethod("ensureCurrentState", Service.STATE.class);
                ensureState.setAccessible(true);
                ensureState.invoke(this, Service.STATE.NOTINITED);
                Field conf = AbstractService.class.getDeclaredField("hiveConf");
                conf.setAccessible(true);
                conf.set(this, hiveConf);
                Method changeState = AbstractService.class.getDeclaredMethod("changeState", Service.STATE.class);
                changeState.setAccessible(true);
                changeState.invoke(this, Service.STATE.INITED);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("serve: cannot initialise the Thrift server's services", e);
            }
        }
    }

    /** The binary Thrift service on serve's own address, refusing session settings outside the allow-list. */
    private static final class Thrift extends ThriftBinaryCLIService {

        private final InetAddress address;
        private final int port;

        Thrift(CLIService cliService, InetAddress address, int port) {
            super(cliService);
            this.address = address;
            this.port = port;
        }

        @Override
        public synchronized void init(HiveConf hiveConf) {
            super.init(hiveConf);
            // After Hive read HIVE_SERVER2_THRIFT_BIND_HOST / _PORT from the environment: the configuration wins.
            hiveHost = address.getHostAddress();
            serverIPAddress = address;
            portNum = port;
        }

        @Override
        public TOpenSessionResp OpenSession(TOpenSessionReq request) throws TException {
            String refusal = sessionRefusal(request.getConfiguration());
            if (refusal == null) {
                return super.OpenSession(request);
            }
            TOpenSessionResp response = new TOpenSessionResp();
            response.setStatus(HiveSQLException.toTStatus(new HiveSQLException(refusal)));
            return response;
        }

        @Override
        public TExecuteStatementResp ExecuteStatement(TExecuteStatementReq request) throws TException {
            // A per-statement overlay of settings: the Hive JDBC driver never sends one.
            if (request.isSetConfOverlay() && !request.getConfOverlay().isEmpty()) {
                TExecuteStatementResp response = new TExecuteStatementResp();
                response.setStatus(HiveSQLException.toTStatus(new HiveSQLException(
                        "partnermix serve refuses statement settings (confOverlay): use SET with an allowed key")));
                return response;
            }
            return super.ExecuteStatement(request);
        }

        InetSocketAddress boundAddress() {
            try {
                Field transport = TServer.class.getDeclaredField("serverTransport_");
                transport.setAccessible(true);
                TServerSocket socket = (TServerSocket) transport.get(server);
                return (InetSocketAddress) socket.getServerSocket().getLocalSocketAddress();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException("serve: cannot tell which address the Thrift server listens on", e);
            }
        }
    }

    /** {@code serve.host}; empty means this machine only (loopback), never every interface. */
    static InetAddress bindAddress(String host) throws UnknownHostException {
        return InetAddress.getByName(host == null || host.isBlank() ? "127.0.0.1" : host.strip());
    }
}
